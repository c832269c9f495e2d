"""JSON API of the divisions context."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, Parameter

from pharmreg.divisions.schemas import DivisionRead, DivisionSearchResult
from pharmreg.divisions.service import DivisionIndex
from pharmreg.kit.codes import CodeError, check_division_code
from pharmreg.kit.errors import UserError


class DivisionApiController(Controller):
    path = "/api/v1/divisions"
    tags = ["行政区划"]

    @get("/", summary="按名称前缀查找行政区划（仅现行）")
    async def search(
        self,
        divisions: NamedDependency[DivisionIndex],
        q: Annotated[str, Parameter(min_length=1, max_length=20, description="名称前缀，如“天河”")],
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
    ) -> DivisionSearchResult:
        return DivisionSearchResult(query=q, results=divisions.search(q, limit))

    @get("/{code:str}", summary="按代码查询行政区划（含已停用代码）")
    async def get_division(
        self, divisions: NamedDependency[DivisionIndex], code: FromPath[str]
    ) -> DivisionRead:
        return _lookup(divisions, code)

    @get("/{code:str}/children", summary="下级行政区划（仅现行）")
    async def children(
        self, divisions: NamedDependency[DivisionIndex], code: FromPath[str]
    ) -> list[DivisionRead]:
        _lookup(divisions, code)
        return divisions.children(code)


def _lookup(divisions: DivisionIndex, code: str) -> DivisionRead:
    try:
        check_division_code(code)
    except CodeError as exc:
        raise UserError(detail=str(exc)) from None
    division = divisions.get(code)
    if division is None:
        raise NotFoundException()
    return division
