"""Build tenants/reference/area_codes.tsv: the telephone area code (长途区号) of each city.

Usage: python ops/reference/build_area_codes.py PATH_TO_PHONENUMBERS_PACKAGE

The source is the geocoding data of the PyPI package `phonenumbers` (Google's libphonenumber,
Apache 2.0): its Chinese fixed-line prefixes ("86" + area code) and their place names. Each
name is recognised with the platform's own address recognition; the demo data uses the table
for realistic bureau telephone numbers. Run from the project root.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from pharmreg.divisions import DivisionIndex, DivisionRead, parse_division_file
from pharmreg.divisions.models import Division

ROOT = Path(__file__).resolve().parents[2]


def _geodata(package: Path) -> dict[str, dict[str, str]]:
    """The package's geocoding table, read from its files (the package is not installed)."""
    sys.path.insert(0, str(package.parent))
    found: dict[str, dict[str, str]] = {}
    for path in sorted((package / "geodata").glob("data*.py")):
        module = importlib.import_module(f"{package.name}.geodata.{path.stem}")
        found.update(module.data)
    return found


# City -> area code where the source's names do not resolve (a misspelling, a merged code).
SUPPLEMENT = {
    "430200": "0731",  # 株洲市 (the source writes 株州), shares Changsha's code since 2007
    "410200": "0371",  # 开封市, joined Zhengzhou's code in 2015
    "620200": "0937",  # 嘉峪关市, shares Jiuquan's
    "341600": "0558",  # 亳州市
    "460300": "0898",  # 三沙市, Hainan's single code
    "460400": "0898",  # 儋州市
    # Listed by the source under a two-digit prefix only ("8633": 河北省秦皇岛市).
    "130300": "0335",  # 秦皇岛市
    "140600": "0349",  # 朔州市
    "330900": "0580",  # 舟山市
    "360600": "0701",  # 鹰潭市
    "450800": "0775",  # 贵港市
    "451100": "0774",  # 贺州市
    "451300": "0772",  # 来宾市
    "620300": "0935",  # 金昌市
    # The Corps' cities, not in the source: each dials the code of the prefecture around it.
    "659002": "0997",  # 阿拉尔市 (阿克苏)
    "659003": "0998",  # 图木舒克市 (喀什)
    "659004": "0994",  # 五家渠市 (昌吉)
    "659005": "0906",  # 北屯市 (阿勒泰)
    "659006": "0996",  # 铁门关市 (巴音郭楞)
    "659007": "0909",  # 双河市 (博尔塔拉)
    "659008": "0999",  # 可克达拉市 (伊犁)
    "659009": "0903",  # 昆玉市 (和田)
    "659010": "0992",  # 胡杨河市 (塔城地区乌苏)
    "659011": "0902",  # 新星市 (哈密)
    "659012": "0901",  # 白杨市 (塔城)
}
MUNICIPALITIES = ("11", "12", "31", "50")


def _places(index: DivisionIndex, text: str) -> list[DivisionRead]:
    """The cities a source name stands for: "辽宁省沈阳市、铁岭市、抚顺市" names three."""
    parts = [p for p in text.split("、") if p]
    if not parts:
        return []
    first = index.resolve(parts[0]).division
    if first is None:
        return []
    province = index.get(first.code[:2] + "0000")
    found = []
    for number, part in enumerate(parts):
        division = (
            first if number == 0 else index.resolve((province.name if province else "") + part).division
        )
        if division is None:
            continue
        if division.level == 1 and division.code[:2] not in MUNICIPALITIES:
            rest = index.resolve(part).remainder if number else index.resolve(parts[0]).remainder
            # "四川阿坝": a prefecture named by the first characters of its name
            cities = [
                c
                for c in index.cities_of(division.code)
                if rest and len(rest) >= 2 and c.name.startswith(rest)
            ]
            if len(cities) != 1:
                continue
            division = cities[0]
        if division.level == 3 and division.parent_code and not division.code.startswith("659"):
            parent = index.get(division.parent_code)
            division = parent if parent is not None and not parent.is_grouping else division
        found.append(division)
    return found


def main() -> None:
    package = Path(sys.argv[1])
    rows, _ = parse_division_file(ROOT / "tenants" / "reference" / "divisions.tsv")
    index = DivisionIndex([Division(**row) for row in rows])
    codes: dict[str, str] = {}
    for prefix, names in _geodata(package).items():
        digits = prefix[2:]
        # Fixed-line area codes only: 10, 2x (two digits), 3xx-9xx (three); not mobile prefixes.
        if not prefix.startswith("86") or not (
            (len(digits) == 2 and digits[0] in "12") or (len(digits) == 3 and digits[0] in "3456789")
        ):
            continue
        for division in _places(index, names.get("zh", "")):
            codes.setdefault(division.code, "0" + digits)
    # Cities the source names differently or not at all (codes merged into a neighbour's).
    for code, area in SUPPLEMENT.items():
        codes.setdefault(code, area)
    out = ROOT / "tenants" / "reference" / "area_codes.tsv"
    with out.open("w", encoding="utf-8") as handle:
        handle.write("division\tarea_code\n")
        for code in sorted(codes):
            handle.write(f"{code}\t{codes[code]}\n")
    print(f"{len(codes)} places with an area code -> {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
