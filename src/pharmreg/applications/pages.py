"""What the applicant's and the officers' pages share: the province a request is about,
the rules and calendar it needs, and PDF rendering off the event loop."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import anyio
import msgspec
from litestar import Response
from litestar.exceptions import NotFoundException
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.applications.service.reading import attachments_of, notice_data, registration_photo, timeline
from pharmreg.authority import Matter
from pharmreg.documents import (
    CertificateData,
    MissingGlyphError,
    NoticeData,
    ReceiptData,
    ReceiptMaterial,
    render_certificate,
    render_notice,
    render_receipt,
)
from pharmreg.identity import applicant_mobile, mask_id
from pharmreg.kit.clock import china_today
from pharmreg.kit.db import Database, transaction
from pharmreg.kit.downloads import download
from pharmreg.kit.logging import get_logger
from pharmreg.messaging import SmsProvider
from pharmreg.register import (
    RegistrationRules,
    close_transferred,
    load_rules,
    province_of,
    verification_token,
)
from pharmreg.tenancy import TenantDirectory, TenantInfo

log = get_logger(__name__)


async def rules_of(session: AsyncSession) -> RegistrationRules:
    return await load_rules(session)


class PdfUnavailableError(Exception):
    """The document cannot be rendered on this server (a character no embedded font covers)."""


async def notice_pdf(session: AsyncSession, app: Any, notice_id: int) -> tuple[str, bytes] | None:
    data = await notice_data(session, app, notice_id)
    if data is None:
        return None
    notice = msgspec.convert(data, NoticeData)
    try:
        pdf = await anyio.to_thread.run_sync(render_notice, notice)
    except MissingGlyphError as exc:
        log.error("documents.missing_glyph", ref=app.ref, error=str(exc))
        raise PdfUnavailableError(str(exc)) from None
    return f"{notice.document_no}.pdf", pdf


async def receipt_pdf(
    session: AsyncSession, app: Any, *, authority: str, unit_name: str | None, follow_url: str
) -> bytes:
    """申请材料接收凭证: what was received at the latest submission (or resubmission), and when."""
    events = await timeline(session, app)
    received = next((e for e in reversed(events) if e.action in ("submit", "resubmit")), None)
    if received is None:
        raise NotFoundException()  # a draft has received nothing yet
    materials = tuple(
        ReceiptMaterial(a.material_label, a.filename, a.size, a.sha256)
        for a in await attachments_of(session, app)
        if a.uploaded_at <= received.at
    )
    data = ReceiptData(
        case_ref=app.ref,
        matter=f"执业药师{Matter(app.matter).label}",
        applicant_name=app.applicant_name,
        id_masked=mask_id(app.id_number),
        received_at=received.at,
        authority=app.received_by or authority,
        materials=materials,
        follow_url=follow_url,
        practice_unit=unit_name or "",
        acceptance_due=app.acceptance_due,
        resubmission=received.action == "resubmit",
    )
    try:
        return await anyio.to_thread.run_sync(render_receipt, data)
    except MissingGlyphError as exc:
        log.error("documents.missing_glyph", ref=app.ref, error=str(exc))
        raise PdfUnavailableError(str(exc)) from None


@dataclass(frozen=True, slots=True)
class CertificateSource:
    """The registration fields a certificate shows, plus who issued it."""

    registration: Any
    authority: str
    region: str
    categories_label: str
    scope_label: str


async def certificate_pdf(
    session: AsyncSession, source: CertificateSource, *, base_url: str, verification_key: str
) -> bytes:
    row = source.registration
    photo = await registration_photo(session, row.id)
    token = verification_token(verification_key, row.certificate_no)
    data = CertificateData(
        certificate_no=row.certificate_no,
        name=row.name,
        sex="男" if row.sex == "M" else "女",
        id_masked=mask_id(row.id_number),
        photo=photo,
        category=source.categories_label,
        scope=source.scope_label,
        practice_unit=row.unit_name,
        region=source.region,
        issuing_authority=source.authority,
        issue_date=row.issued_on,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        verification_url=f"{base_url.rstrip('/')}/verify/{row.certificate_no}?t={token}",
    )
    try:
        return await anyio.to_thread.run_sync(render_certificate, data)
    except MissingGlyphError as exc:
        log.error("documents.missing_glyph", certificate=row.certificate_no, error=str(exc))
        raise PdfUnavailableError(str(exc)) from None


def form_values(form: Any) -> dict[str, Any]:
    """A submitted form as a dict; checkboxes that may repeat (categories) as lists."""
    values: dict[str, Any] = {k: str(v) for k, v in form.items() if not hasattr(v, "read")}
    values["categories"] = [str(v) for v in form.getall("categories", [])]
    return values


async def close_at_origin(db: Database, directory: TenantDirectory, origin: str) -> None:
    """Right after a transfer is decided, close the registration in the origin province too.

    Best effort: the daily register upkeep does the same, so a failure here only delays it.
    """
    tenant = directory.any_state(origin)
    if tenant is None:
        return
    try:
        async with (
            db.tenant(tenant.schema, tenant.placement) as session,
            db.national() as national,
            transaction(session),
            transaction(national),
        ):
            await close_transferred(session, national, province=province_of(tenant), today=china_today())
    except Exception as exc:
        log.warning("applications.origin_close_deferred", origin=origin, error=str(exc))


async def notify_applicant(
    national: AsyncSession, sms: SmsProvider, tenant: TenantInfo, app: Any, what: str
) -> None:
    """Text the applicant what happened to their application (best effort: the page shows it too)."""
    try:
        mobile = await applicant_mobile(national, app.applicant_id)
        if mobile:
            await sms.send(
                tenant_slug=tenant.slug,
                mobile=mobile,
                purpose="case_notice",
                text=f"【{tenant.authority_name}】您的{Matter(app.matter).label}申请（申请号{app.ref}）{what}。",
            )
    except Exception as exc:
        log.warning("applications.notify_failed", ref=app.ref, error=str(exc))


async def notice_response(session: AsyncSession, app: Any, notice_id: int) -> Response[bytes]:
    """A notice as its PDF, or a plain explanation when this server cannot render it."""
    try:
        found = await notice_pdf(session, app, notice_id)
    except PdfUnavailableError as exc:
        return Response(str(exc).encode(), status_code=503, media_type="text/plain; charset=utf-8")
    if found is None:
        raise NotFoundException()
    return download(found[0], "application/pdf", found[1])
