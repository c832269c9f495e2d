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
    licence_valid_until: Annotated[date, Meta(description="许可证有效期至（含当日）")]
    division_code: str
    address: str
    # What officers recorded; `state` is what holds today, and what readers should act on.
    status: Annotated[
        str,
        Meta(
            description="登记状态（工作人员登记）：active 正常、suspended 停业整顿、"
            "revoked 许可证吊销、closed 已注销"
        ),
    ]
    state: Annotated[
        str,
        Meta(
            description="当前状态（按北京时间当日判断）：同登记状态，"
            "但登记为正常而许可证已过有效期的为 expired（许可证已过期）"
        ),
    ]
    state_label: Annotated[str, Meta(description="当前状态的中文名称，如“正常”“许可证已过期”")]


class UnitImport(msgspec.Struct, frozen=True):
    """What an import did: rows read, units added and updated, or (nothing written) the rows in error."""

    read: int
    added: int
    updated: int
    errors: list[str]
