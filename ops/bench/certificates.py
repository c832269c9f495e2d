"""Benchmark: rendering registration certificates and notices to PDF (pharmreg.documents).

Renders N certificates with varied names, units and photos (one in ten without a photo), then N
notices of every kind, single-threaded, and prints documents per second, median and p99 time per
PDF and the average size. The first certificate of the process is timed apart (it loads the fonts).
With --threads it also renders the certificates from a thread pool, as worker threads call it.
No database needed.

Run: .venv/bin/python ops/bench/certificates.py [--count 200] [--threads 4]
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import TypeVar

from PIL import Image, ImageDraw

from pharmreg.documents import CertificateData, NoticeData, NoticeKind, render_certificate, render_notice

T = TypeVar("T")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高欧阳司马上官"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英建国晓梅志强海燕"
CITIES = ("广州市", "深圳市", "珠海市", "汕头市", "佛山市", "韶关市", "湛江市", "肇庆市", "江门市", "东莞市")
KINDS = ("大药房", "医药连锁有限公司", "人民医院药剂科", "中医院中药房", "医药有限公司", "药店")
AUTHORITY = "广东省药品监督管理局"
CHECK = "0123456789X"


def photo(rng: random.Random) -> bytes:
    image = Image.new("RGB", (413, 531), tuple(rng.randrange(80, 200) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    draw.ellipse((120, 90, 290, 300), fill=(235, 205, 175))
    draw.rectangle((80, 320, 330, 531), fill=tuple(rng.randrange(0, 90) for _ in range(3)))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=88)
    return buffer.getvalue()


def person(rng: random.Random) -> str:
    surname = rng.choice(("欧阳", "司马", "上官")) if rng.random() < 0.05 else rng.choice(SURNAMES[:20])
    return surname + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def unit(rng: random.Random) -> str:
    branch = f"第{rng.randrange(1, 300)}分店" if rng.random() < 0.5 else ""
    address = f"（{rng.choice(CITIES)}某某区某某路{rng.randrange(1, 999)}号）" if rng.random() < 0.3 else ""
    return f"{rng.choice(CITIES)}{person(rng)}{rng.choice(KINDS)}{branch}{address}"


def certificates(count: int, rng: random.Random) -> list[CertificateData]:
    photos = [photo(rng) for _ in range(8)]
    made = []
    for n in range(count):
        issued = date(2026, 1, 5) + timedelta(days=rng.randrange(330))
        number = f"ZY44{issued:%Y%m}{n:06d}"
        made.append(
            CertificateData(
                certificate_no=number,
                name=person(rng),
                sex=rng.choice("男女"),
                id_masked=f"44{rng.randrange(10, 99)}**********{rng.randrange(1000):03d}{rng.choice(CHECK)}",
                photo=None if n % 10 == 9 else rng.choice(photos),
                category=rng.choice(("药学", "中药学", "药学、中药学")),
                scope=rng.choice(("药品经营", "药品使用", "药品生产")),
                practice_unit=unit(rng),
                region="广东省",
                issuing_authority=AUTHORITY,
                issue_date=issued,
                valid_from=issued,
                valid_until=issued.replace(year=issued.year + 5) - timedelta(days=1),
                verification_url=f"https://gd.pharmreg.example.cn/verify/{number}?k={rng.getrandbits(48):012x}",
            )
        )
    return made


def notices(count: int, rng: random.Random) -> list[NoticeData]:
    reasons = (
        "身份证件复印件不清晰，请提供清晰的正反面复印件",
        "执业单位出具的在岗证明缺少单位公章",
        "未提交近六个月内二级以上医疗机构出具的健康证明",
        "继续教育学分证明不足",
    )
    kinds = list(NoticeKind)
    made = []
    for n in range(count):
        kind = kinds[n % len(kinds)]
        received = date(2026, 1, 5) + timedelta(days=rng.randrange(330))
        needs_items = kind in (NoticeKind.SUPPLEMENT, NoticeKind.NON_ACCEPTANCE, NoticeKind.REFUSAL)
        made.append(
            NoticeData(
                kind=kind,
                authority=AUTHORITY,
                document_no=f"粤药监执注〔2026〕{n:06d}号",
                applicant_name=person(rng),
                case_ref=f"GD-2026-{n:06d}",
                matter=rng.choice(("执业药师首次注册", "执业药师延续注册", "执业药师变更注册")),
                received_on=received,
                issued_on=received + timedelta(days=rng.randrange(1, 20)),
                items=tuple(rng.sample(reasons, rng.randrange(1, 5))) if needs_items else (),
                certificate_no=f"ZY44{n:010d}" if kind is NoticeKind.APPROVAL else None,
                valid_until=received.replace(year=received.year + 5) if kind is NoticeKind.APPROVAL else None,
                remedy_bodies="国家药品监督管理局或广东省人民政府",
                court="有管辖权的人民法院",
                deadline_days=5 if kind is NoticeKind.SUPPLEMENT else None,
            )
        )
    return made


def timed(render: Callable[[T], bytes], inputs: Sequence[T]) -> tuple[list[float], list[int], float]:
    """Seconds per document, bytes per document, and the wall time of the whole run."""
    seconds, sizes = [], []
    started = time.perf_counter()
    for item in inputs:
        before = time.perf_counter()
        sizes.append(len(render(item)))
        seconds.append(time.perf_counter() - before)
    return seconds, sizes, time.perf_counter() - started


def report(label: str, seconds: list[float], sizes: list[int], wall: float) -> None:
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"{label:<14} {len(seconds) / wall:7.1f} per s   median {statistics.median(ordered) * 1000:6.1f} ms"
        f"   p99 {p99 * 1000:6.1f} ms   average size {statistics.mean(sizes) / 1024:6.1f} KiB"
        f"   (n={len(seconds)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="documents of each sort (default 200)")
    parser.add_argument("--threads", type=int, default=0, help="also render from a pool of this size")
    args = parser.parse_args()
    rng = random.Random(7)
    certs, notes = certificates(args.count, rng), notices(args.count, rng)

    started = time.perf_counter()
    render_certificate(certs[0])
    cold = time.perf_counter() - started
    print(f"first certificate in this process (loads the fonts): {cold * 1000:.0f} ms")

    report("certificates", *timed(render_certificate, certs))
    report("notices", *timed(render_notice, notes))

    if args.threads:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.threads) as pool:
            sizes = [len(pdf) for pdf in pool.map(render_certificate, certs)]
        wall = time.perf_counter() - started
        print(f"certificates from {args.threads} threads: {len(sizes) / wall:7.1f} per s (n={len(sizes)})")


if __name__ == "__main__":
    main()
