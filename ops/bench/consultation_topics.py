"""Benchmark: the terms and groups of consultations (咨询监管's common questions), two ways.

Compared on a labelled set of consultation questions (templates of what the public asks, each
filled with varied wording, filler and noise such as a mobile number; the template is the true
group), and on the real Chinese corpus of ops/bench/corpus_zh.py for speed:

- lexicon: `pharmreg.kit.question_terms.top_terms` (segments split at function characters, cut
  by forward maximum matching against the trade lexicon, unknown stretches as bigrams), as the
  provinces compute it for the national facts;
- bigram: the same ranking over plain CJK bigrams without function characters, the unit of the
  project's article search (`pharmreg.publishing.search`).

Printed per method: questions in a group (coverage), purity of the groups (share of each group's
largest true template), number of groups; retrieval by the stored terms against the bigram
phrase search (a term's questions found through the `terms` array versus every question whose
text contains the term, which is what `query_literal` finds): precision and recall; digits in
terms (must be 0); and extraction speed (questions per second, corpus articles per second).

Run: .venv/bin/python ops/bench/consultation_topics.py [--n 5000] [--corpus 2000]
(--corpus 0 skips the corpus; it needs var/bench-corpus, see corpus_zh.py).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pharmreg.kit.question_terms import group_key, top_terms

SEED = 20261208
# (topic, title variants, body variants): one template is one true group of similar questions.
TEMPLATES = [
    (
        "continuing_education",
        ["继续教育学分查询", "学分怎么查", "继续教育学分"],
        ["继续教育学分在哪里查询", "请问继续教育的学分怎么查询", "我的继续教育学分查不到"],
    ),
    (
        "registration",
        ["变更注册多久办结", "变更注册时间", "变更执业单位"],
        ["变更注册一般多久办结", "我换了执业单位，变更注册要多久", "变更注册提交后多久能办好"],
    ),
    (
        "registration",
        ["首次注册材料", "首次注册需要什么", "注册材料清单"],
        ["首次注册需要准备哪些材料", "第一次注册要上传什么材料", "首次注册的材料有哪些要求"],
    ),
    (
        "system",
        ["忘记密码", "密码找回", "登录不了"],
        ["忘记密码怎么办", "密码忘了无法登录怎么找回", "登录时提示密码错误，怎么重置密码"],
    ),
    (
        "exam",
        ["考试成绩有效期", "成绩多久有效", "考试成绩"],
        ["考试成绩的有效期是多久", "考过的科目成绩保留几年", "考试成绩几年内有效"],
    ),
    (
        "registration",
        ["注销注册", "如何注销", "注销注册申请"],
        ["离职后如何注销注册", "不在药店工作了怎么申请注销注册", "注销注册需要哪些手续"],
    ),
    (
        "system",
        ["上传材料格式", "照片上传失败", "扫描件格式"],
        ["上传材料有什么格式要求", "证书扫描件上传失败是格式问题吗", "照片上传提示格式不对"],
    ),
    (
        "registration",
        ["跨省变更", "外省执业单位", "跨省注册"],
        ["跨省变更执业单位向哪里申请", "去外省药店执业需要重新注册吗", "跨省变更注册怎么办理"],
    ),
    (
        "continuing_education",
        ["施教机构", "在哪里学习", "继续教育机构"],
        ["继续教育在哪些施教机构学习", "继续教育去哪个机构学", "施教机构的学分全国互认吗"],
    ),
    (
        "registration",
        ["延续注册", "注册证到期", "有效期到期"],
        ["注册证有效期到期怎么延续注册", "延续注册要提前多久申请", "注册过期了还能延续注册吗"],
    ),
]
FILLER = ["", "谢谢！", "麻烦尽快回复。", "急，", "您好，", "我在广州，", "请帮忙看一下。"]


def labelled(n: int) -> list[tuple[int, str, str]]:
    """(template, title, body) questions with varied wording and noise."""
    rng = random.Random(SEED)
    questions = []
    for _ in range(n):
        k = rng.randrange(len(TEMPLATES))
        _topic, titles, bodies = TEMPLATES[k]
        body = rng.choice(FILLER) + rng.choice(bodies) + rng.choice(FILLER)
        if rng.random() < 0.2:
            body += f"电话1{rng.randrange(30, 99)}{rng.randrange(10**7, 10**8)}"
        questions.append((k, rng.choice(titles), body))
    return questions


def evaluate(method: str, questions: list[tuple[int, str, str]]) -> dict[str, float]:
    started = time.perf_counter()
    terms = [top_terms(title, body, method=method) for _k, title, body in questions]
    elapsed = time.perf_counter() - started
    groups: dict[str, list[int]] = defaultdict(list)
    for i, found in enumerate(terms):
        key = group_key(found)
        if key is not None:
            groups[key].append(i)
    shown = {key: members for key, members in groups.items() if len(members) >= 3}
    grouped = sum(len(m) for m in shown.values())
    purity = (
        sum(Counter(questions[i][0] for i in members).most_common(1)[0][1] for members in shown.values())
        / grouped
        if grouped
        else 0.0
    )
    # Retrieval: the stored terms against the bigram phrase search (substring of title + body).
    frequent = Counter(t for found in terms for t in set(found)).most_common(20)
    precisions, recalls = [], []
    for term, _count in frequent:
        by_terms = {i for i, found in enumerate(terms) if term in found}
        by_search = {i for i, (_k, title, body) in enumerate(questions) if term in f"{title} {body}"}
        precisions.append(len(by_terms & by_search) / len(by_terms) if by_terms else 1.0)
        recalls.append(len(by_terms & by_search) / len(by_search) if by_search else 1.0)
    digits = sum(any(ch.isdigit() for ch in t) for found in terms for t in found)
    return {
        "coverage": grouped / len(questions),
        "purity": purity,
        "groups": len(shown),
        "templates": len(TEMPLATES),
        "precision": statistics.mean(precisions),
        "recall": statistics.mean(recalls),
        "digits": digits,
        "per_second": len(questions) / elapsed,
        "sample": ", ".join(sorted(shown, key=lambda k: -len(shown[k]))[:5]),
    }


def corpus_speed(method: str, n: int) -> float | None:
    try:
        from corpus_zh import load_articles
    except ImportError:
        return None
    try:
        articles = load_articles(n)
    except Exception as exc:  # the corpus needs apt's package lists once; say so and go on
        print(f"  (corpus not available: {exc})")
        return None
    started = time.perf_counter()
    for article in articles:
        top_terms(article.title, article.body, method=method)
    return len(articles) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=5000, help="labelled questions")
    parser.add_argument(
        "--corpus", type=int, default=0, help="corpus articles for the speed figure (0: skip)"
    )
    args = parser.parse_args()
    questions = labelled(args.n)
    print(f"{args.n} labelled questions from {len(TEMPLATES)} templates (seed {SEED})")
    print(
        f"{'method':8} {'coverage':>9} {'purity':>7} {'groups':>7} {'prec.':>6} {'recall':>7}"
        f" {'digits':>7} {'q/s':>9}"
    )
    for method in ("lexicon", "bigram"):
        r = evaluate(method, questions)
        print(
            f"{method:8} {r['coverage']:9.1%} {r['purity']:7.1%} {r['groups']:7d} {r['precision']:6.1%}"
            f" {r['recall']:7.1%} {r['digits']:7d} {r['per_second']:9.0f}"
        )
        print(f"         largest groups: {r['sample']}")
        if args.corpus:
            speed = corpus_speed(method, args.corpus)
            if speed is not None:
                print(f"         corpus: {speed:.0f} articles/s")


if __name__ == "__main__":
    main()
