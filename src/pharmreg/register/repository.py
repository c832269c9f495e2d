"""Every query of the register: a province's registrations and the national index."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, TypeAlias

from sqlalchemy import Row, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.register.models import (
    CeRequirement,
    CertificateCounter,
    NationalResult,
    OpenCase,
    RegisterEntry,
    Registration,
    RegistrationHistory,
    RegistrationSetting,
)

# A row of a Core query: its columns as attributes, no ORM object behind it.
PlainRow: TypeAlias = Row[*tuple[Any, ...]]

# --- a province's schema -------------------------------------------------------------------------


async def settings(session: AsyncSession) -> RegistrationSetting:
    row = await session.get(RegistrationSetting, 1)
    assert row is not None, "registration_setting row 1 is created by the migration"
    return row


async def ce_requirements(session: AsyncSession) -> Sequence[CeRequirement]:
    return (await session.scalars(select(CeRequirement))).all()


async def next_certificate_seq(session: AsyncSession, year: int) -> int:
    """The next number of the year; the row lock serializes concurrent approvals of the province."""
    statement = (
        insert(CertificateCounter)
        .values(year=year, last=1)
        .on_conflict_do_update(
            index_elements=[CertificateCounter.year], set_={"last": CertificateCounter.last + 1}
        )
        .returning(CertificateCounter.last)
    )
    return int((await session.execute(statement)).scalar_one())


async def active_of(
    session: AsyncSession, person_key: str, *, for_update: bool = False
) -> Registration | None:
    query = select(Registration).where(Registration.person_key == person_key, Registration.status == "active")
    if for_update:  # refreshed: a sweep may hold an older copy of the row in its session
        query = query.with_for_update().execution_options(populate_existing=True)
    return await session.scalar(query)


async def registration(
    session: AsyncSession, registration_id: int, *, for_update: bool = False
) -> Registration | None:
    query = select(Registration).where(Registration.id == registration_id)
    if for_update:  # refreshed: a sweep may hold an older copy of the row in its session
        query = query.with_for_update().execution_options(populate_existing=True)
    return await session.scalar(query)


async def registrations_of(session: AsyncSession, person_key: str) -> Sequence[Registration]:
    query = select(Registration).where(Registration.person_key == person_key).order_by(Registration.id.desc())
    return (await session.scalars(query)).all()


def add_registration(session: AsyncSession, values: dict[str, Any]) -> Registration:
    row = Registration(**values)
    session.add(row)
    return row


def add_history(session: AsyncSession, values: dict[str, Any]) -> RegistrationHistory:
    entry = RegistrationHistory(**values)
    session.add(entry)
    return entry


async def history_with_registrations(session: AsyncSession) -> Sequence[tuple[PlainRow, PlainRow]]:
    """Every history row of the province with its registration, oldest first, as plain rows (a
    province holds hundreds of thousands: ORM objects for each cost the rebuild most of its time)."""
    history = RegistrationHistory.__table__
    registrations = {row.id: row for row in (await session.execute(select(Registration.__table__))).all()}
    query = select(
        history.c.id, history.c.registration_id, history.c.kind, history.c.effective_on, history.c.details
    ).order_by(history.c.id)
    return [(entry, registrations[entry.registration_id]) for entry in (await session.execute(query)).all()]


async def history(session: AsyncSession, registration_ids: Sequence[int]) -> Sequence[RegistrationHistory]:
    query = (
        select(RegistrationHistory)
        .where(RegistrationHistory.registration_id.in_(registration_ids))
        .order_by(RegistrationHistory.at, RegistrationHistory.id)
    )
    return (await session.scalars(query)).all()


async def expiring(
    session: AsyncSession, until: date, *, after_id: int = 0, limit: int = 1000
) -> Sequence[Registration]:
    query = (
        select(Registration)
        .where(Registration.status == "active", Registration.valid_until <= until, Registration.id > after_id)
        .order_by(Registration.id)
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def transferred_out_pending(
    session: AsyncSession, registration_ids: Sequence[int]
) -> Sequence[Registration]:
    query = select(Registration).where(Registration.id.in_(registration_ids), Registration.status == "active")
    return (await session.scalars(query.with_for_update())).all()


# --- the national index --------------------------------------------------------------------------


async def national_active(session: AsyncSession, person_key: str) -> RegisterEntry | None:
    query = select(RegisterEntry).where(
        RegisterEntry.person_key == person_key, RegisterEntry.status == "active"
    )
    return await session.scalar(query)


async def national_entry(session: AsyncSession, tenant: str, registration_id: int) -> RegisterEntry | None:
    query = select(RegisterEntry).where(
        RegisterEntry.tenant == tenant, RegisterEntry.registration_id == registration_id
    )
    return await session.scalar(query.with_for_update().execution_options(populate_existing=True))


async def entry_by_certificate(session: AsyncSession, certificate_no: str) -> RegisterEntry | None:
    return await session.scalar(select(RegisterEntry).where(RegisterEntry.certificate_no == certificate_no))


def add_entry(session: AsyncSession, values: dict[str, Any]) -> RegisterEntry:
    row = RegisterEntry(**values)
    session.add(row)
    return row


async def delete_entry(session: AsyncSession, tenant: str, registration_id: int) -> None:
    await session.execute(
        delete(RegisterEntry).where(
            RegisterEntry.tenant == tenant, RegisterEntry.registration_id == registration_id
        )
    )


async def entries_closed_elsewhere(
    session: AsyncSession, tenant: str, since: date
) -> Sequence[RegisterEntry]:
    """This province's entries the national index recently closed by a transfer (to close locally too)."""
    query = select(RegisterEntry).where(
        RegisterEntry.tenant == tenant,
        RegisterEntry.status == "transferred",
        RegisterEntry.closed_on >= since,
    )
    return (await session.scalars(query)).all()


async def active_entries_of(session: AsyncSession, person_keys: Sequence[str]) -> Sequence[RegisterEntry]:
    query = select(RegisterEntry).where(
        RegisterEntry.person_key.in_(person_keys), RegisterEntry.status == "active"
    )
    return (await session.scalars(query)).all()


async def needing_reminder(
    session: AsyncSession, today: date, days: int, limit: int = 500
) -> Sequence[Registration]:
    """Active registrations expiring within `days` that have not had this (or a later) reminder."""
    query = (
        select(Registration)
        .where(
            Registration.status == "active",
            Registration.valid_until >= today,
            Registration.valid_until <= today + timedelta(days=days),
            or_(Registration.reminded_days.is_(None), Registration.reminded_days > days),
        )
        .order_by(Registration.id)
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def open_cases_in(session: AsyncSession, tenant: str, *, opened_before: Any) -> Sequence[OpenCase]:
    query = select(OpenCase).where(OpenCase.tenant == tenant, OpenCase.opened_at < opened_before)
    return (await session.scalars(query)).all()


async def set_entry(session: AsyncSession, entry_id: int, values: dict[str, Any]) -> None:
    await session.execute(update(RegisterEntry).where(RegisterEntry.id == entry_id).values(**values))


async def open_case_of(session: AsyncSession, person_key: str) -> OpenCase | None:
    return await session.get(OpenCase, person_key)


async def insert_open_case(session: AsyncSession, values: dict[str, Any]) -> bool:
    statement = insert(OpenCase).values(**values).on_conflict_do_nothing().returning(OpenCase.person_key)
    return (await session.execute(statement)).scalar_one_or_none() is not None


async def delete_open_case(session: AsyncSession, person_key: str, tenant: str, ref: str) -> None:
    await session.execute(
        delete(OpenCase).where(
            OpenCase.person_key == person_key, OpenCase.tenant == tenant, OpenCase.application_ref == ref
        )
    )


async def provinces_of_person(session: AsyncSession, person_key: str) -> Sequence[str]:
    query = select(RegisterEntry.tenant).where(RegisterEntry.person_key == person_key).distinct()
    return (await session.scalars(query)).all()


async def set_ce_requirement(session: AsyncSession, year: int, required: tuple[int, int] | None) -> None:
    if required is None:
        await session.execute(delete(CeRequirement).where(CeRequirement.year == year))
        return
    statement = insert(CeRequirement).values(year=year, public=required[0], professional=required[1])
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[CeRequirement.year],
            set_={"public": statement.excluded.public, "professional": statement.excluded.professional},
        )
    )


async def entries_matching(
    session: AsyncSession, *, id_number: str | None, certificate_no: str | None
) -> Sequence[RegisterEntry]:
    query = select(RegisterEntry).order_by(RegisterEntry.valid_from, RegisterEntry.id)
    if id_number:
        query = query.where(RegisterEntry.person_key.like(f"%:{id_number}"))
    elif certificate_no:
        person = select(RegisterEntry.person_key).where(RegisterEntry.certificate_no == certificate_no)
        query = query.where(RegisterEntry.person_key.in_(person.scalar_subquery()))
    else:
        return []
    return (await session.scalars(query.limit(50))).all()


async def entry_registration_ids(session: AsyncSession, tenant: str, *, settled_before: Any) -> set[int]:
    """The province's entries last written before a moment (younger ones may still be committing)."""
    query = select(RegisterEntry.registration_id).where(
        RegisterEntry.tenant == tenant, RegisterEntry.updated_at < settled_before
    )
    return set(await session.scalars(query))


async def registration_ids(session: AsyncSession) -> set[int]:
    return set(await session.scalars(select(Registration.id)))


async def search(
    session: AsyncSession, text: str, limit: int = 50, *, division_prefix: str | None = None
) -> Sequence[Registration]:
    """By certificate number or ID number exactly, or by name; optionally within a territory."""
    query = select(Registration).order_by(Registration.status, Registration.id.desc()).limit(limit)
    if division_prefix:
        query = query.where(Registration.division_code.startswith(division_prefix))
    value = text.strip()
    condition = or_(
        Registration.certificate_no == value.upper(),
        Registration.id_number == value.upper(),
        Registration.name == value,
    )
    return (await session.scalars(query.where(condition))).all()


# --- published results, national ----------------------------------------------------------------


async def add_national_result(session: AsyncSession, values: dict[str, Any]) -> None:
    statement = insert(NationalResult).values(**values)
    await session.execute(statement.on_conflict_do_nothing(index_elements=[NationalResult.event_uuid]))


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def search_national_results(
    session: AsyncSession,
    *,
    name: str | None,
    certificate_no: str | None,
    unit: str | None,
    kind: str | None,
    tenant: str | None,
    since: date | None,
    until: date | None,
    limit: int,
    offset: int,
) -> Sequence[NationalResult]:
    query = select(NationalResult)
    if name:
        query = query.where(NationalResult.name.startswith(name, autoescape=True))
    if certificate_no:
        query = query.where(NationalResult.certificate_no.startswith(certificate_no, autoescape=True))
    if unit:
        query = query.where(NationalResult.unit_name.ilike(f"%{_escaped(unit)}%", escape="\\"))
    if kind:
        query = query.where(NationalResult.kind == kind)
    if tenant:
        query = query.where(NationalResult.tenant == tenant)
    if since:
        query = query.where(NationalResult.effective_on >= since)
    if until:
        query = query.where(NationalResult.effective_on <= until)
    query = (
        query.order_by(NationalResult.effective_on.desc(), NationalResult.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return (await session.scalars(query)).all()
