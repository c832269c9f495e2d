"""Fonts and text setting: each character takes the first font of a chain that has its glyph."""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal, NamedTuple

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas as _ReportlabCanvas
from reportlab.platypus import Flowable

FONT_DIR = Path(__file__).with_name("fonts")
CJK_FONT = FONT_DIR / "DroidSansFallbackFull.ttf"
# Droid Sans Fallback has no Latin glyphs at all; reportlab ships Bitstream Vera for them.
LATIN_FONT = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
# Debian's fonts-hanazono: too large to commit, so it is read from the system when present.
HANAZONO_DIR = Path("/usr/share/fonts/truetype/hanazono")
FALLBACK_FILES = ("HanaMinA.ttf", "HanaMinB.ttf")

_CONTROL = re.compile(r"[\t\n\r\v\f]+")
# reportlab writes ToUnicode entries as bare code points ("<20BB7>"), which is invalid beyond
# the BMP, so text extraction and search lose characters such as 𠮷; PDF wants UTF-16BE there.
_WIDE_TO_UNICODE = re.compile(r"<([0-9A-F]{2})> <([0-9A-F]{5,6})>")

# Chinese line-breaking rules (避头尾): what may not start a line and what may not end one.
_NO_LINE_START = frozenset("，。、：；！？）》」』】〕〉’”…%‰℃·,.;:!?)]}")
_NO_LINE_END = frozenset("（《「『【〔〈‘“([{￥$")
_AFTER_DIGITS = frozenset("年月日号个项条款")

_registry_lock = threading.Lock()
# A face keeps one shared read cursor that moves while a subset is cut out of it, so two
# documents must not embed their fonts at the same time; layout before that runs in parallel.
_embedding_lock = threading.Lock()
_faces: dict[Path, _Face] = {}


class MissingGlyphError(ValueError):
    """Characters of a document's text that no available font can draw."""

    def __init__(self, characters: Iterable[str]) -> None:
        self.characters = tuple(dict.fromkeys(characters))
        listed = "、".join(f"「{c}」（U+{ord(c):04X}）" for c in self.characters)
        super().__init__(
            f"文书中的以下字符没有可用的字体，无法生成文书：{listed}。"
            "请核对所填写的文字；如确需使用这些字符，请联系系统管理员安装包含这些字符的字体。"
        )


@dataclass(frozen=True, slots=True)
class _Face:
    name: str
    glyphs: Mapping[int, int]


def _utf16(match: re.Match[str]) -> str:
    code = int(match.group(2), 16)
    units = chr(code).encode("utf-16-be").hex().upper()
    return f"<{match.group(1)}> <{units}>"


class _EmbeddedFont(TTFont):  # type: ignore[misc]
    """A TrueType font whose ToUnicode maps stay valid beyond the BMP."""

    def addObjects(self, doc: Any) -> None:
        super().addObjects(doc)
        for key, stream in doc.idToObject.items():
            if isinstance(key, str) and key.startswith("toUnicodeCMap:"):
                stream.content = _WIDE_TO_UNICODE.sub(_utf16, stream.content)


def pdf_date(day: date) -> Callable[..., str]:
    """A PDF date formatter stamping a document with its issue date, so equal input gives equal bytes."""
    stamp = f"D:{day:%Y%m%d}000000+08'00'"
    return lambda *_: stamp


class Canvas(_ReportlabCanvas):  # type: ignore[misc]
    """A reportlab canvas that embeds its font subsets under the process-wide lock."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The default initial font is Helvetica, which would be listed in every page, not embedded.
        kwargs["initialFontName"] = kwargs.get("initialFontName") or _face(CJK_FONT).name
        super().__init__(*args, **kwargs)

    def save(self) -> None:
        with _embedding_lock:
            super().save()


def _face(path: Path) -> _Face:
    """The font at path, registered with reportlab once per process."""
    path = path.resolve()
    with _registry_lock:
        face = _faces.get(path)
        if face is None:
            digest = hashlib.sha256(str(path).encode()).hexdigest()[:8]
            font = _EmbeddedFont(f"pharmreg-{path.stem}-{digest}", str(path), asciiReadable=False)
            pdfmetrics.registerFont(font)
            face = _faces[path] = _Face(font.fontName, font.face.charToGlyph)
    return face


class FontSet:
    """An ordered chain of fonts; the fallback files are only read when a character needs them."""

    def __init__(self, primary: Sequence[Path], fallback: Sequence[Path] = ()) -> None:
        self._primary = tuple(_face(path) for path in primary)
        self._fallback_paths = tuple(fallback)
        self._fallback: tuple[_Face, ...] | None = None
        self._chosen: dict[str, str | None] = {}
        self.main = self._primary[-1].name  # for reportlab's own defaults (table cells, page set-up)

    def _fallbacks(self) -> tuple[_Face, ...]:
        if self._fallback is None:
            self._fallback = tuple(_face(path) for path in self._fallback_paths)
        return self._fallback

    def font_for(self, char: str) -> str | None:
        """The name of the first font that has a glyph for char, or None."""
        try:
            return self._chosen[char]
        except KeyError:
            pass
        code = ord(char)
        chosen = next((face.name for face in self._primary if code in face.glyphs), None)
        if chosen is None:
            chosen = next((face.name for face in self._fallbacks() if code in face.glyphs), None)
        self._chosen[char] = chosen
        return chosen

    def runs(self, text: str) -> list[tuple[str, str]]:
        """Text split into (font name, run); raises MissingGlyphError if any character has no font."""
        text = _CONTROL.sub(" ", text)
        runs: list[tuple[str, str]] = []
        missing: list[str] = []
        for char in text:
            font = self.font_for(char)
            if font is None:
                missing.append(char)
            elif runs and runs[-1][0] == font:
                runs[-1] = (font, runs[-1][1] + char)
            else:
                runs.append((font, char))
        if missing:
            raise MissingGlyphError(missing)
        return runs

    def width(self, text: str, size: float) -> float:
        """The advance width of plain text at size points."""
        return sum(float(pdfmetrics.stringWidth(run, font, size)) for font, run in self.runs(text))

    def draw(
        self,
        canvas: Any,
        x: float,
        y: float,
        text: str,
        size: float,
        *,
        anchor: Literal["start", "middle", "end"] = "start",
        spacing: float = 0.0,
        bold: bool = False,
        color: Any = None,
    ) -> None:
        """Draw one line of plain text on a canvas; bold strokes the outlines (the fonts have no bold)."""
        runs = self.runs(text)
        count = sum(len(run) for _, run in runs)
        width = self.width(text, size) + spacing * max(count - 1, 0)
        start = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
        canvas.saveState()
        if color is not None:
            canvas.setFillColor(color)
            canvas.setStrokeColor(color)
        line = canvas.beginText(start, y)
        line.setCharSpace(spacing)
        if bold:
            line.setTextRenderMode(2)
            canvas.setLineWidth(size / 30)
        for font, run in runs:
            line.setFont(font, size)
            line.textOut(run)
        canvas.drawText(line)
        canvas.restoreState()


def load_fonts(fallback_dirs: Sequence[Path] = (HANAZONO_DIR,)) -> FontSet:
    """The bundled fonts, then HanaMinA/HanaMinB from the first of fallback_dirs holding each."""
    fallback = []
    for name in FALLBACK_FILES:
        found = next((d / name for d in fallback_dirs if (d / name).is_file()), None)
        if found is not None:
            fallback.append(found)
    return FontSet((LATIN_FONT, CJK_FONT), fallback)


@cache
def default_fonts() -> FontSet:
    """The font chain used when a caller passes none (fallbacks from the system font directory)."""
    return load_fonts()


class TextStyle(NamedTuple):
    """How a TextBlock sets its text."""

    size: float
    leading: float
    color: Any
    align: Literal["left", "center", "right", "justify"] = "left"
    indent: float = 0.0  # of the first line


class _Line(NamedTuple):
    text: str
    width: float
    first: bool
    last: bool


class TextBlock(Flowable):  # type: ignore[misc]
    """Plain text set in lines by Chinese rules, across fonts; user text is never read as markup.

    reportlab's CJK wrapping lets a line end on an opening bracket; this keeps 避头尾, keeps
    Latin words and numbers whole unless they are wider than a line, and justifies by spacing.
    """

    def __init__(self, fonts: FontSet, text: str, style: TextStyle, lines: list[_Line] | None = None) -> None:
        super().__init__()
        self.fonts, self.text, self.style = fonts, text, style
        fonts.runs(text)  # a missing glyph fails here, while the story is built
        self._units = _units(_CONTROL.sub(" ", text))
        self._lines = lines
        self._wrapped_width: float | None = None

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        if self._lines is None or (self._wrapped_width != available_width and self._units):
            self._lines = self._break(available_width)
            self._wrapped_width = available_width
        self.width = available_width
        self.height = len(self._lines) * self.style.leading
        return self.width, self.height

    @property
    def lines(self) -> list[str]:
        """The text of each line, as set by the last wrap."""
        return [line.text for line in self._lines or ()]

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        self.wrap(available_width, available_height)
        assert self._lines is not None
        # Neither a lone first line at the foot of a page nor a lone last line at the head of one.
        fit = min(int(available_height // self.style.leading), len(self._lines) - 2)
        if fit < 2:
            return []
        head = TextBlock(self.fonts, "", self.style, self._lines[:fit])
        tail = TextBlock(self.fonts, "", self.style, self._lines[fit:])
        return [head, tail]

    def draw(self) -> None:
        style = self.style
        assert self._lines is not None
        for index, line in enumerate(self._lines):
            # The em box centred in the line box; CJK faces put about 0.88 em above the baseline.
            baseline = (
                self.height - index * style.leading - (style.leading - style.size) / 2 - 0.88 * style.size
            )
            start = style.indent if line.first else 0.0
            room = self.width - start - line.width
            spacing = 0.0
            if style.align == "center":
                start += room / 2
            elif style.align == "right":
                start += room
            elif style.align == "justify" and not line.last and len(line.text) > 1 and room < 3 * style.size:
                spacing = room / (len(line.text) - 1)
            self.fonts.draw(
                self.canv, start, baseline, line.text, style.size, spacing=spacing, color=style.color
            )

    def _break(self, width: float) -> list[_Line]:
        """Greedy filling with units that stay whole (a word; a character with its punctuation)."""
        size, fonts = self.style.size, self.fonts
        texts: list[str] = []
        line, used, room = "", 0.0, width - self.style.indent

        def end_line() -> None:
            nonlocal line, used, room
            texts.append(line.rstrip())
            line, used, room = "", 0.0, width

        for unit in self._units:
            if unit == " " and not line:
                continue
            unit_width = fonts.width(unit, size)
            if used + unit_width > room and line:
                end_line()
                if unit == " ":
                    continue
            if unit_width <= room:
                line, used = line + unit, used + unit_width
                continue
            for char in unit:  # wider than a whole line (a long URL): cut anywhere
                char_width = fonts.width(char, size)
                if used + char_width > room and line:
                    end_line()
                line, used = line + char, used + char_width
        if line or not texts:
            texts.append(line.rstrip())
        return [
            _Line(text, fonts.width(text, size), index == 0, index == len(texts) - 1)
            for index, text in enumerate(texts)
        ]


def _units(text: str) -> list[str]:
    """Text cut where a line may break: around wide characters and spaces, not inside Latin words."""
    units: list[str] = []
    for char in text:
        previous = units[-1] if units else " "
        glued = (
            char in _NO_LINE_START
            or previous[-1] in _NO_LINE_END
            # Dates and counts stay on one line: 2026年11月25日, 5个工作日.
            or (previous[-1].isdigit() and char in _AFTER_DIGITS)
            or (previous[-1] in "年月" and char.isdigit())
        )
        same_word = not (_is_wide(char) or _is_wide(previous[-1]))
        if char != " " and previous != " " and (glued or same_word):
            units[-1] = previous + char
        else:
            units.append(char)
    return units


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WF"
