"""Naming a bureau: the province said once, whatever the unit's own name holds."""

from hypothesis import given
from hypothesis import strategies as st

from pharmreg.kit.names import bureau_name


def test_a_province_bureau_is_not_prefixed_twice() -> None:
    assert bureau_name("广东省", "广东省药品监督管理局") == "广东省药品监督管理局"
    assert bureau_name("北京市", "北京市东城区市场监督管理局") == "北京市东城区市场监督管理局"
    corps = "新疆生产建设兵团市场监督管理局"
    assert bureau_name("新疆生产建设兵团", corps) == corps


def test_a_city_or_county_bureau_is_led_by_its_province() -> None:
    assert bureau_name("广东省", "广州市市场监督管理局") == "广东省广州市市场监督管理局"
    assert bureau_name("江苏省", "常熟市市场监督管理局") == "江苏省常熟市市场监督管理局"


def test_missing_parts_leave_what_is_known() -> None:
    assert bureau_name("", "国家药品监督管理局") == "国家药品监督管理局"
    assert bureau_name("广东省", "") == "广东省"
    assert bureau_name(" 广东省 ", "广东省药品监督管理局 ") == "广东省药品监督管理局"


@given(st.sampled_from(["广东省", "北京市", "内蒙古自治区"]), st.text(min_size=1, max_size=20))
def test_the_province_leads_once(province: str, unit: str) -> None:
    unit = unit.strip() or "市场监督管理局"
    named = bureau_name(province, unit)
    assert named.startswith(province)
    assert named == (unit if unit.startswith(province) else province + unit)
    assert bureau_name(province, named) == named  # naming a named bureau changes nothing
