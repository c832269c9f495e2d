"""A context's two kinds of space: the national one and a province's, each with its own tables."""

from pharmreg.forum import FORUMS
from pharmreg.kit.spaces import NATIONAL, Spaces
from pharmreg.messaging import MAILBOXES
from pharmreg.publishing.models import ARTICLES, NationalArticle, ProvinceArticle


def test_the_national_space_and_a_provinces_carry_their_own_tables() -> None:
    spaces = Spaces(national_tables="national tables", province_tables="province tables")
    national, gd = spaces.national(), spaces.province("gd")
    assert (national.key, national.tables, national.national) == (NATIONAL, "national tables", True)
    assert (gd.key, gd.tables, gd.national) == ("gd", "province tables", False)


def test_every_context_declares_both_spaces() -> None:
    assert ARTICLES.national().tables.article is NationalArticle
    assert ARTICLES.province("gd").tables.article is ProvinceArticle
    for spaces in (ARTICLES, FORUMS, MAILBOXES):
        assert spaces.national().tables != spaces.province("gd").tables
