"""The main terms of a short Chinese question, for counting what the public asks about.

A question is cut into runs of CJK characters (as the articles' bigram search does,
`pharmreg.publishing.search`); each run is split at function characters (的, 吗, 怎么, 请问 …)
into segments; a segment is cut by forward maximum matching against a small lexicon of the
registration's own words (执业药师, 继续教育, 注册证 …), and what the lexicon does not know is cut
into overlapping bigrams. Terms are ranked by weight (the title counts twice) then by first
position. Only CJK terms are kept: digits and Latin letters (a mobile number, an ID number,
a query code) never become terms. `ops/bench/consultation_topics.py` measures this method
against plain bigrams.
"""

from __future__ import annotations

import re

_CJK_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")

# Words of the trade, longest first when matched; anything else falls back to bigrams.
LEXICON = frozenset(
    {
        "执业药师",
        "药师",
        "执业",
        "注册",
        "首次注册",
        "变更注册",
        "延续注册",
        "注销注册",
        "注销",
        "变更",
        "延续",
        "补办",
        "注册证",
        "证书",
        "电子证书",
        "执业单位",
        "执业范围",
        "执业类别",
        "类别",
        "范围",
        "继续教育",
        "学分",
        "学时",
        "考试",
        "成绩",
        "报名",
        "资格",
        "职业资格",
        "资格证书",
        "材料",
        "证明",
        "身份证",
        "照片",
        "扫描件",
        "上传",
        "格式",
        "密码",
        "忘记密码",
        "验证码",
        "手机号",
        "登录",
        "账号",
        "系统",
        "网上申报",
        "申报",
        "审核",
        "审批",
        "受理",
        "进度",
        "办理",
        "办结",
        "时限",
        "工作日",
        "退回",
        "补正",
        "驳回",
        "药店",
        "零售药店",
        "药房",
        "医院",
        "医疗机构",
        "批发",
        "企业",
        "单位",
        "社保",
        "劳动合同",
        "在职",
        "离职",
        "退休",
        "挂证",
        "多点执业",
        "跨省",
        "转出",
        "转入",
        "外省",
        "省局",
        "市局",
        "投诉",
        "效率",
        "态度",
        "服务",
        "电话",
        "收费",
        "处罚",
        "信用",
        "公示",
        "查询",
        "有效期",
        "到期",
        "过期",
        "健康",
        "承诺",
        "学历",
        "专业",
        "中药",
        "西药",
        "药学",
        "中药学",
        "临床药学",
        "施教机构",
        "互认",
        "全国",
        "网站",
        "页面",
        "打印",
        "邮寄",
        "领取",
        "快递",
        "名称",
        "地址",
        "法人",
        "负责人",
    }
)
_LONGEST = max(len(w) for w in LEXICON)

# Characters that carry no topic: a segment ends at them.
STOP_CHARS = frozenset(
    "的了吗呢啊吧么呀哦嗯是我你您他她它们这那哪些什怎样请问能否要需会可以和与及或在有就都也还很又把被"
    "将对于从到给一个没不如何为啥谁吧几多少该应得过着每已再才并且但而因所若想说做用让去来"
)
MAX_TERMS = 6


def _segments(text: str) -> list[str]:
    """Runs of CJK characters split at the stop characters; one-character pieces dropped."""
    pieces: list[str] = []
    for run in _CJK_RUN.findall(text):
        current = ""
        for ch in run:
            if ch in STOP_CHARS:
                if len(current) > 1:
                    pieces.append(current)
                current = ""
            else:
                current += ch
        if len(current) > 1:
            pieces.append(current)
    return pieces


def _cut(segment: str) -> list[str]:
    """Forward maximum matching against the lexicon; unknown stretches as overlapping bigrams."""
    words: list[str] = []
    unknown = ""
    i = 0

    def flush() -> None:
        if len(unknown) == 2 or len(unknown) > 2:
            words.extend(unknown[j : j + 2] for j in range(len(unknown) - 1))

    while i < len(segment):
        for size in range(min(_LONGEST, len(segment) - i), 1, -1):
            if segment[i : i + size] in LEXICON:
                flush()
                unknown = ""
                words.append(segment[i : i + size])
                i += size
                break
        else:
            unknown += segment[i]
            i += 1
    flush()
    return words


def lexicon_terms(text: str) -> list[str]:
    """Every term of `text` in order (with repeats)."""
    return [word for segment in _segments(text) for word in _cut(segment)]


def bigram_terms(text: str) -> list[str]:
    """Every overlapping CJK bigram of `text` without a stop character (the baseline method)."""
    found: list[str] = []
    for run in _CJK_RUN.findall(text):
        found.extend(
            run[i : i + 2]
            for i in range(len(run) - 1)
            if run[i] not in STOP_CHARS and run[i + 1] not in STOP_CHARS
        )
    return found


def top_terms(title: str, body: str, *, limit: int = MAX_TERMS, method: str = "lexicon") -> list[str]:
    """The `limit` main terms of a question: by weight (title twice), then first position."""
    cut = lexicon_terms if method == "lexicon" else bigram_terms
    weight: dict[str, int] = {}
    first: dict[str, int] = {}
    for position, term in enumerate([*cut(title), *cut(body)]):
        first.setdefault(term, position)
    for term in cut(title):
        weight[term] = weight.get(term, 0) + 2
    for term in cut(body):
        weight[term] = weight.get(term, 0) + 1
    ranked = sorted(weight, key=lambda t: (-weight[t], first[t]))
    return ranked[:limit]


def group_key(terms: list[str] | tuple[str, ...]) -> str | None:
    """Questions are grouped by their two main terms, in a fixed order; None with fewer."""
    if len(terms) < 2:
        return None
    a, b = sorted(terms[:2])
    return f"{a}·{b}"
