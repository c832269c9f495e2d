"""Use cases of the register: decisions take effect here, in the province and in the national index.

A decision writes the province's registration and the national index in two sessions (the
national schema may live on another server). The caller flushes both, commits the national
session first (its unique index is what holds one active registration per person) and then
the province's. If the province's commit fails after the national one, the index keeps an
entry with no registration behind it; the daily register upkeep (`jobs._drop_orphan_entries`)
removes such entries once they have settled for an hour.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import msgspec
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.events import record_event
from pharmreg.identity import mask_id
from pharmreg.kit.clock import utcnow
from pharmreg.practice import practice_unit, unit_types
from pharmreg.qualifications import categories_label
from pharmreg.register import repository
from pharmreg.register.models import RegisterEntry, Registration
from pharmreg.register.schemas import (
    DEFAULT_UNIT_SCOPES,
    PUBLISHED_KINDS,
    Decided,
    HistoryEntry,
    PracticeScope,
    Province,
    Registrant,
    RegistrationRead,
    RegistrationRules,
    RegistrationStatus,
    Terms,
    VerificationRead,
)
from pharmreg.tenancy import TenantInfo

_HISTORY_LABELS = {
    "registered": "首次注册",
    "changed": "变更注册",
    "renewed": "延续注册",
    "transferred_in": "跨省变更转入",
    "transferred_out": "跨省变更转出",
    "cancelled": "注销注册",
    "expired": "有效期届满注销",
    "reissued": "补办注册证",
}


RESULT_PUBLISHED = "register.result_published"
# Every registration event, for the national statistics (analytic facts).
REGISTRATION_FACT = "register.registration_event"


class RegisterConflictError(Exception):
    """The decision would break a register rule (e.g. a second active registration); message in Chinese."""


def person_key(id_type: str, id_number: str) -> str:
    return f"{id_type}:{id_number.strip().upper()}"


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def validity(start: date, years: int) -> tuple[date, date]:
    """[start, last day] of a validity of `years` years."""
    return start, add_years(start, years) - timedelta(days=1)


async def load_rules(session: AsyncSession) -> RegistrationRules:
    row = await repository.settings(session)
    scopes = dict(DEFAULT_UNIT_SCOPES)
    for unit_type, allowed in (row.unit_type_scopes or {}).items():
        scopes[unit_type] = frozenset(allowed)
    return RegistrationRules(
        validity_years=row.validity_years,
        renewal_lead_days=row.renewal_lead_days,
        certificate_pattern=row.certificate_pattern,
        reissue_enabled=row.reissue_enabled,
        age_warning=row.age_warning,
        ce_default=(row.ce_public, row.ce_professional),
        ce_by_year={r.year: (r.public, r.professional) for r in await repository.ce_requirements(session)},
        unit_type_scopes=scopes,
        max_attachment_bytes=row.max_attachment_mb * 1024 * 1024,
    )


def format_certificate_no(pattern: str, *, province: str, year: int, seq: int) -> str:
    try:
        return pattern.format(province=province[:2], year=year, seq=seq)
    except (KeyError, IndexError, ValueError):
        # A broken pattern must not stop approvals; the administrator's form validates it too.
        return f"{province[:2]}{year}{seq:06d}"


async def _certificate_no(
    session: AsyncSession, province: Province, rules: RegistrationRules, on: date
) -> str:
    seq = await repository.next_certificate_seq(session, on.year)
    return format_certificate_no(
        rules.certificate_pattern, province=province.division_code, year=on.year, seq=seq
    )


def _entry_values(province: Province, row: Registration) -> dict[str, Any]:
    return {
        "person_key": row.person_key,
        "tenant": province.slug,
        "registration_id": row.id,
        "certificate_no": row.certificate_no,
        "name": row.name,
        "categories": row.categories,
        "scope": row.scope,
        "unit_name": row.unit_name,
        "region": province.name,
        "division_code": row.division_code,
        "valid_from": row.valid_from,
        "valid_until": row.valid_until,
        "status": row.status,
        "closed_on": row.closed_on,
        "updated_at": utcnow(),
    }


async def _flush_national(national: AsyncSession) -> None:
    try:
        await national.flush()
    except IntegrityError as exc:
        if "certificate_no" in str(exc.orig):
            raise RegisterConflictError(
                "注册证编号与其他省份的编号重复，请系统管理员检查注册证编号规则"
            ) from None
        raise RegisterConflictError("该人员在全国已有有效注册，一人只能有一个有效注册") from None


_CLOSING_KINDS = frozenset({"cancelled", "expired", "transferred_out"})


def birth_year(id_type: str, id_number: str) -> int | None:
    """The year of birth an ID document's number encodes (resident IDs and HMT residence permits)."""
    if id_type in ("resident_id", "hmt_residence") and len(id_number) == 18 and id_number[6:10].isdigit():
        return int(id_number[6:10])
    return None


def _fact_terms(row: Registration | repository.PlainRow, kind: str, unit_type: str | None) -> dict[str, Any]:
    """The terms in force after an event, kept in its history row: the registration row itself
    moves on with later changes, the statistics of the event must not."""
    closing = kind in _CLOSING_KINDS
    return {
        "practice_unit_id": row.practice_unit_id,
        "unit_type": unit_type,
        "categories": row.categories,
        "scope": row.scope,
        "division_code": row.division_code,
        "valid_until": None if closing else row.valid_until.isoformat(),
        "ground": row.close_reason if closing else None,
    }


def registration_fact(
    history_id: int,
    kind: str,
    effective_on: date,
    row: Registration | repository.PlainRow,
    terms: dict[str, Any],
) -> dict[str, Any]:
    """A registration event as the national statistics receive it (the person only by key)."""
    return {
        "event_id": history_id,
        "registration_id": row.id,
        "kind": kind,
        "effective_on": effective_on.isoformat(),
        "person_key": row.person_key,
        "sex": row.sex,
        "birth_year": birth_year(row.id_type, row.id_number),
        "education": row.education,
        "major": row.major,
        **terms,
    }


async def _history(
    session: AsyncSession, row: Registration, kind: str, decided: Decided, summary: str, **details: Any
) -> None:
    unit = await practice_unit(session, row.practice_unit_id)
    terms = _fact_terms(row, kind, unit.unit_type if unit else None)
    entry = repository.add_history(
        session,
        {
            "registration_id": row.id,
            "effective_on": decided.on,
            "kind": kind,
            "application_ref": decided.application_ref,
            "summary": summary,
            "details": {**details, "terms": terms},
            "actor_name": decided.actor_name,
            "public": kind in PUBLISHED_KINDS,
        },
    )
    await session.flush()
    record_event(session, REGISTRATION_FACT, registration_fact(entry.id, kind, decided.on, row, terms))
    if kind in PUBLISHED_KINDS:
        # The national 结果公示 is fed from here, in the decision's own transaction.
        record_event(
            session,
            RESULT_PUBLISHED,
            {
                "registration_id": row.id,
                "effective_on": decided.on.isoformat(),
                "kind": kind,
                "name": row.name,
                "certificate_no": row.certificate_no,
                "unit_name": row.unit_name,
                "division_code": row.division_code,
                "categories": row.categories,
                "scope": row.scope,
                "summary": summary[:300],
            },
        )


async def register_first(
    session: AsyncSession,
    national: AsyncSession,
    *,
    province: Province,
    registrant: Registrant,
    terms: Terms,
    rules: RegistrationRules,
    decided: Decided,
) -> Registration:
    """A first registration: valid for the province's validity period from the day of approval."""
    if await repository.national_active(national, registrant.person_key) is not None:
        raise RegisterConflictError("该人员在全国已有有效注册，一人只能有一个有效注册")
    start, end = validity(decided.on, rules.validity_years)
    row = await _new_registration(session, province, registrant, terms, rules, decided, start, end)
    await _history(session, row, "registered", decided, f"首次注册，有效期至 {end:%Y-%m-%d}")
    repository.add_entry(national, _entry_values(province, row))
    await _flush_national(national)
    return row


async def _new_registration(
    session: AsyncSession,
    province: Province,
    registrant: Registrant,
    terms: Terms,
    rules: RegistrationRules,
    decided: Decided,
    start: date,
    end: date,
    **extra: Any,
) -> Registration:
    row = repository.add_registration(
        session,
        {
            "person_key": registrant.person_key,
            "applicant_id": registrant.applicant_id,
            "id_type": registrant.id_type,
            "id_number": registrant.id_number,
            "name": registrant.name,
            "sex": registrant.sex,
            "education": registrant.education,
            "major": registrant.major,
            "categories": terms.categories,
            "scope": terms.scope,
            "practice_unit_id": terms.practice_unit_id,
            "unit_name": terms.unit_name,
            "division_code": terms.division_code,
            "qualification_nos": terms.qualification_nos,
            "certificate_no": await _certificate_no(session, province, rules, decided.on),
            "first_registered_on": extra.pop("first_registered_on", decided.on),
            "issued_on": decided.on,
            "valid_from": start,
            "valid_until": end,
            **extra,
        },
    )
    try:
        await session.flush()
    except IntegrityError as exc:
        if "certificate_no" in str(exc.orig):
            raise RegisterConflictError("注册证编号与已有编号重复，请系统管理员检查注册证编号规则") from None
        raise RegisterConflictError("该人员在本省已有有效注册") from None
    return row


async def _locked_active(session: AsyncSession, registration_id: int) -> Registration:
    row = await repository.registration(session, registration_id, for_update=True)
    if row is None or row.status != RegistrationStatus.ACTIVE:
        raise RegisterConflictError("该注册已不是有效状态，不能办理")
    return row


async def _sync_entry(national: AsyncSession, province: Province, row: Registration) -> None:
    entry = await repository.national_entry(national, province.slug, row.id)
    values = _entry_values(province, row)
    if entry is None:
        repository.add_entry(national, values)
    else:
        for key, value in values.items():
            setattr(entry, key, value)
    await _flush_national(national)


async def change_registration(
    session: AsyncSession,
    national: AsyncSession,
    *,
    province: Province,
    registration_id: int,
    terms: Terms,
    decided: Decided,
    education: str | None = None,
    major: str | None = None,
) -> Registration:
    """A change within the province: new terms, same certificate number and expiry date (and the
    education and major, when the application states them anew)."""
    row = await _locked_active(session, registration_id)
    row.education, row.major = education or row.education, major or row.major
    before = {"categories": row.categories, "scope": row.scope, "unit_name": row.unit_name}
    changes = []
    if row.practice_unit_id != terms.practice_unit_id:
        changes.append(f"执业单位 {row.unit_name} → {terms.unit_name}")
    if row.categories != terms.categories:
        changes.append(f"执业类别 {categories_label(row.categories)} → {categories_label(terms.categories)}")
    if row.scope != terms.scope:
        changes.append(f"执业范围 {PracticeScope(row.scope).label} → {PracticeScope(terms.scope).label}")
    row.categories, row.scope = terms.categories, terms.scope
    row.practice_unit_id, row.unit_name, row.division_code = (
        terms.practice_unit_id,
        terms.unit_name,
        terms.division_code,
    )
    row.qualification_nos = terms.qualification_nos or row.qualification_nos
    row.issued_on = decided.on
    row.updated_at = utcnow()
    await _history(
        session, row, "changed", decided, "变更注册：" + ("；".join(changes) or "无实质变化"), before=before
    )
    await session.flush()
    await _sync_entry(national, province, row)
    return row


async def renew_registration(
    session: AsyncSession,
    national: AsyncSession,
    *,
    province: Province,
    registration_id: int,
    rules: RegistrationRules,
    decided: Decided,
) -> Registration:
    """A renewal: the new period starts the day after the old expiry date."""
    row = await _locked_active(session, registration_id)
    start = row.valid_until + timedelta(days=1)
    previous = row.valid_until
    row.valid_from, row.valid_until = validity(start, rules.validity_years)
    row.issued_on = decided.on
    row.reminded_days = None
    row.updated_at = utcnow()
    await _history(
        session,
        row,
        "renewed",
        decided,
        f"延续注册，有效期 {previous:%Y-%m-%d} 延至 {row.valid_until:%Y-%m-%d}",
    )
    await session.flush()
    await _sync_entry(national, province, row)
    return row


async def cancel_registration(
    session: AsyncSession,
    national: AsyncSession,
    *,
    province: Province,
    registration_id: int,
    reason: str,
    decided: Decided,
    expired: bool = False,
    facts: str | None = None,
) -> Registration:
    """Close a registration (on application, ex officio, or on expiry) with a public notice.

    The public notice names the ground only; the facts behind an ex officio decision (certificate
    or judgment numbers) stay in the history's details, which only officers read.
    """
    row = await _locked_active(session, registration_id)
    row.status = RegistrationStatus.EXPIRED if expired else RegistrationStatus.CANCELLED
    row.closed_on = decided.on
    row.close_reason = reason[:200]
    row.updated_at = utcnow()
    extra = {"facts": facts} if facts else {}
    await _history(
        session, row, "expired" if expired else "cancelled", decided, f"注销注册：{reason}", **extra
    )
    await session.flush()
    await _sync_entry(national, province, row)
    return row


async def reissue_certificate(
    session: AsyncSession, *, registration_id: int, reason: str, decided: Decided
) -> Registration:
    """A lost or damaged certificate issued again: same number and terms, new issue date."""
    row = await _locked_active(session, registration_id)
    row.issued_on = decided.on
    row.updated_at = utcnow()
    await _history(session, row, "reissued", decided, f"补办注册证：{reason}")
    await session.flush()
    return row


async def transfer_in(
    session: AsyncSession,
    national: AsyncSession,
    *,
    province: Province,
    origin: str,
    origin_registration_id: int,
    registrant: Registrant,
    terms: Terms,
    rules: RegistrationRules,
    decided: Decided,
) -> Registration:
    """A cross-province change decided here: the origin registration closes on the same day
    in the national index (and in the origin province through `close_transferred`); the new
    registration keeps the expiry date."""
    entry = await repository.national_entry(national, origin, origin_registration_id)
    if (
        entry is None
        or entry.status != RegistrationStatus.ACTIVE
        or entry.person_key != registrant.person_key
    ):
        raise RegisterConflictError("原注册已不是有效状态，不能办理跨省变更")
    first_on = entry.valid_from
    entry.status = RegistrationStatus.TRANSFERRED
    entry.closed_on = decided.on
    entry.updated_at = utcnow()
    await _flush_national(national)
    row = await _new_registration(
        session,
        province,
        registrant,
        terms,
        rules,
        decided,
        decided.on,
        entry.valid_until,
        origin_tenant=origin,
        first_registered_on=first_on,
    )
    await _history(
        session,
        row,
        "transferred_in",
        decided,
        f"由{origin.upper()}跨省变更转入，原注册证 {entry.certificate_no}",
        origin=origin,
        origin_certificate=entry.certificate_no,
    )
    repository.add_entry(national, _entry_values(province, row))
    await _flush_national(national)
    return row


async def close_transferred(
    session: AsyncSession, national: AsyncSession, *, province: Province, today: date
) -> int:
    """Close here the registrations the national index shows as transferred away (idempotent).

    Runs right after a transfer is decided and in the daily upkeep (over the last 30 days of
    transfers), so the origin province's register and history follow even if the first attempt
    was interrupted.
    """
    recent = today - timedelta(days=30)
    entries = {
        e.registration_id: e
        for e in await repository.entries_closed_elsewhere(national, province.slug, recent)
    }
    if not entries:
        return 0
    pending = await repository.transferred_out_pending(session, list(entries))
    if not pending:
        return 0
    keys = [entries[row.id].person_key for row in pending]
    destinations = {e.person_key: e for e in await repository.active_entries_of(national, keys)}
    for row in pending:
        entry = entries[row.id]
        destination = destinations.get(entry.person_key)
        row.status = RegistrationStatus.TRANSFERRED
        row.closed_on = entry.closed_on
        row.destination_tenant = destination.tenant if destination else None
        row.close_reason = "跨省变更转出"
        row.updated_at = utcnow()
        where = f"至{destination.region}，新注册证 {destination.certificate_no}" if destination else ""
        await _history(
            session,
            row,
            "transferred_out",
            Decided(None, None, entry.closed_on or today),
            f"跨省变更转出{where}",
        )
    await session.flush()
    return len(pending)


async def registration_facts(session: AsyncSession) -> list[dict[str, Any]]:
    """Every registration event of the province, as `REGISTRATION_FACT` events carry them.

    Events recorded before their history rows kept the terms in force are given the
    registration's present terms.
    """
    types = await unit_types(session)
    facts = []
    for entry, row in await repository.history_with_registrations(session):
        terms = (entry.details or {}).get("terms") or _fact_terms(
            row, entry.kind, types.get(row.practice_unit_id)
        )
        facts.append(registration_fact(entry.id, entry.kind, entry.effective_on, row, terms))
    return facts


# --- reading -----------------------------------------------------------------------------------


def registration_read(province_slug: str, row: Registration, today: date) -> RegistrationRead:
    status = RegistrationStatus(row.status)
    return RegistrationRead(
        id=row.id,
        tenant=province_slug,
        certificate_no=row.certificate_no,
        name=row.name,
        id_masked=mask_id(row.id_number),
        categories=row.categories,
        categories_label=categories_label(row.categories),
        scope=row.scope,
        scope_label=PracticeScope(row.scope).label,
        practice_unit_id=row.practice_unit_id,
        unit_name=row.unit_name,
        division_code=row.division_code,
        issued_on=row.issued_on,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        status=status.value,
        status_label=status.label,
        closed_on=row.closed_on,
        close_reason=row.close_reason,
    )


async def registrations_of(
    session: AsyncSession, province_slug: str, key: str, today: date
) -> list[RegistrationRead]:
    return [
        registration_read(province_slug, r, today) for r in await repository.registrations_of(session, key)
    ]


async def active_registration(session: AsyncSession, key: str) -> Registration | None:
    return await repository.active_of(session, key)


async def get_registration(session: AsyncSession, registration_id: int) -> Registration | None:
    return await repository.registration(session, registration_id)


async def national_active(national: AsyncSession, key: str) -> RegisterEntry | None:
    return await repository.national_active(national, key)


async def registration_history(session: AsyncSession, registration_ids: Sequence[int]) -> list[HistoryEntry]:
    return [
        HistoryEntry(
            registration_id=h.registration_id,
            effective_on=h.effective_on,
            kind=h.kind,
            kind_label=_HISTORY_LABELS.get(h.kind, h.kind),
            summary=h.summary,
            application_ref=h.application_ref,
            actor_name=h.actor_name,
        )
        for h in await repository.history(session, registration_ids)
    ]


def verification_token(secret: str, certificate_no: str) -> str:
    """The signature a certificate's QR code carries, so its link works without the holder's name."""
    digest = hmac.new(secret.encode(), f"verify:{certificate_no}".encode(), hashlib.sha256).hexdigest()
    return digest[:20]


async def verify_certificate(
    national: AsyncSession,
    certificate_no: str,
    *,
    name: str | None,
    token: str | None,
    secret: str,
    today: date,
) -> VerificationRead | None:
    """The public facts of a certificate, given its number and the holder's name, or the QR signature."""
    entry = await repository.entry_by_certificate(national, certificate_no.strip())
    if entry is None:
        return None
    if token is not None:
        expected = verification_token(secret, entry.certificate_no)
        if not token.isascii() or not hmac.compare_digest(token, expected):
            return None
    elif name is None or name.strip() != entry.name:
        return None
    status = RegistrationStatus(entry.status)
    label = status.label
    if status is RegistrationStatus.ACTIVE and entry.valid_until < today:
        label = "已过有效期"
    return VerificationRead(
        certificate_no=entry.certificate_no,
        name=entry.name,
        category=categories_label(entry.categories),
        scope=PracticeScope(entry.scope).label,
        practice_unit=entry.unit_name,
        region=entry.region,
        valid_from=entry.valid_from,
        valid_until=entry.valid_until,
        status=status.value,
        status_label=label,
        sanctions=list(entry.sanctions or []),
    )


async def open_cases_in(
    national: AsyncSession, tenant: str, *, older_than: timedelta
) -> list[tuple[str, str]]:
    """(person key, application reference) of the slots a province's applications have held for a while
    (a younger slot may belong to a submission whose province commit is still under way)."""
    rows = await repository.open_cases_in(national, tenant, opened_before=utcnow() - older_than)
    return [(row.person_key, row.application_ref) for row in rows]


async def renewal_pending(national: AsyncSession, key: str, tenant: str) -> bool:
    """Whether the person's renewal is being decided in this province (the registration must not lapse)."""
    row = await repository.open_case_of(national, key)
    return row is not None and row.tenant == tenant and row.matter == "renewal"


async def open_case_of(national: AsyncSession, key: str) -> tuple[str, str] | None:
    """(tenant slug, application reference) of the person's application in progress, if any."""
    row = await repository.open_case_of(national, key)
    return (row.tenant, row.application_ref) if row else None


async def claim_open_case(national: AsyncSession, *, key: str, tenant: str, ref: str, matter: str) -> None:
    """Hold the person's one slot for an application in progress, or say where it is taken."""
    if not await repository.insert_open_case(
        national, {"person_key": key, "tenant": tenant, "application_ref": ref, "matter": matter}
    ):
        raise RegisterConflictError("您有其他正在办理的申请，办结或撤回后才能提交新的申请")


async def release_open_case(national: AsyncSession, *, key: str, tenant: str, ref: str) -> None:
    await repository.delete_open_case(national, key, tenant, ref)


async def provinces_of_person(national: AsyncSession, key: str) -> Sequence[str]:
    """The provinces that hold (or held) a registration of the person."""
    return await repository.provinces_of_person(national, key)


SETTING_LIMITS = {
    "validity_years": (1, 10, "注册有效期（年）"),
    "renewal_lead_days": (0, 180, "延续申请提前天数"),
    "age_warning": (50, 100, "年龄提示（周岁）"),
    "ce_public": (0, 60, "公需科目学分"),
    "ce_professional": (0, 60, "专业科目学分"),
    "max_attachment_mb": (1, 20, "附件大小上限（MB）"),
}


async def registration_settings(session: AsyncSession) -> dict[str, Any]:
    """The province's rules as the settings form shows them."""
    row = await repository.settings(session)
    values: dict[str, Any] = {name: getattr(row, name) for name in SETTING_LIMITS}
    values |= {
        "certificate_pattern": row.certificate_pattern,
        "reissue_enabled": row.reissue_enabled,
        "unit_type_scopes": {k: sorted(v) for k, v in (row.unit_type_scopes or {}).items()},
        "ce_years": {r.year: (r.public, r.professional) for r in await repository.ce_requirements(session)},
        "updated_at": row.updated_at,
        "updated_by": row.updated_by,
    }
    return values


def check_settings(
    values: dict[str, str], scopes: dict[str, list[str]]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Every problem of the settings form at once; the clean values when there is none."""
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, (low, high, label) in SETTING_LIMITS.items():
        text = values.get(name, "").strip()
        if not text.isdecimal() or not text.isascii() or not low <= int(text) <= high:
            errors[name] = f"{label}应为 {low}–{high} 的整数"
        else:
            clean[name] = int(text)
    pattern = values.get("certificate_pattern", "").strip()
    try:
        samples = {
            pattern.format(province=p, year=y, seq=n)
            for p in ("44", "32")
            for y in (2026, 2027)
            for n in (1, 2)
        }
    except Exception:  # any malformed placeholder: str.format raises several kinds
        samples = set()
    # Numbers must differ between provinces and years, or approvals would collide nationwide.
    if len(samples) != 8 or len(pattern) > 60 or any(len(x) > 40 for x in samples):
        errors["certificate_pattern"] = (
            "编号规则须同时包含 {province}、{year} 和 {seq}，使每个编号各不相同"
            "（如 {province}{year}{seq:06d}），生成的编号不超过 40 位"
        )
    else:
        clean["certificate_pattern"] = pattern
    clean["reissue_enabled"] = values.get("reissue_enabled") == "1"
    clean["unit_type_scopes"] = {}
    for unit_type, chosen in scopes.items():
        allowed = [s for s in chosen if s in {x.value for x in PracticeScope}]
        if unit_type in DEFAULT_UNIT_SCOPES and not allowed:
            errors[f"scopes_{unit_type}"] = "每类执业单位至少允许一个执业范围"
        clean["unit_type_scopes"][unit_type] = allowed
    return clean, errors


async def update_registration_settings(
    session: AsyncSession, clean: dict[str, Any], *, ce_years: dict[int, tuple[int, int] | None], by: str
) -> None:
    row = await repository.settings(session)
    for name, value in clean.items():
        setattr(row, name, value)
    row.updated_by = by
    row.updated_at = utcnow()
    for year, required in ce_years.items():
        await repository.set_ce_requirement(session, year, required)
    await session.flush()


class NationalEntryRead(msgspec.Struct):
    tenant: str
    region: str
    certificate_no: str
    name: str
    categories_label: str
    scope_label: str
    unit_name: str
    valid_from: date
    valid_until: date
    status_label: str
    closed_on: date | None


async def national_history(national: AsyncSession, query: str) -> list[NationalEntryRead]:
    """A person's registrations in every province, by ID number or by any of their certificate numbers."""
    text = query.strip().upper()
    if not text:
        return []
    is_id = len(text) >= 15 and text[:-1].isdigit()
    rows = await repository.entries_matching(
        national, id_number=text if is_id else None, certificate_no=None if is_id else text
    )
    return [
        NationalEntryRead(
            tenant=e.tenant,
            region=e.region,
            certificate_no=e.certificate_no,
            name=e.name,
            categories_label=categories_label(e.categories),
            scope_label=PracticeScope(e.scope).label,
            unit_name=e.unit_name,
            valid_from=e.valid_from,
            valid_until=e.valid_until,
            status_label=RegistrationStatus(e.status).label,
            closed_on=e.closed_on,
        )
        for e in rows
    ]


EX_OFFICIO_REASONS = {
    "death": "死亡或者被宣告失踪",
    "capacity": "丧失完全民事行为能力",
    "criminal": "受到刑事处罚",
    "revoked": "执业药师职业资格证书被撤销或者吊销",
    "hanging": "经查实存在“挂证”行为",
    "left": "离开执业单位且未办理变更",
    "other": "法律法规规定的其他情形",
}


async def search_registrations(
    session: AsyncSession, province_slug: str, text: str, today: date, *, division_prefix: str | None = None
) -> list[RegistrationRead]:
    if not text.strip():
        return []
    rows = await repository.search(session, text[:40], division_prefix=division_prefix)
    return [registration_read(province_slug, r, today) for r in rows]


def province_of(tenant: TenantInfo) -> Province:
    """The province a tenant is, as the register records decisions made in it."""
    return Province(tenant.slug, tenant.name, tenant.authority_name, tenant.division_code)
