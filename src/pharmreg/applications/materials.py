"""Materials (申请材料) each matter needs, and checking uploaded files by their content."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from pharmreg.kit.uploads import JPEG, PDF, PNG, AttachmentError, CheckedFile, check_upload


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


def check_file(filename: str, data: bytes, *, max_bytes: int, image_only: bool) -> CheckedFile:
    """Accept PDF, JPG or PNG judged by the bytes themselves, within the size limit."""
    kinds = (JPEG, PNG) if image_only else (PDF, JPEG, PNG)
    try:
        return check_upload(filename, data, max_bytes=max_bytes, kinds=kinds)
    except AttachmentError as exc:
        if image_only and data.startswith(b"%PDF-"):
            raise AttachmentError("此项只能上传 JPG 或 PNG 图片") from exc
        raise


class Filed(Protocol):
    """An uploaded material as the opening rule sees it."""

    @property
    def id(self) -> int: ...

    @property
    def sha256(self) -> str: ...


F = TypeVar("F", bound=Filed)


def unopened(current: Sequence[F], opened: Collection[tuple[int, str]]) -> list[F]:
    """The materials of `current` whose exact file (id and SHA-256) is not among `opened`.

    Every file the case holds counts: a material uploaded again after a supplement notice is
    a new file, so it must be opened again, whatever was opened of the earlier one.
    """
    return [item for item in current if (item.id, item.sha256) not in opened]
