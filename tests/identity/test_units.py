"""Bureau units are planned from divisions (pure) and created once per tenant."""

from pharmreg.divisions import DivisionRead
from pharmreg.identity import count_units, create_units, list_units, plan_units


def division(
    code: str, name: str, level: int, parent: str | None, full: str, grouping: bool = False
) -> DivisionRead:
    return DivisionRead(
        code=code,
        name=name,
        level=level,
        parent_code=parent,
        province_code=code[:2] + "0000",
        is_grouping=grouping,
        valid_from=None,
        valid_to=None,
        full_name=full,
    )


def test_plan_for_a_province_with_cities() -> None:
    seeds = plan_units(
        province_code="440000",
        authority_name="广东省药品监督管理局",
        divisions=[
            division("440100", "广州市", 2, "440000", "广东省 广州市"),
            division("440106", "天河区", 3, "440100", "广东省 广州市 天河区"),
            division("440183", "增城区", 3, "440100", "广东省 广州市 增城区"),
            division("441900", "东莞市", 2, "440000", "广东省 东莞市"),
        ],
    )
    assert [(s.division_code, s.name, s.parent_division_code) for s in seeds] == [
        ("440000", "广东省药品监督管理局", None),
        ("440100", "广州市市场监督管理局", "440000"),
        ("441900", "东莞市市场监督管理局", "440000"),
        ("440106", "广州市天河区市场监督管理局", "440100"),
        ("440183", "广州市增城区市场监督管理局", "440100"),
    ]


def test_plan_for_a_municipality_and_direct_counties() -> None:
    seeds = plan_units(
        province_code="110000",
        authority_name="北京市药品监督管理局",
        divisions=[
            division("110100", "市辖区", 2, "110000", "北京市 市辖区", grouping=True),
            division("110101", "东城区", 3, "110100", "北京市 东城区"),
            division("419001", "济源市", 3, "419000", "河南省 济源市"),
        ],
    )
    assert [(s.division_code, s.name, s.parent_division_code) for s in seeds] == [
        ("110000", "北京市药品监督管理局", None),
        ("110101", "北京市东城区市场监督管理局", "110000"),  # the grouping row gets no bureau
        ("419001", "济源市市场监督管理局", "110000"),
    ]


async def test_provisioned_province_has_a_unit_per_division(platform) -> None:
    gd = platform.directory.get("gd")
    async with platform.db.tenant(gd.schema) as session:
        units = await list_units(session)
    by_code = {u.division_code: u for u in units}
    assert len(units) == 1 + 21 + 122  # province, 21 cities, 122 county-level divisions
    assert by_code["440106"].parent_id == by_code["440100"].id
    assert by_code["440100"].parent_id == by_code["440000"].id


async def test_creating_units_again_adds_nothing(platform) -> None:
    gd = platform.directory.get("gd")
    async with platform.db.tenant(gd.schema) as session, session.begin():
        before = await count_units(session)
        seeds = plan_units(province_code="440000", authority_name="广东省药品监督管理局", divisions=[])
        assert await create_units(session, seeds) == 0
        assert await count_units(session) == before
