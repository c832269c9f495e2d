"""Resident population of each province, for the figures "per 10,000 residents".

Source: 国家统计局《第七次全国人口普查公报（第三号）——地区人口情况》(11 May 2021), resident
population (常住人口) at 1 November 2020, 31 provinces; the 新疆生产建设兵团 figure is from
《新疆生产建设兵团第七次全国人口普查公报》(3,249,400), which the Xinjiang figure (25,852,345)
includes: Xinjiang's own province here is the rest (22,602,945), so that no resident counts
twice. The national total is the sum of the 31 provinces, 1,409,778,724 (the census total of
1,411,778,724 also counts the 2,000,000 active service members, who belong to no province).
"""

from __future__ import annotations

CENSUS_2020_SOURCE = "常住人口：第七次全国人口普查（2020 年 11 月 1 日）"

# Province division code (GB/T 2260) -> resident population.
POPULATION_2020: dict[str, int] = {
    "110000": 21893095,
    "120000": 13866009,
    "130000": 74610235,
    "140000": 34915616,
    "150000": 24049155,
    "210000": 42591407,
    "220000": 24073453,
    "230000": 31850088,
    "310000": 24870895,
    "320000": 84748016,
    "330000": 64567588,
    "340000": 61027171,
    "350000": 41540086,
    "360000": 45188635,
    "370000": 101527453,
    "410000": 99365519,
    "420000": 57752557,
    "430000": 66444864,
    "440000": 126012510,
    "450000": 50126804,
    "460000": 10081232,
    "500000": 32054159,
    "510000": 83674866,
    "520000": 38562148,
    "530000": 47209277,
    "540000": 3648100,
    "610000": 39528999,
    "620000": 25019831,
    "630000": 5923957,
    "640000": 7202654,
    "650000": 25852345 - 3249400,
    "660000": 3249400,
}
NATIONAL_POPULATION_2020 = sum(POPULATION_2020.values())


def per_10k(count: int, population: int | None) -> float | None:
    """Count per 10,000 residents, one decimal; None where the population is unknown."""
    if not population:
        return None
    return round(count * 10000 / population, 2)
