"""Build tenants/reference/ip_provinces.tsv from the npm package ip2region (MIT).

The package's 8.7 MB `data/ip2region.db` maps IPv4 ranges to "country|area|province|city|ISP".
The portal only needs the mainland province of an address, so this keeps the ranges in the
31 provinces, merges neighbours with the same province, and writes a small sorted file.

Run (needs npm and network for the package, done once by a developer; the result is committed):
    .venv/bin/python ops/ipregion/build_ip_provinces.py [--version 2.3.0]
"""

from __future__ import annotations

import argparse
import io
import struct
import subprocess
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "tenants" / "reference" / "ip_provinces.tsv"
PROVINCES = {
    "北京": "11",
    "天津": "12",
    "河北省": "13",
    "山西省": "14",
    "内蒙古": "15",
    "辽宁省": "21",
    "吉林省": "22",
    "黑龙江省": "23",
    "上海": "31",
    "江苏省": "32",
    "浙江省": "33",
    "安徽省": "34",
    "福建省": "35",
    "江西省": "36",
    "山东省": "37",
    "河南省": "41",
    "湖北省": "42",
    "湖南省": "43",
    "广东省": "44",
    "广西": "45",
    "海南省": "46",
    "重庆": "50",
    "四川省": "51",
    "贵州省": "52",
    "云南省": "53",
    "西藏": "54",
    "陕西省": "61",
    "甘肃省": "62",
    "青海省": "63",
    "宁夏": "64",
    "新疆": "65",
}


def read_ranges(db: bytes) -> list[tuple[int, int, str]]:
    """(first, last, province code) of every mainland range, merged with same-province neighbours."""
    first, last = struct.unpack("<II", db[:8])
    merged: list[list[int | str]] = []
    for offset in range(first, last + 1, 12):
        start, end, pointer = struct.unpack("<III", db[offset : offset + 12])
        data_at, length = pointer & 0xFFFFFF, pointer >> 24
        country, _area, province, *_ = db[data_at + 4 : data_at + length].decode("utf-8").split("|")
        code = PROVINCES.get(province) if country == "中国" else None
        if code is None:
            continue
        if merged and merged[-1][2] == code and int(merged[-1][1]) + 1 == start:
            merged[-1][1] = end
        else:
            merged.append([start, end, code])
    return [(int(s), int(e), str(c)) for s, e, c in merged]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default="2.3.0")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            ["npm", "pack", f"ip2region@{args.version}"], cwd=folder, check=True, capture_output=True
        )
        archive = next(Path(folder).glob("ip2region-*.tgz"))
        with tarfile.open(archive) as tar:
            member = tar.extractfile("package/data/ip2region.db")
            assert member is not None, "the package no longer ships data/ip2region.db"
            db = io.BytesIO(member.read()).getvalue()
    ranges = read_ranges(db)
    lines = [f"# ip2region {args.version} (npm, MIT): mainland IPv4 ranges -> province code; see SOURCE.md"]
    lines += [f"{start:08x}\t{end:08x}\t{code}" for start, end, code in ranges]
    TARGET.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(ranges)} ranges written to {TARGET.relative_to(ROOT)} ({TARGET.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
