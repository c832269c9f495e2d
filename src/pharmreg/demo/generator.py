"""Deterministic, realistic-looking demo people and organisations (pure: no database)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from pharmreg.kit.codes import org_code_check_char, resident_id_check_char, uscc_check_char

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹"
    "霞香月莺媛瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓仪荷丹蓉眉君琴"
    "蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可"
    "舒影荔枝思丽浩宇鹏飞俊峰建国志强海波文斌晓东立新永胜德明国庆子轩雨泽博文梓涵一诺欣怡"
)
_USCC_BODY = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ROADS = (
    "人民",
    "解放",
    "中山",
    "建设",
    "和平",
    "新华",
    "朝阳",
    "迎宾",
    "健康",
    "幸福",
    "光明",
    "文化",
    "长江",
    "滨江",
    "东风",
)
_SHOP_WORDS = (
    "康宁",
    "仁和",
    "百姓",
    "济民",
    "益丰",
    "同心",
    "永安",
    "安康",
    "惠民",
    "德仁",
    "瑞康",
    "华康",
    "万家",
    "国泰",
)
_CHAINS = ("大参林", "老百姓", "一心堂", "益丰", "海王星辰", "国大药房", "漱玉平民", "健之佳")


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    id_number: str
    sex: str
    birth_date: date
    mobile: str


@dataclass(frozen=True, slots=True)
class Organisation:
    uscc: str
    name: str
    unit_type: str
    licence_no: str
    licence_valid_until: date
    division_code: str
    address: str
    principal: str


def chinese_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def mobile(rng: random.Random) -> str:
    return rng.choice(
        ("133", "135", "136", "138", "139", "150", "152", "158", "177", "186", "189")
    ) + "".join(rng.choice("0123456789") for _ in range(8))


def resident_id(rng: random.Random, division_code: str, birth: date, sex: str) -> str:
    order = rng.randrange(0, 500) * 2 + (1 if sex == "M" else 0)  # odd for men, even for women
    first17 = f"{division_code}{birth:%Y%m%d}{order:03d}"
    return first17 + resident_id_check_char(first17)


def person(rng: random.Random, division_code: str, *, name: str | None = None, today: date) -> Person:
    sex = rng.choice(("M", "F"))
    birth = date(1960, 1, 1) + timedelta(days=rng.randrange(0, (date(2001, 12, 31) - date(1960, 1, 1)).days))
    birth = min(birth, today - timedelta(days=365 * 22))
    return Person(
        name=name or chinese_name(rng),
        id_number=resident_id(rng, division_code, birth, sex),
        sex=sex,
        birth_date=birth,
        mobile=mobile(rng),
    )


def uscc(rng: random.Random, division_code: str, *, public_institution: bool = False) -> str:
    """A unified social credit code with valid organisation-code and overall check characters."""
    body8 = "".join(rng.choice(_USCC_BODY) for _ in range(8))
    org = body8 + org_code_check_char(body8)
    prefix = "12" if public_institution else "91"
    first17 = prefix + division_code + org
    return first17 + uscc_check_char(first17)


def organisation(
    rng: random.Random,
    *,
    unit_type: str,
    division_code: str,
    place: str,
    city: str,
    province_abbr: str,
    today: date,
) -> Organisation:
    """A practice unit located at `place` (e.g. "广州市天河区") in the city `city`."""
    road = rng.choice(_ROADS)
    address = f"{place}{road}路{rng.randrange(1, 400)}号"
    serial = rng.randrange(1, 99999)
    city_short = city.removesuffix("市")
    if unit_type == "retail_chain_store":
        chain = rng.choice(_CHAINS)
        name = f"{chain}医药连锁有限公司{city_short}{road}路分店"
        licence = f"{province_abbr}CB{serial:07d}"
    elif unit_type == "retail":
        name = f"{place}{rng.choice(_SHOP_WORDS)}大药房有限公司"
        licence = f"{province_abbr}DA{serial:07d}"
    elif unit_type == "wholesale":
        name = f"{city_short}{rng.choice(_SHOP_WORDS)}医药有限公司"
        licence = f"{province_abbr}AA{serial:07d}"
    elif unit_type == "manufacturer":
        name = f"{city_short}{rng.choice(_SHOP_WORDS)}制药有限公司"
        licence = f"{province_abbr}{20_000_000 + serial}"
    else:
        name = f"{city_short}市第{rng.choice('一二三四五六七八')}人民医院"
        licence = f"PDY{serial:05d}{division_code}A1001"
    valid_until = today + timedelta(days=rng.randrange(-60, 5 * 365))
    return Organisation(
        uscc=uscc(rng, division_code, public_institution=unit_type == "medical"),
        name=name,
        unit_type=unit_type,
        licence_no=licence,
        licence_valid_until=valid_until,
        division_code=division_code,
        address=address,
        principal=chinese_name(rng),
    )


# Cities whose local numbers have eight digits behind a four-digit area code (the rest: seven).
_EIGHT_DIGIT_AREAS = frozenset(
    (
        *("0755", "0757", "0769", "0760", "0512", "0510", "0519", "0571", "0574", "0577", "0591", "0592"),
        *("0531", "0532", "0371", "0311", "0551", "0731", "0791", "0851", "0871", "0898", "0931", "0951"),
        "0991",
    )
)
_STREET_KINDS = ("路", "大道", "街", "中路", "东路", "西路")


def landline(rng: random.Random, area_code: str) -> str:
    """A fixed-line number of a city: "020-37886011", "0756-2215307"."""
    length = 8 if len(area_code) == 3 or area_code in _EIGHT_DIGIT_AREAS else 7
    first = rng.choice("2345678")
    return f"{area_code}-{first}{''.join(rng.choice('0123456789') for _ in range(length - 1))}"


def street_address(rng: random.Random, place: str) -> str:
    """An address in `place` (e.g. "广州市天河区"): road and number, and sometimes a building."""
    road = rng.choice(_ROADS) + rng.choice(_STREET_KINDS)
    address = f"{place}{road}{rng.randrange(1, 999)}号"
    if rng.random() < 0.3:
        address += f"{rng.choice('一二三四五六七八')}号楼"
    return address


def bureau_email(slug: str, division_code: str, level: int) -> str:
    """A mailbox on a demo government domain (the reserved suffix .example marks it as demo)."""
    if level == 1:
        return f"zyyszc@mpa.{slug}.gov.example"
    return f"scjgj{division_code}@{slug}.gov.example"
