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

# City division code -> resident population, from the provinces' own census bulletins (2021-05):
# 广东省统计局、江苏省统计局、四川省统计局《第七次全国人口普查公报（第二号）》; Beijing is one
# city-level division. Each province's cities add up to its census total.
CITY_POPULATION_2020: dict[str, int] = {
    # 北京
    "110100": 21_893_095,
    # 江苏
    "320100": 9_314_685, "320200": 7_462_135, "320300": 9_083_790, "320400": 5_278_121,
    "320500": 12_748_262, "320600": 7_726_635, "320700": 4_599_360, "320800": 4_556_230,
    "320900": 6_709_629, "321000": 4_559_797, "321100": 3_210_418, "321200": 4_512_762,
    "321300": 4_986_192,
    # 广东
    "440100": 18_676_605, "440200": 2_855_131, "440300": 17_560_061, "440400": 2_439_585,
    "440500": 5_502_031, "440600": 9_498_863, "440700": 4_798_090, "440800": 6_981_236,
    "440900": 6_174_050, "441200": 4_113_594, "441300": 6_042_852, "441400": 3_873_239,
    "441500": 2_672_819, "441600": 2_837_686, "441700": 2_602_959, "441800": 3_969_473,
    "441900": 10_466_625, "442000": 4_418_060, "445100": 2_568_387, "445200": 5_577_814,
    "445300": 2_383_350,
    # 四川
    "510100": 20_937_757, "510300": 2_489_256, "510400": 1_212_203, "510500": 4_254_149,
    "510600": 3_456_161, "510700": 4_868_243, "510800": 2_305_657, "510900": 2_814_196,
    "511000": 3_140_678, "511100": 3_160_168, "511300": 5_607_565, "511400": 2_955_219,
    "511500": 4_588_804, "511600": 3_254_883, "511700": 5_385_422, "511800": 1_434_603,
    "511900": 2_712_894, "512000": 2_308_631, "513200": 822_587, "513300": 1_107_431,
    "513400": 4_858_359,
}  # fmt: skip


def residents(division_code: str) -> int | None:
    """The 2020 resident population of a province or city, if known."""
    return POPULATION_2020.get(division_code) or CITY_POPULATION_2020.get(division_code)


def per_10k(count: int, population: int | None) -> float | None:
    """Count per 10,000 residents, one decimal; None where the population is unknown."""
    if not population:
        return None
    return round(count * 10000 / population, 2)
