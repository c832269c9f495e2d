"""导出: a statistics report written as a file by the worker, for the officer or national staff
member who asked. The form lives on the report's page (`web/templates/_exports.html`); it posts
to `{base}/exports`, the progress page polls until the file is ready, and only the account that
asked can open the list, the progress page or the file.

Two bases: a province's statistics (`/p/{slug}/office/statistics`, those who may
read its statistics; a city or county bureau's officers get their own territory) and the national
supervision (`/national/supervision`, national staff)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import record_national_audit, record_tenant_audit
from pharmreg.chrome import officer_realm, staff_realm
from pharmreg.documents import ENCODINGS, FORMATS
from pharmreg.identity import require_officer, require_staff
from pharmreg.kit.clock import utcnow
from pharmreg.kit.codes import division_prefix
from pharmreg.kit.db import transaction
from pharmreg.kit.downloads import download
from pharmreg.kit.form_posts import form_values
from pharmreg.kit.logging import get_logger
from pharmreg.kit.queue import enqueue
from pharmreg.kit.rendering import render
from pharmreg.requests import OfficerRequest, StaffRequest
from pharmreg.supervision.catalog import ReportScope
from pharmreg.supervision.controllers.statistics import STATISTICS_PERMISSIONS
from pharmreg.supervision.models import ExportJob
from pharmreg.supervision.service import (
    EXPORT_KEEP_DAYS,
    EXPORT_STATUS_LABELS,
    ExportOwner,
    ExportRefused,
    create_export,
    export_not_queued,
    export_of,
    export_order,
    recent_exports,
)

log = get_logger(__name__)
EXPORT_SLOW_QUEUE = timedelta(minutes=3)
NATIONAL_BASE = "/national/supervision"
PROGRESS_FRAGMENT = "supervision/_export_progress.html"


@dataclass(frozen=True, slots=True)
class _Desk:
    """Where an export is asked for and who asks: the pages' chrome, the owner, the scope."""

    base: str
    owner: ExportOwner
    scope: ReportScope
    # Put before a report's name in its file name (广东省…); empty for national reports.
    place: str
    chrome: dict[str, Any]

    def context(self, **values: Any) -> dict[str, Any]:
        return {
            **self.chrome,
            "base": self.base,
            "section": "exports",
            "status_labels": EXPORT_STATUS_LABELS,
            "formats": FORMATS,
            "encodings": ENCODINGS,
            "keep_days": EXPORT_KEEP_DAYS,
            **values,
        }


def _province_desk(office: OfficerRequest) -> _Desk:
    tenant, officer = office.tenant, office.officer
    # A city's or county's bureau sees the figures of its own territory only.
    prefix = None if officer.at_province else division_prefix(officer.unit_code)
    return _Desk(
        base=f"/p/{tenant.slug}/office/statistics",
        owner=ExportOwner("officer", tenant.slug, officer.id),
        scope=ReportScope(tenant.slug, prefix),
        place=tenant.name,
        chrome={
            "realm": officer_realm(tenant, office.db),
            "officer": officer,
            "tenant": tenant,
            "layout": "office/layout.html",
        },
    )


def _national_desk(national: StaffRequest) -> _Desk:
    return _Desk(
        base=NATIONAL_BASE,
        owner=ExportOwner("staff", "national", national.staff.id),
        scope=ReportScope(None),
        place="",
        chrome={"realm": staff_realm(national.db), "staff": national.staff, "layout": "national/layout.html"},
    )


def _summary(job: ExportJob) -> str:
    return f"导出{job.report_label}（{FORMATS.get(job.format, job.format)}）"


def _details(job: ExportJob) -> dict[str, Any]:
    return {
        "export": str(job.id),
        "report": job.report,
        "format": job.format,
        "params": dict(job.params),
        "division_prefix": job.division_prefix,
    }


async def _queue(redis: Redis, national_session: AsyncSession, job: ExportJob) -> None:
    """Hand the export to the worker; if Redis cannot take it, the export fails at once."""
    try:
        await enqueue(redis, "export_report", str(job.id), job_id=f"export:{job.id}")
    except Exception as exc:
        log.error("supervision.export_not_queued", export=str(job.id), error=f"{type(exc).__name__}: {exc}")
        async with transaction(national_session):
            await export_not_queued(national_session, job.id)


def _refused(request: HTMXRequest, desk: _Desk, errors: dict[str, str]) -> Template:
    return render(request, "supervision/export_refused.html", desk.context(errors=errors), status_code=400)


async def _index(request: HTMXRequest, desk: _Desk, session: AsyncSession) -> Template:
    jobs = await recent_exports(session, desk.owner)
    return render(request, "supervision/exports.html", desk.context(jobs=jobs))


async def _progress(
    request: HTMXRequest, desk: _Desk, session: AsyncSession, export_id: uuid.UUID
) -> Template:
    job = await export_of(session, desk.owner, export_id)
    if job is None:
        raise NotFoundException()
    # Still queued after a few minutes: the worker is busy or not running; say so.
    waiting = job.status == "queued" and utcnow() - job.created_at > EXPORT_SLOW_QUEUE
    return render(
        request, "supervision/export.html", desk.context(job=job, waiting=waiting), fragment=PROGRESS_FRAGMENT
    )


async def _file(desk: _Desk, session: AsyncSession, export_id: uuid.UUID) -> Response[bytes]:
    job = await export_of(session, desk.owner, export_id, content=True)
    if job is None or job.status != "done" or job.content is None:
        raise NotFoundException()
    return download(job.filename, job.content_type or "application/octet-stream", job.content, inline=False)


class ProvinceExportsController(Controller):
    """A province's statistics exports."""

    path = "/p/{slug:str}/office/statistics/exports"
    include_in_schema = False
    guards = [require_officer(*STATISTICS_PERMISSIONS)]

    @get("/")
    async def index(self, request: HTMXRequest, office: NamedDependency[OfficerRequest]) -> Template:
        async with office.db.national() as session:
            return await _index(request, _province_desk(office), session)

    @post("/")
    async def create(
        self, request: HTMXRequest, office: NamedDependency[OfficerRequest], redis: NamedDependency[Redis]
    ) -> Template | Redirect:
        desk = _province_desk(office)
        values = await form_values(request)
        async with office.db.national() as national_session:
            try:
                order = export_order(values, desk.scope)
                async with transaction(national_session):
                    job = await create_export(national_session, desk.owner, order, place=desk.place)
            except ExportRefused as exc:
                return _refused(request, desk, exc.errors)
            async with transaction(office.session):
                await record_tenant_audit(
                    office.session,
                    action="report_exported",
                    actor=office.actor,
                    summary=_summary(job),
                    target=f"export:{job.id}",
                    details=_details(job),
                )
            await _queue(redis, national_session, job)
        return Redirect(path=f"{desk.base}/exports/{job.id}", status_code=303)

    @get("/{export_id:uuid}")
    async def progress(
        self, request: HTMXRequest, office: NamedDependency[OfficerRequest], export_id: FromPath[uuid.UUID]
    ) -> Template:
        async with office.db.national() as session:
            return await _progress(request, _province_desk(office), session, export_id)

    @get("/{export_id:uuid}/file")
    async def file(
        self, office: NamedDependency[OfficerRequest], export_id: FromPath[uuid.UUID]
    ) -> Response[bytes]:
        async with office.db.national() as session:
            return await _file(_province_desk(office), session, export_id)


class NationalExportsController(Controller):
    """The national supervision's exports."""

    path = f"{NATIONAL_BASE}/exports"
    include_in_schema = False
    guards = [require_staff()]

    @get("/")
    async def index(self, request: HTMXRequest, national: NamedDependency[StaffRequest]) -> Template:
        return await _index(request, _national_desk(national), national.session)

    @post("/")
    async def create(
        self, request: HTMXRequest, national: NamedDependency[StaffRequest], redis: NamedDependency[Redis]
    ) -> Template | Redirect:
        desk = _national_desk(national)
        values = await form_values(request)
        try:
            order = export_order(values, desk.scope)
            async with transaction(national.session):
                job = await create_export(national.session, desk.owner, order, place=desk.place)
                record_national_audit(
                    national.session,
                    action="report_exported",
                    actor=national.actor,
                    summary=_summary(job),
                    target=f"export:{job.id}",
                    details=_details(job),
                )
        except ExportRefused as exc:
            return _refused(request, desk, exc.errors)
        await _queue(redis, national.session, job)
        return Redirect(path=f"{desk.base}/exports/{job.id}", status_code=303)

    @get("/{export_id:uuid}")
    async def progress(
        self, request: HTMXRequest, national: NamedDependency[StaffRequest], export_id: FromPath[uuid.UUID]
    ) -> Template:
        return await _progress(request, _national_desk(national), national.session, export_id)

    @get("/{export_id:uuid}/file")
    async def file(
        self, national: NamedDependency[StaffRequest], export_id: FromPath[uuid.UUID]
    ) -> Response[bytes]:
        return await _file(_national_desk(national), national.session, export_id)
