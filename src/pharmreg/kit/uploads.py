"""Checking uploaded files by their bytes, not by the name they came with."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Collection
from dataclasses import dataclass

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_LABELS = {PDF: "PDF", JPEG: "JPG", PNG: "PNG", DOCX: "Word（.docx）", XLSX: "Excel（.xlsx）"}
_EXTENSIONS = {PDF: (".pdf",), JPEG: (".jpg", ".jpeg"), PNG: (".png",), DOCX: (".docx",), XLSX: (".xlsx",)}
_MAGIC = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))
# The part every Office Open XML document of the kind holds.
_OOXML_PARTS = ((DOCX, "word/document.xml"), (XLSX, "xl/workbook.xml"))


class AttachmentError(ValueError):
    """The file cannot be accepted; the message tells the person why."""


@dataclass(frozen=True, slots=True)
class CheckedFile:
    filename: str
    content_type: str
    size: int
    sha256: str


def _sniff(data: bytes) -> str | None:
    kind = next((mime for magic, mime in _MAGIC if data.startswith(magic)), None)
    if kind is not None or not data.startswith(b"PK\x03\x04"):
        return kind
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError):
        return None
    return next((mime for mime, part in _OOXML_PARTS if part in names), None)


def _short(name: str, limit: int = 200) -> str:
    """The name cut to `limit` characters, keeping its extension."""
    if len(name) <= limit:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 10:
        return name[:limit]
    return f"{stem[: limit - len(extension) - 1]}.{extension}"


def labels(kinds: Collection[str]) -> str:
    """The kinds as people read them: "PDF、JPG 或 PNG"."""
    names = [_LABELS[k] for k in kinds]
    return names[0] if len(names) == 1 else "、".join(names[:-1]) + " 或 " + names[-1]


def check_upload(filename: str, data: bytes, *, max_bytes: int, kinds: Collection[str]) -> CheckedFile:
    """Accept a file of one of `kinds` judged by its content, within the size limit."""
    name = _short(filename.replace("\\", "/").rsplit("/", 1)[-1].strip()) or "未命名文件"
    if not data:
        raise AttachmentError("文件为空，请重新选择")
    if len(data) > max_bytes:
        raise AttachmentError(f"文件超过 {max_bytes // (1024 * 1024)} MB，请压缩后再上传")
    mime = _sniff(data)
    if mime is None or mime not in kinds:
        raise AttachmentError(f"文件内容不是 {labels(kinds)}，请核对后重新上传")
    if not name.lower().endswith(_EXTENSIONS[mime]):
        raise AttachmentError(f"文件扩展名与内容不符：内容是 {_LABELS[mime]}，请核对后重新上传")
    if mime == PDF and b"%%EOF" not in data[-2048:]:
        raise AttachmentError("PDF 文件不完整，请重新导出后上传")
    return CheckedFile(name, mime, len(data), hashlib.sha256(data).hexdigest())
