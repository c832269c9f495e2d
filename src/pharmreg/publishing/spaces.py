"""Where content lives: the national portal's space or one province's, each with its tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pharmreg.publishing.models import (
    NationalArticle,
    NationalArticleAttachment,
    NationalArticleHistory,
    NationalArticleLive,
    ProvinceArticle,
    ProvinceArticleAttachment,
    ProvinceArticleHistory,
    ProvinceArticleLive,
)


@dataclass(frozen=True, slots=True)
class Space:
    """A publishing space: "national", or a province's slug (its tables are in the session's schema)."""

    key: str
    article: Any
    history: Any
    attachment: Any
    live: Any

    @property
    def national(self) -> bool:
        return self.key == "national"


def national_space() -> Space:
    return Space(
        "national", NationalArticle, NationalArticleHistory, NationalArticleAttachment, NationalArticleLive
    )


def province_space(slug: str) -> Space:
    return Space(
        slug, ProvinceArticle, ProvinceArticleHistory, ProvinceArticleAttachment, ProvinceArticleLive
    )
