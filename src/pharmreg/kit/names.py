"""How a bureau is named to readers outside its province: the province said once."""

from __future__ import annotations


def bureau_name(province: str, unit: str) -> str:
    """The unit's name led by its province's (广东省 + 广州市市场监督管理局), unless it already
    begins with it (广东省药品监督管理局, 北京市东城区市场监督管理局)."""
    province, unit = province.strip(), unit.strip()
    if not unit:
        return province
    if not province or unit.startswith(province):
        return unit
    return province + unit
