"""Practice units as forms, other contexts and the API see them."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

import msgspec
from msgspec import Meta


class UnitType(StrEnum):
    RETAIL_CHAIN_STORE = "retail_chain_store"
    RETAIL = "retail"
    WHOLESALE = "wholesale"
    MANUFACTURER = "manufacturer"
    MEDICAL = "medical"
    MAH = "mah"
    LOGISTICS = "logistics"
    ONLINE_PLATFORM = "online_platform"
    PRESCRIPTION_REVIEW = "prescription_review"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    UnitType.RETAIL_CHAIN_STORE: "药品零售连锁门店",
    UnitType.RETAIL: "药品零售企业（单体药店）",
    UnitType.WHOLESALE: "药品批发企业",
    UnitType.MANUFACTURER: "药品生产企业",
    UnitType.MEDICAL: "医疗机构",
    UnitType.MAH: "药品上市许可持有人",
    UnitType.LOGISTICS: "药品第三方物流企业",
    UnitType.ONLINE_PLATFORM: "药品网络销售平台",
    UnitType.PRESCRIPTION_REVIEW: "远程审方平台",
}


class PracticeUnitCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    uscc: Annotated[str, Meta(min_length=18, max_length=18)]
    name: Annotated[str, Meta(min_length=2, max_length=200)]
    unit_type: UnitType
    licence_no: Annotated[str, Meta(min_length=4, max_length=64)]
    licence_valid_until: date
    division_code: Annotated[str, Meta(pattern=r"^\d{6}$")]
    address: Annotated[str, Meta(min_length=2, max_length=200)]
    principal: Annotated[str, Meta(min_length=1, max_length=50)]


class PracticeUnitRead(msgspec.Struct):
    id: int
    uscc: str
    name: str
    unit_type: str
    unit_type_label: str
    licence_no: str
    licence_valid_until: date
    division_code: str
    address: str
    status: str
