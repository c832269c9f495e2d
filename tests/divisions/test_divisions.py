"""Division data: the committed file, malformed files, and look-ups."""

import hashlib
from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError

from pharmreg.divisions import DivisionFileError, DivisionIndex, load_divisions, parse_division_file
from pharmreg.divisions.models import Division, ReferenceDataset

HEADER = "code\tname\tlevel\tparent\tgrouping\tvalid_from\tvalid_to\n"


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "divisions.tsv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_committed_file_covers_the_country(project_root: Path) -> None:
    rows, sha = parse_division_file(project_root / "tenants" / "reference" / "divisions.tsv")
    current = [r for r in rows if r["valid_to"] is None]
    assert len(sha) == 64
    assert sum(1 for r in current if r["level"] == 1) == 34  # 31 + Taiwan, Hong Kong, Macao
    assert 330 <= sum(1 for r in current if r["level"] == 2) <= 350
    assert 2800 <= sum(1 for r in current if r["level"] == 3) <= 3000
    assert not any(71 <= int(r["code"][4:]) <= 79 for r in rows if r["level"] == 3)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("110000\t北京市\t1\t\t0\t\n", "应有7列"),
        ("11000\t北京市\t1\t\t0\t\t\n", "第2行：行政区划代码应为6位数字"),
        ("110000\t北京市\t2\t\t0\t\t\n", "层级 2 与代码 110000 不符"),
        ("110000\t\t1\t\t0\t\t\n", "名称为空"),
        ("110000\t北京市\t1\t\t0\t2020-02-30\t\n", "第2行"),
        ("110000\t北京市\t1\t\t0\t2020-01-01\t2019-01-01\n", "失效日期早于生效日期"),
        ("110000\t北京市\t1\t\t0\t\t\n110000\t北京市\t1\t\t0\t\t\n", "第3行：代码 110000 重复"),
        ("110101\t东城区\t3\t110100\t0\t\t\n", "上级 110100 不存在"),
    ],
)
def test_malformed_file_refused_with_line(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(DivisionFileError, match=message):
        parse_division_file(write(tmp_path, body))


def test_wrong_header(tmp_path: Path) -> None:
    path = tmp_path / "d.tsv"
    path.write_text("code,name\n", encoding="utf-8")
    with pytest.raises(DivisionFileError, match="第1行：表头"):
        parse_division_file(path)


async def test_failed_load_changes_nothing(platform, tmp_path: Path, project_root: Path) -> None:
    """A file that parses but fails in the database (a name too long for the column) is
    refused as a whole: rows written before the failure are rolled back with it."""
    original = (project_root / "tenants" / "reference" / "divisions.tsv").read_text(encoding="utf-8")
    broken = original.replace("110101\t东城区\t", "110101\t东城区改名\t").replace(
        "659012\t白杨市\t", "659012\t" + "白" * 80 + "\t"
    )
    path = tmp_path / "divisions.tsv"
    path.write_text(broken, encoding="utf-8")
    async with platform.db.national() as session:
        with pytest.raises(DBAPIError):
            async with session.begin():
                await load_divisions(session, path, force=True)
    async with platform.db.national() as session:
        assert (await session.get(Division, "110101")).name == "东城区"
        assert (await session.get(ReferenceDataset, "divisions")).sha256 != hashlib.sha256(
            broken.encode()
        ).hexdigest()


async def test_loading_same_file_again_is_skipped(platform) -> None:
    path = platform.settings.tenants_dir / "reference" / "divisions.tsv"
    async with platform.db.national() as session, session.begin():
        result = await load_divisions(session, path)
    assert result.skipped


def test_lookup_by_code_including_retired(platform) -> None:
    index: DivisionIndex = platform.index
    tianhe = index.get("440106")
    assert tianhe is not None and tianhe.full_name == "广东省 广州市 天河区" and tianhe.current
    miyun_county = index.get("110228")  # 密云县 became 密云区 (110118)
    assert miyun_county is not None and not miyun_county.current
    assert miyun_county.valid_to is not None
    assert index.get("110118").current
    assert index.get("999999") is None


def test_groupings_are_skipped_in_names(platform) -> None:
    dongcheng = platform.index.get("110101")
    assert dongcheng.full_name == "北京市 东城区"  # not 北京市 市辖区 东城区
    assert platform.index.get("110100").is_grouping


def test_search_by_name_prefix(platform) -> None:
    results = platform.index.search("天河")
    assert [d.code for d in results] == ["440106"]
    suzhou = platform.index.search("苏州")
    assert suzhou[0].code == "320500"
    assert platform.index.search("") == []
    assert platform.index.search("不存在的地名") == []
    assert all(d.current for d in platform.index.search("密云"))


def test_cities_without_counties_and_province_level_counties(platform) -> None:
    assert platform.index.counties_of("441900") == []  # 东莞市 has no county level
    henan_direct = platform.index.counties_of("419000")
    assert "济源市" in {d.name for d in henan_direct}


async def test_division_api(client) -> None:
    response = await client.get("/api/v1/divisions/440106")
    assert response.status_code == 200
    assert response.json()["full_name"] == "广东省 广州市 天河区"
    response = await client.get("/api/v1/divisions", params={"q": "石河子"})
    assert [d["code"] for d in response.json()["results"]] == ["659001"]
    response = await client.get("/api/v1/divisions/440100/children")
    assert len(response.json()) == 11


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/api/v1/divisions/44010", 400, "行政区划代码应为6位数字"),
        ("/api/v1/divisions/abcdef", 400, "行政区划代码应为6位数字"),
        ("/api/v1/divisions/449999", 404, "未找到"),
        ("/api/v1/divisions?limit=5", 400, "缺少必填参数 q"),
        ("/api/v1/divisions?q=%E5%A4%A9&limit=1000", 400, "参数 limit"),
    ],
)
async def test_division_api_refusals(client, path: str, status: int, message: str) -> None:
    response = await client.get(path)
    assert response.status_code == status
    assert message in response.json()["error"]["message"]


@pytest.fixture(scope="module")
def index() -> DivisionIndex:
    rows, _ = parse_division_file(
        Path(__file__).resolve().parents[2] / "tenants" / "reference" / "divisions.tsv"
    )
    return DivisionIndex([Division(**row) for row in rows])


@pytest.mark.parametrize(
    ("typed", "place", "rest"),
    [
        ("广州市天河区", "广东省 广州市 天河区", ""),
        ("广东省广州市天河区体育西路", "广东省 广州市 天河区", "体育西路"),
        ("广东广州天河", "广东省 广州市 天河区", ""),
        ("广东省天河区", "广东省 广州市 天河区", ""),  # a level left out
        ("天河区", "广东省 广州市 天河区", ""),
        ("地址：江苏省苏州市工业园区星湖街", "江苏省 苏州市", "工业园区星湖街"),
        ("北京市朝阳区建国路88号", "北京市 朝阳区", "建国路88号"),
        ("吉林省吉林市", "吉林省 吉林市", ""),  # a province and its namesake city
        ("吉林市船营区", "吉林省 吉林市 船营区", ""),
        ("重庆市渝中区", "重庆市 渝中区", ""),
        ("东莞市南城街道", "广东省 东莞市", "南城街道"),  # a city without counties
        ("石河子市北四路", "新疆维吾尔自治区 石河子市", "北四路"),
        ("  广州市　天河区 ", "广东省 广州市 天河区", ""),  # spaces, full-width ones included
    ],
)
def test_a_full_address_names_its_most_specific_division(index, typed, place, rest) -> None:
    match = index.resolve(typed)
    assert match.division is not None and match.division.full_name == place and match.remainder == rest


def test_an_ambiguous_or_unknown_address_names_no_division(index) -> None:
    ambiguous = index.resolve("朝阳区")
    assert ambiguous.division is None
    assert {d.code for d in ambiguous.candidates} >= {"110105", "220104"}
    # A road named after a city is no address of that city.
    for typed in ("", "火星基地", "xyz", "中山路100号", "北京路步行街"):
        assert index.resolve(typed).division is None, typed
