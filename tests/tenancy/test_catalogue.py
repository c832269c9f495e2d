"""The tenant catalogue: the committed files are valid, and bad files are refused clearly."""

from pathlib import Path

import pytest

from pharmreg.tenancy import CatalogueError, load_catalogue
from pharmreg.tenancy.catalogue import read_entry

GOOD = """
slug = "zz"
kind = "province"
name = "测试省"
authority_name = "测试省药品监督管理局"
division_code = "440000"
territory = ["440000"]
hosts = ["zz.localhost"]
"""
NATIONAL = """
slug = "national"
kind = "national"
name = "全国"
authority_name = "国家药品监督管理局"
division_code = "100000"
territory = []
"""


def write(root: Path, slug: str, body: str | bytes) -> Path:
    folder = root / slug
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "tenant.toml"
    if isinstance(body, bytes):
        path.write_bytes(body)
    else:
        path.write_text(body, encoding="utf-8")
    return path


def test_committed_catalogue_has_all_provinces(project_root: Path) -> None:
    entries = load_catalogue(project_root / "tenants")
    slugs = {e.config.slug for e in entries}
    assert len(entries) == 33  # 31 provinces, the Corps, the national tenant
    assert {"national", "gd", "bt", "xj", "bj"} <= slugs
    provinces = [e for e in entries if e.config.kind == "province"]
    assert len({e.config.division_code for e in provinces}) == 32
    # Each province's own personnel-exam site; the national tenant's sites are the defaults.
    assert all(e.config.links.personnel_exam for e in provinces)
    national = next(e for e in entries if e.config.kind == "national")
    assert national.config.links.exam_signup and national.config.links.continuing_education


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (GOOD.replace('name = "测试省"\n', ""), "缺少必填字段 name"),
        (GOOD.replace('division_code = "440000"', 'division_code = "44"'), "字段 division_code：格式不正确"),
        (GOOD.replace('division_code = "440000"', 'division_code = "440100"'), "应为省级代码"),
        (GOOD.replace('kind = "province"', 'kind = "city"'), "字段 kind：格式不正确"),
        (GOOD.replace('territory = ["440000"]', "territory = []"), "至少需要一个辖区代码"),
        (
            GOOD.replace('hosts = ["zz.localhost"]', 'hosts = ["zz.localhost", "zz.localhost"]'),
            "重复的主机名",
        ),
        (GOOD.replace('hosts = ["zz.localhost"]', 'hosts = ["not a host"]'), "字段 hosts[0]：格式不正确"),
        (GOOD + 'colour = "red"\n', "包含未知字段 colour"),
        (GOOD + '[links]\nwebsite = "ftp://x"\n', "字段 links.website：格式不正确"),
        (GOOD.replace('slug = "zz"', "slug = zz"), "TOML 语法错误"),
        (GOOD.replace('slug = "zz"', 'slug = "yy"'), "与目录名“zz”不一致"),
    ],
)
def test_bad_file_names_the_problem(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, "zz", body)
    with pytest.raises(CatalogueError) as caught:
        read_entry(path, tmp_path)
    text = str(caught.value)
    assert text.startswith("zz/tenant.toml：")
    assert message in text


def test_non_utf8_file(tmp_path: Path) -> None:
    path = write(tmp_path, "zz", GOOD.encode("gb18030"))
    with pytest.raises(CatalogueError, match="不是 UTF-8 编码"):
        read_entry(path, tmp_path)


def test_conflicts_between_files(tmp_path: Path) -> None:
    write(tmp_path, "national", NATIONAL)
    write(tmp_path, "zz", GOOD)
    write(tmp_path, "yy", GOOD.replace('slug = "zz"', 'slug = "yy"').replace("zz.localhost", "yy.localhost"))
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(tmp_path)
    problems = caught.value.problems
    assert any("division_code：“440000”同时出现在 yy, zz" in p for p in problems)
    assert any("territory：“440000”同时出现在" in p for p in problems)


def test_all_problems_reported_together(tmp_path: Path) -> None:
    write(tmp_path, "zz", GOOD.replace('name = "测试省"\n', ""))
    write(tmp_path, "yy", GOOD.replace('slug = "zz"', 'slug = "xx"'))
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(tmp_path)
    assert len(caught.value.problems) >= 3  # two bad files and no national tenant


def test_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match=r"未找到任何 tenant\.toml"):
        load_catalogue(tmp_path)
