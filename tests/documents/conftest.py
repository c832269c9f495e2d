"""Sample certificate and notices."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from pharmreg.documents import CertificateData, NoticeData, NoticeKind
from tests.documents.pdfs import ITEMS, jpeg_photo


@pytest.fixture
def certificate() -> CertificateData:
    return CertificateData(
        certificate_no="ZY44202611000123",
        name="李晓梅",
        sex="女",
        id_masked="4401**********123X",
        photo=jpeg_photo(),
        category="药学、中药学",
        scope="药品经营",
        practice_unit="广州市越秀区康健大药房连锁有限公司北京路分店",
        region="广东省",
        issuing_authority="广东省药品监督管理局",
        issue_date=date(2026, 11, 25),
        valid_from=date(2026, 11, 25),
        valid_until=date(2031, 11, 24),
        verification_url="https://gd.pharmreg.example.cn/verify/ZY44202611000123?k=7f3a9c2e",
    )


@pytest.fixture
def notice() -> Callable[..., NoticeData]:
    """A notice of the given kind with plausible contents; keyword arguments override fields."""

    def build(kind: NoticeKind, **changes: Any) -> NoticeData:
        fields: dict[str, Any] = {
            "kind": kind,
            "authority": "广东省药品监督管理局",
            "document_no": "粤药监执注〔2026〕000123号",
            "applicant_name": "李晓梅",
            "case_ref": "GD-2026-000123",
            "matter": "执业药师首次注册",
            "received_on": date(2026, 11, 20),
            "issued_on": date(2026, 11, 25),
            "items": ITEMS[kind],
            "remedy_bodies": "国家药品监督管理局或广东省人民政府",
            "court": "有管辖权的人民法院",
        }
        if kind is NoticeKind.APPROVAL:
            fields |= {"certificate_no": "ZY44202611000123", "valid_until": date(2031, 11, 24)}
        if kind is NoticeKind.SUPPLEMENT:
            fields["deadline_days"] = 5
        return NoticeData(**(fields | changes))

    return build
