"""Materials (申请材料) each matter needs, and checking uploaded files by their content."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Material:
    key: str
    label: str
    required: bool
    image_only: bool = False


PHOTO = Material("photo", "本人近期免冠正面证件照（JPG/PNG）", True, image_only=True)
NEW_PHOTO = Material("photo", "本人近期免冠正面证件照（需更换照片时）", False, image_only=True)
ID_COPY = Material("id_copy", "身份证件正反面", True)
QUALIFICATION = Material("qualification", "执业药师职业资格证书", True)
CONSENT = Material("consent", "执业单位同意执业证明（聘用证明）", True)
HEALTH = Material("health", "健康状况承诺或证明", False)
CE_PROOF = Material("ce_proof", "继续教育学分证明（平台无记录时提供）", False)
OLD_CERTIFICATE = Material("old_certificate", "原注册证（遗失的提供遗失声明）", False)
CANCEL_PROOF = Material("cancel_proof", "注销原因证明材料", False)

MATERIALS: dict[str, tuple[Material, ...]] = {
    "first_registration": (PHOTO, ID_COPY, QUALIFICATION, CONSENT, HEALTH, CE_PROOF),
    "change": (CONSENT, NEW_PHOTO, OLD_CERTIFICATE),
    "renewal": (CONSENT, HEALTH, CE_PROOF),
    "cancellation": (CANCEL_PROOF,),
    "reissue": (NEW_PHOTO, OLD_CERTIFICATE),
}


def materials_for(matter: str) -> tuple[Material, ...]:
    return MATERIALS.get(matter, ())


def material(matter: str, key: str) -> Material | None:
    return next((m for m in materials_for(matter) if m.key == key), None)


_SIGNATURES = (
    (b"%PDF-", "application/pdf", "PDF"),
    (b"\xff\xd8\xff", "image/jpeg", "JPG"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "PNG"),
)
_EXTENSIONS = {"application/pdf": (".pdf",), "image/jpeg": (".jpg", ".jpeg"), "image/png": (".png",)}


class AttachmentError(ValueError):
    """The file cannot be accepted; the message tells the applicant why."""


@dataclass(frozen=True, slots=True)
class CheckedFile:
    filename: str
    content_type: str
    size: int
    sha256: str


def check_file(filename: str, data: bytes, *, max_bytes: int, image_only: bool) -> CheckedFile:
    """Accept PDF, JPG or PNG judged by the bytes themselves, within the size limit."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()[:200] or "未命名文件"
    if not data:
        raise AttachmentError("文件为空，请重新选择")
    if len(data) > max_bytes:
        raise AttachmentError(f"文件超过 {max_bytes // (1024 * 1024)} MB，请压缩后再上传")
    kind = next(((mime, label) for magic, mime, label in _SIGNATURES if data.startswith(magic)), None)
    if kind is None:
        raise AttachmentError("文件内容不是 PDF、JPG 或 PNG，请上传扫描件或照片")
    mime, label = kind
    if image_only and mime == "application/pdf":
        raise AttachmentError("此项只能上传 JPG 或 PNG 图片")
    if not name.lower().endswith(_EXTENSIONS[mime]):
        raise AttachmentError(f"文件扩展名与内容不符：内容是 {label}，请核对后重新上传")
    if mime == "application/pdf" and b"%%EOF" not in data[-2048:]:
        raise AttachmentError("PDF 文件不完整，请重新导出后上传")
    return CheckedFile(name, mime, len(data), hashlib.sha256(data).hexdigest())
