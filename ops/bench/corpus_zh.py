"""A real Simplified-Chinese article corpus for the search benchmarks (standard library only).

Source: four Debian 12 (bookworm) documentation packages, fetched by name with `apt-get download`
(the only external step: it needs the apt package lists, so run `apt-get update` once) and
unpacked here in pure Python (ar archive, data.tar.xz or .gz):

    package                  content                                    licence
    manpages-zh              Chinese man pages (zh_CN only)             GFDL-1.2+
    libreoffice-help-zh-cn   LibreOffice 7.4 help (zh-CN)               MPL-2.0
    debian-reference-zh-cn   Debian Reference (zh-CN)                   GPL-2+
    debian-handbook          Debian Administrator's Handbook (zh-CN)    GPL-2.0+ or CC-BY-SA-3.0

Human-translated technical Chinese with Latin identifiers mixed in, not pharmacy texts: none of
the pharmacy queries occurs in it, so for them a benchmark only sees false positives. Each
document is split into paragraphs; paragraphs less than 25% CJK (of non-blank characters) are
dropped; consecutive kept paragraphs are packed into articles of 300-3,000 characters (seeded
lognormal length, median about 500). Title: the document's title and the nearest heading.
Deterministic for the same packages. This gives only 4,173 articles (4,170 distinct bodies,
2.5 M characters): `load_articles(10000)` repeats them (titles of copies end in " #k"), so
10,000 rows have the size of 10,000 articles but each body occurs about 2.4 times (ratios such
as precision and recall are unaffected, absolute match counts are).

The .deb files and the packed articles are cached in var/bench-corpus/ (git-ignored); after the
first run everything works offline. Summary of the corpus:
    .venv/bin/python ops/bench/corpus_zh.py
"""

from __future__ import annotations

import gzip
import html.parser
import io
import json
import lzma
import random
import re
import statistics
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

CACHE = Path(__file__).resolve().parents[2] / "var" / "bench-corpus"
ARTICLES = CACHE / "articles.jsonl.gz"
PACKAGES = ("manpages-zh", "libreoffice-help-zh-cn", "debian-reference-zh-cn", "debian-handbook")
CORPUS_VERSION = 1
SEED = 20240601

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_BLANK = re.compile(r"\s+")

Paragraphs = list[tuple[str, str]]  # (heading, text)


def cjk_ratio(text: str) -> float:
    """Share of CJK characters among the non-blank characters of `text`."""
    dense = _BLANK.sub("", text)
    return len(_CJK.findall(dense)) / len(dense) if dense else 0.0


# --------------------------------------------------------------------------- fetching


def _deb(package: str) -> Path | None:
    found = sorted(CACHE.glob(f"{package}_*.deb"))
    return found[-1] if found else None


def fetch_debs() -> list[Path]:
    """The packages' .deb files, downloaded with apt-get into the cache when missing."""
    CACHE.mkdir(parents=True, exist_ok=True)
    missing = [p for p in PACKAGES if _deb(p) is None]
    if missing:
        done = subprocess.run(
            ["apt-get", "download", *missing], cwd=CACHE, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"apt-get download {' '.join(missing)} failed (apt-get update?):\n{done.stderr}"
            )
    debs = [_deb(p) for p in PACKAGES]
    absent = [p for p, d in zip(PACKAGES, debs, strict=True) if d is None]
    if absent:
        raise RuntimeError(f"apt-get download left no .deb for {absent}")
    return [d for d in debs if d is not None]


def deb_files(deb: Path) -> Iterator[tuple[str, bytes]]:
    """(path, content) of every regular file in a .deb's data archive."""
    with deb.open("rb") as f:
        if f.read(8) != b"!<arch>\n":
            raise ValueError(f"{deb} is not an ar archive")
        while len(header := f.read(60)) == 60:
            name = header[:16].decode().strip().rstrip("/")
            size = int(header[48:58].decode().strip())
            data = f.read(size)
            if size % 2:
                f.read(1)
            if not name.startswith("data.tar"):
                continue
            if name.endswith(".xz"):
                data = lzma.decompress(data)
            elif name.endswith(".gz"):
                data = gzip.decompress(data)
            elif not name.endswith(".tar"):
                raise ValueError(f"{deb}: {name} is not supported (xz or gz only)")
            with tarfile.open(fileobj=io.BytesIO(data)) as archive:
                for member in archive:
                    extracted = archive.extractfile(member) if member.isfile() else None
                    if extracted is not None:
                        yield member.name.removeprefix("./"), extracted.read()
            return


# --------------------------------------------------------------------------- parsing

_ROFF_ESCAPES = [
    (re.compile(r"\\f(\(..|\[[^\]]*\]|.)"), ""),  # font changes
    (re.compile(r"\\s[+-]?\d+"), ""),  # size changes
    (re.compile(r"\\\*(\(..|\[[^\]]*\]|.)"), ""),  # strings
    (re.compile(r"\\\(em|\\\(en"), "—"),
    (re.compile(r"\\\((lq|rq)"), '"'),
    (re.compile(r"\\\(..|\\\[[^\]]*\]"), ""),
    (re.compile(r"\\[,/&%:|^]"), ""),
    (re.compile(r"\\-"), "-"),
    (re.compile(r"\\e"), r"\\"),
    (re.compile(r"\\ "), " "),
    (re.compile(r"\\(.)"), r"\1"),
]
_ROFF_REQUEST = re.compile(r"\.(\w+)\s*(.*)")
_ROFF_BREAKS = {"PP", "P", "LP", "TP", "IP", "sp", "br", "HP", "RS", "RE", "nf", "fi"}
_ROFF_FONTS = {"B", "I", "BR", "IR", "RB", "RI", "BI", "IB", "SM"}
_NAME_SECTIONS = {"NAME", "名称", "名字", "名 称"}


def _unroff(text: str) -> str:
    for pattern, replacement in _ROFF_ESCAPES:
        text = pattern.sub(replacement, text)
    return text.strip()


def parse_man(source: str) -> tuple[str, Paragraphs]:
    """Title and paragraphs of a man page in roff."""
    title, heading, in_name = "", "", False
    paragraphs: Paragraphs = []
    current: list[str] = []

    def flush() -> None:
        if current:
            paragraphs.append((heading, " ".join(current)))
            current.clear()

    for line in source.splitlines():
        if line.startswith(('.\\"', "'\\\"")):
            continue
        if line.startswith("."):
            match = _ROFF_REQUEST.match(line)
            if not match:
                continue
            request, argument = match.group(1), _unroff(match.group(2).replace('"', ""))
            if request in ("SH", "SS"):
                flush()
                heading, in_name = argument, argument.upper() in _NAME_SECTIONS
            elif request in _ROFF_BREAKS:
                flush()
                if request == "IP" and argument:
                    current.append(argument)
            elif request in _ROFF_FONTS and argument:
                current.append(argument)
            elif request == "TH" and not title and argument:
                title = argument.split()[0]
            continue
        text = _unroff(line)
        if text:
            if in_name and not current:
                title = text
            current.append(text)
    flush()
    return title, paragraphs


class _HtmlText(html.parser.HTMLParser):
    """Block-level paragraphs of an HTML page, each with the heading it stands under."""

    BLOCKS = frozenset(
        {"p", "li", "td", "th", "pre", "dt", "dd", "div", "tr", "br", "table", "blockquote"}
        | {"h1", "h2", "h3", "h4", "h5", "h6"}
    )
    SKIPPED = frozenset({"script", "style", "header", "aside", "nav", "noscript", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title, self.heading = "", ""
        self.paragraphs: Paragraphs = []
        self.buffer: list[str] = []
        self.skipping, self.in_heading, self.in_title = 0, False, False

    def flush(self) -> None:
        text = _BLANK.sub(" ", "".join(self.buffer)).strip()
        self.buffer = []
        if not text:
            return
        if self.in_heading:
            self.heading = text
            self.title = self.title or text
        else:
            self.paragraphs.append((self.heading, text))

    @staticmethod
    def _is_heading(tag: str) -> bool:
        return tag[0] == "h" and tag[1:].isdigit()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag == "title":
            self.in_title = True
        elif tag in self.BLOCKS:
            self.flush()
            self.in_heading = self.in_heading or self._is_heading(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "title":
            self.in_title = False
        elif tag in self.BLOCKS:
            self.flush()
            if self._is_heading(tag):
                self.in_heading = False

    def handle_data(self, data: str) -> None:
        if self.in_title and not self.title:
            self.title = data.strip()
        elif not self.skipping:
            self.buffer.append(data)


def parse_html(source: str) -> tuple[str, Paragraphs]:
    """Title and paragraphs of an HTML page."""
    parser = _HtmlText()
    parser.feed(source)
    parser.flush()
    return parser.title, parser.paragraphs


def _is_chinese_html(path: str) -> bool:
    return path.endswith(".html") and (
        "/help/zh-CN/text/" in path
        or ("/debian-reference/" in path and ".zh-cn." in path)
        or "/debian-handbook/html/zh-CN/" in path
    )


def documents(debs: list[Path]) -> Iterator[tuple[str, str, Paragraphs]]:
    """(path, title, paragraphs) of every Chinese document in the packages."""
    for deb in debs:
        for path, data in sorted(deb_files(deb)):
            if "/man/zh_CN/" in path and path.endswith(".gz"):
                yield path, *parse_man(gzip.decompress(data).decode("utf-8", "replace"))
            elif _is_chinese_html(path):
                yield path, *parse_html(data.decode("utf-8", "replace"))


def pack(debs: list[Path], seed: int = SEED) -> list[tuple[str, str, str]]:
    """(title, body, source path) of articles of 300-3,000 characters, shuffled (seeded)."""
    rng = random.Random(seed)
    articles: list[tuple[str, str, str]] = []
    for path, title, found in documents(debs):
        paragraphs = [(h, t) for h, t in found if len(t) >= 8 and cjk_ratio(t) >= 0.25]
        i = 0
        while i < len(paragraphs):
            target = min(3000, max(300, int(rng.lognormvariate(6.4, 0.6))))
            heading, body, length = paragraphs[i][0], [], 0
            while i < len(paragraphs) and length < target:
                body.append(paragraphs[i][1])
                length += len(paragraphs[i][1])
                i += 1
            text = "\n".join(body)[:3000]
            previous = articles[-1] if articles else None
            if len(text) < 300 and previous and previous[2] == path and len(previous[1]) + len(text) <= 3000:
                articles[-1] = (previous[0], f"{previous[1]}\n{text}", path)  # a short tail joins its piece
                continue
            if len(text) < 150:
                continue
            name = title or path.rsplit("/", 1)[-1]
            if heading and heading != name:
                name = f"{name} · {heading}"
            articles.append((name[:200], text, path))
    rng.shuffle(articles)  # so that any prefix mixes every source
    return articles


# --------------------------------------------------------------------------- cache


def build() -> Path:
    """Fetch, unpack and pack the corpus into the cache file."""
    debs = fetch_debs()
    articles = pack(debs)
    partial = ARTICLES.with_suffix(".tmp")
    with gzip.open(partial, "wt", encoding="utf-8") as f:
        f.write(json.dumps({"version": CORPUS_VERSION, "debs": [d.name for d in debs]}) + "\n")
        for title, body, path in articles:
            f.write(json.dumps({"title": title, "body": body, "src": path}, ensure_ascii=False) + "\n")
    partial.replace(ARTICLES)
    return ARTICLES


def _cached() -> list[dict[str, str]] | None:
    if not ARTICLES.exists():
        return None
    with gzip.open(ARTICLES, "rt", encoding="utf-8") as f:
        if json.loads(f.readline()).get("version") != CORPUS_VERSION:
            return None
        return [json.loads(line) for line in f]


def unique_articles() -> list[dict[str, str]]:
    """Every packed article once: {"title", "body", "src"}, built on first use."""
    rows = _cached()
    if rows is None:
        build()
        rows = _cached()
    assert rows is not None
    return rows


def load_articles(n: int) -> list[tuple[str, str]]:
    """The first n articles (title, body); past the 4,170 unique ones, copies titled " #k"."""
    rows = unique_articles()
    out = [(r["title"], r["body"]) for r in rows[:n]]
    copy = 1
    while len(out) < n:
        out += [(f"{r['title']} #{copy}", r["body"]) for r in rows[: n - len(out)]]
        copy += 1
    return out


def main() -> None:
    rows = unique_articles()
    lengths = sorted(len(r["body"]) for r in rows)
    sources: dict[str, int] = {}
    for r in rows:
        key = r["src"].split("/")[2] if r["src"].startswith("usr/share/") else r["src"]
        sources[key] = sources.get(key, 0) + 1
    cjk = sum(len(_CJK.findall(r["body"])) for r in rows) / sum(lengths)
    print(
        f"{len(rows)} unique articles in {ARTICLES}; body characters median {statistics.median(lengths):.0f},"
        f" p10 {lengths[len(lengths) // 10]}, p90 {lengths[9 * len(lengths) // 10]}, total {sum(lengths)};"
        f" CJK share {cjk:.2f}"
    )
    print("by source:", sources)
    for title, body in load_articles(2):
        print("---", title, "\n", body[:200])


if __name__ == "__main__":
    main()
