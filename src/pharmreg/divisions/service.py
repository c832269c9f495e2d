"""Loading the division file and looking divisions up by code or name prefix."""

from __future__ import annotations

import bisect
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.divisions import repository
from pharmreg.divisions.models import Division
from pharmreg.divisions.schemas import AddressMatch, DivisionRead
from pharmreg.kit.codes import CodeError, check_division_code, division_level

DATASET = "divisions"
_HEADER = ["code", "name", "level", "parent", "grouping", "valid_from", "valid_to"]


class DivisionFileError(ValueError):
    """The division file is malformed; the message names the line."""


@dataclass(frozen=True, slots=True)
class LoadResult:
    rows: int
    skipped: bool


def parse_division_file(path: Path) -> tuple[list[dict[str, Any]], str]:
    """Rows ready for the database, and the file's sha256; refuses the whole file on any error."""
    raw = path.read_bytes()
    lines = raw.decode("utf-8").splitlines()
    if not lines or lines[0].split("\t") != _HEADER:
        raise DivisionFileError(f"{path.name} 第1行：表头应为 {' '.join(_HEADER)}")
    rows: list[dict[str, Any]] = []
    codes: set[str] = set()
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != len(_HEADER):
            raise DivisionFileError(f"{path.name} 第{number}行：应有{len(_HEADER)}列，实际为{len(fields)}列")
        code, name, level, parent, grouping, valid_from, valid_to = fields
        try:
            check_division_code(code)
            if parent:
                check_division_code(parent)
            if level not in ("1", "2", "3") or int(level) != division_level(code):
                raise CodeError(f"层级 {level} 与代码 {code} 不符")
            if not name.strip():
                raise CodeError("名称为空")
            start = date.fromisoformat(valid_from) if valid_from else None
            end = date.fromisoformat(valid_to) if valid_to else None
        except (CodeError, ValueError) as exc:
            raise DivisionFileError(f"{path.name} 第{number}行：{exc}") from None
        if start and end and end <= start:
            raise DivisionFileError(f"{path.name} 第{number}行：失效日期早于生效日期")
        if code in codes:
            raise DivisionFileError(f"{path.name} 第{number}行：代码 {code} 重复")
        codes.add(code)
        rows.append(
            {
                "code": code,
                "name": name,
                "level": int(level),
                "parent_code": parent or None,
                "province_code": code[:2] + "0000",
                "is_grouping": grouping == "1",
                "valid_from": start,
                "valid_to": end,
            }
        )
    for row in rows:
        if row["parent_code"] and row["parent_code"] not in codes:
            raise DivisionFileError(f"{path.name}：代码 {row['code']} 的上级 {row['parent_code']} 不存在")
    return rows, hashlib.sha256(raw).hexdigest()


async def load_divisions(session: AsyncSession, path: Path, *, force: bool = False) -> LoadResult:
    """Load the committed division file unless this exact version is already loaded."""
    rows, sha256 = parse_division_file(path)
    if not force and await repository.dataset_sha256(session, DATASET) == sha256:
        return LoadResult(rows=len(rows), skipped=True)
    await repository.upsert_divisions(session, rows)
    await repository.record_dataset(session, DATASET, sha256, len(rows))
    return LoadResult(rows=len(rows), skipped=False)


class DivisionIndex:
    """All divisions in memory: code look-ups and name-prefix search without a round trip."""

    def __init__(self, divisions: list[Division]) -> None:
        by_code = {d.code: d for d in divisions}
        self._by_code: dict[str, DivisionRead] = {d.code: _read(d, _full_name(d, by_code)) for d in divisions}
        current = [d for d in self._by_code.values() if d.current]
        self._names = sorted((d.name, d.level, d.code) for d in current)
        self._keys = [name for name, _level, _code in self._names]
        self._children: dict[str, list[DivisionRead]] = {}
        for item in sorted(self._by_code.values(), key=lambda d: d.code):
            if item.parent_code and item.current:
                self._children.setdefault(item.parent_code, []).append(item)
        # Address recognition: full names, and short names ("广东", "广州", "天河") marked as such.
        self._spellings: dict[str, list[tuple[DivisionRead, bool]]] = {}
        for item in current:
            if item.is_grouping:
                continue
            self._spellings.setdefault(item.name, []).append((item, False))
            short = _short_name(item)
            if short and short != item.name:
                self._spellings.setdefault(short, []).append((item, True))
        self._longest = max((len(k) for k in self._spellings), default=0)

    @classmethod
    async def load(cls, session: AsyncSession) -> DivisionIndex:
        return cls(list(await repository.all_divisions(session)))

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code: str) -> DivisionRead | None:
        """The division with this code, current or retired."""
        return self._by_code.get(code)

    def children(self, code: str) -> list[DivisionRead]:
        """Current divisions directly under `code`."""
        return list(self._children.get(code, []))

    def counties_of(self, code: str) -> list[DivisionRead]:
        """Current county-level divisions under a city, looking through grouping rows."""
        found: list[DivisionRead] = []
        for child in self.children(code):
            if child.level == 3:
                found.append(child)
            else:
                found.extend(self.counties_of(child.code))
        return found

    def cities_of(self, province_code: str) -> list[DivisionRead]:
        """Current city-level divisions of a province, groupings included."""
        return [c for c in self.children(province_code) if c.level == 2]

    def search(self, prefix: str, limit: int = 20) -> list[DivisionRead]:
        """Current divisions whose name starts with `prefix`, provinces first."""
        prefix = prefix.strip()
        if not prefix:
            return []
        start = bisect.bisect_left(self._keys, prefix)
        matches = []
        for name, _level, code in self._names[start:]:
            if not name.startswith(prefix):
                break
            matches.append(self._by_code[code])
        matches.sort(key=lambda d: (d.level, d.code))
        return matches[:limit]

    def resolve(self, text: str) -> AddressMatch:
        """The most specific division an address names: "广州市天河区", "广东省广州市天河区体育西路",
        "广东广州天河" and "天河区" alike. Levels may be left out ("广东省天河区"); what follows the
        recognised names (street, building) is returned as the remainder. A name shared by several
        places ("朝阳区") with nothing above it to decide gives candidates and no division."""
        cleaned = _ADDRESS_NOISE.sub("", unicodedata.normalize("NFKC", text))
        for prefix in ("中华人民共和国", "中国"):
            cleaned = cleaned.removeprefix(prefix)
        found: DivisionRead | None = None
        position = 0
        # Leading words that are not a place ("地址：", "单位在") are skipped, by full names only.
        for start in range(min(len(cleaned), 12)):
            first = self._match(cleaned, start, None, allow_short=start == 0)
            if first is not None:
                break
        else:
            return AddressMatch(division=None, candidates=[], remainder=cleaned)
        length, choices = first
        if len(choices) > 1:
            return AddressMatch(division=None, candidates=choices, remainder=cleaned[start + length :])
        found, position = choices[0], start + length
        while position < len(cleaned):
            step = self._match(cleaned, position, found, allow_short=True)
            if step is None:
                break
            length, choices = step
            if len(choices) > 1:
                break  # two places of the same name under this one: keep what is certain
            found, position = choices[0], position + length
        return AddressMatch(division=found, candidates=[], remainder=cleaned[position:])

    def _match(
        self, text: str, start: int, above: DivisionRead | None, *, allow_short: bool
    ) -> tuple[int, list[DivisionRead]] | None:
        """The longest spelling at `start` of a division below `above` (anywhere when None)."""
        for length in range(min(self._longest, len(text) - start), 1, -1):
            spelled = self._spellings.get(text[start : start + length])
            if not spelled:
                continue
            # A short name followed by a road word is the road's name: "中山路" is not 中山市.
            followed_by_road = text[start + length : start + length + 1] in _ROAD_WORDS
            choices = [
                d
                for d, short in spelled
                if not (short and followed_by_road)
                if (
                    not short
                    or (allow_short and (above is not None or d.level < 3 or start + length == len(text)))
                )
                and (above is None or (d.level > above.level and _within(d, above)))
            ]
            if choices:
                choices.sort(key=lambda d: (d.level, d.code))
                # A province and its namesake city ("吉林"): the higher level is meant.
                same_level = [d for d in choices if d.level == choices[0].level]
                return length, same_level
        return None


_ROAD_WORDS = frozenset("路街道巷弄号大")
_ADDRESS_NOISE = re.compile(r"[\s,，、.。:：;；()（）\-—]+")
_SHORT_SUFFIXES = {
    1: ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市"),
    2: ("地区", "市", "盟"),
    3: ("区", "县", "市", "旗"),
}


def _short_name(division: DivisionRead) -> str | None:
    for suffix in _SHORT_SUFFIXES.get(division.level, ()):
        if division.name.endswith(suffix) and len(division.name) - len(suffix) >= 2:
            return division.name[: -len(suffix)]
    return None


def _within(division: DivisionRead, above: DivisionRead) -> bool:
    """Whether `division` lies inside `above`, by the code's province and city digits."""
    digits = {1: 2, 2: 4}.get(above.level, 6)
    return division.code[:digits] == above.code[:digits]


def _full_name(division: Division, by_code: dict[str, Division]) -> str:
    names = [division.name]
    parent = by_code.get(division.parent_code or "")
    while parent is not None:
        if not parent.is_grouping:
            names.append(parent.name)
        parent = by_code.get(parent.parent_code or "")
    return " ".join(reversed(names))


def _read(division: Division, full_name: str) -> DivisionRead:
    return DivisionRead(
        code=division.code,
        name=division.name,
        level=division.level,
        parent_code=division.parent_code,
        province_code=division.province_code,
        is_grouping=division.is_grouping,
        valid_from=division.valid_from,
        valid_to=division.valid_to,
        full_name=full_name,
    )
