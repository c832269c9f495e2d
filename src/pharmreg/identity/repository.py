"""Every query of the identity context."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import case, delete, func, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.identity.models import (
    AccountDispute,
    Applicant,
    BureauUnit,
    DisputeDocument,
    NationalSecuritySetting,
    NationalSignInFailure,
    NationalStaff,
    Officer,
    OfficerPosition,
    PublicContact,
    TenantSecuritySetting,
    TenantSignInFailure,
)

FailureModel = type[TenantSignInFailure] | type[NationalSignInFailure]
FailureRow = TenantSignInFailure | NationalSignInFailure


async def units(session: AsyncSession) -> Sequence[BureauUnit]:
    return (await session.scalars(select(BureauUnit).order_by(BureauUnit.division_code))).all()


async def unit_ids_by_division(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(BureauUnit.division_code, BureauUnit.id))
    return dict(rows.all())  # Result itself has .keys(), so dict(rows) would misread it


async def insert_units(session: AsyncSession, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Insert units whose division has none yet; returns division code -> id of those inserted."""
    if not rows:
        return {}
    statement = (
        insert(BureauUnit)
        .values(rows)
        .on_conflict_do_nothing(index_elements=[BureauUnit.division_code])
        .returning(BureauUnit.division_code, BureauUnit.id)
    )
    return dict((await session.execute(statement)).all())


async def insert_officer(session: AsyncSession, values: dict[str, Any]) -> Officer | None:
    statement = (
        insert(Officer)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[Officer.username])
        .returning(Officer)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def insert_positions(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(OfficerPosition).values(rows).on_conflict_do_nothing())


async def positions_of(session: AsyncSession, officer_ids: list[Any]) -> dict[Any, list[str]]:
    if not officer_ids:
        return {}
    query = select(OfficerPosition.officer_id, OfficerPosition.position).where(
        OfficerPosition.officer_id.in_(officer_ids)
    )
    held: dict[Any, list[str]] = {}
    for officer_id, position in await session.execute(query):
        held.setdefault(officer_id, []).append(position)
    return held


async def units_holding_post(session: AsyncSession, position: str) -> set[int]:
    """Ids of the units with at least one active officer holding `position`."""
    query = (
        select(Officer.unit_id)
        .join(OfficerPosition, OfficerPosition.officer_id == Officer.id)
        .where(OfficerPosition.position == position, Officer.active.is_(True))
        .distinct()
    )
    return set(await session.scalars(query))


async def count_rows(session: AsyncSession, model: type[BureauUnit] | type[Officer]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def insert_applicant(session: AsyncSession, values: dict[str, Any]) -> Applicant | None:
    statement = (
        insert(Applicant)
        .values(**values)
        .on_conflict_do_nothing()  # the document or the mobile number is taken
        .returning(Applicant)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def insert_staff(session: AsyncSession, values: dict[str, Any]) -> NationalStaff | None:
    statement = (
        insert(NationalStaff)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[NationalStaff.username])
        .returning(NationalStaff)
    )
    return (await session.execute(statement)).scalar_one_or_none()


# --------------------------------------------------------------------------- accounts


async def officer_by_username(session: AsyncSession, username: str) -> Officer | None:
    return await session.scalar(
        select(Officer).where(func.lower(Officer.username) == username.strip().lower())
    )


async def officer_by_id(session: AsyncSession, officer_id: Any) -> Officer | None:
    return await session.get(Officer, officer_id)


async def names_of_officers(session: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await session.execute(select(Officer.id, Officer.name).where(Officer.id.in_(list(ids))))
    return dict(rows.all())  # Result has .keys(): dict(rows) would misread it


async def officer_with_unit(session: AsyncSession, officer_id: Any) -> tuple[Officer, BureauUnit] | None:
    row = (
        await session.execute(
            select(Officer, BureauUnit)
            .join(BureauUnit, BureauUnit.id == Officer.unit_id)
            .where(Officer.id == officer_id)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def position_set(session: AsyncSession, officer_id: Any) -> frozenset[str]:
    rows = await session.scalars(
        select(OfficerPosition.position).where(OfficerPosition.officer_id == officer_id)
    )
    return frozenset(rows)


async def add_position(session: AsyncSession, officer_id: Any, position: str, granted_by: str) -> bool:
    statement = (
        insert(OfficerPosition)
        .values(officer_id=officer_id, position=position, granted_by=granted_by)
        .on_conflict_do_nothing()
        .returning(OfficerPosition.position)
    )
    return (await session.execute(statement)).first() is not None


async def remove_position(session: AsyncSession, officer_id: Any, position: str) -> bool:
    result = await session.execute(
        delete(OfficerPosition).where(
            OfficerPosition.officer_id == officer_id, OfficerPosition.position == position
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def province_admins(session: AsyncSession, position: str) -> list[uuid.UUID]:
    """Active holders of `position` at the province bureau, with the bureau's row locked, so
    that two administrators changing each other at once are serialised."""
    await session.execute(select(BureauUnit.id).where(BureauUnit.level == 1).with_for_update())
    query = (
        select(Officer.id)
        .join(OfficerPosition, Officer.id == OfficerPosition.officer_id)
        .join(BureauUnit, BureauUnit.id == Officer.unit_id)
        .where(OfficerPosition.position == position, Officer.active.is_(True), BureauUnit.level == 1)
    )
    return list(await session.scalars(query))


async def province_officers_holding(session: AsyncSession, posts: Collection[str]) -> list[uuid.UUID]:
    """Active officers of the province bureau holding any of `posts`."""
    if not posts:
        return []
    query = (
        select(Officer.id)
        .join(OfficerPosition, Officer.id == OfficerPosition.officer_id)
        .join(BureauUnit, BureauUnit.id == Officer.unit_id)
        .where(OfficerPosition.position.in_(list(posts)), Officer.active.is_(True), BureauUnit.level == 1)
        .distinct()
    )
    return list(await session.scalars(query))


async def search_officers(
    session: AsyncSession,
    *,
    unit_id: int | None,
    text_query: str | None,
    limit: int,
    unit_ids: Collection[int] | None = None,
    officer_id: uuid.UUID | None = None,
) -> list[tuple[Officer, BureauUnit]]:
    query = select(Officer, BureauUnit).join(BureauUnit, BureauUnit.id == Officer.unit_id)
    if unit_id is not None:
        query = query.where(Officer.unit_id == unit_id)
    if unit_ids is not None:
        query = query.where(Officer.unit_id.in_(list(unit_ids)))
    if officer_id is not None:
        query = query.where(Officer.id == officer_id)
    if text_query:
        pattern = "%" + text_query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            Officer.username.ilike(pattern, escape="\\") | Officer.name.ilike(pattern, escape="\\")
        )
    query = query.order_by(BureauUnit.level, BureauUnit.division_code, Officer.username).limit(limit)
    return [(officer, unit) for officer, unit in await session.execute(query)]


async def unit_by_id(session: AsyncSession, unit_id: int) -> BureauUnit | None:
    return await session.get(BureauUnit, unit_id)


async def unit_by_code(session: AsyncSession, division_code: str) -> BureauUnit | None:
    return await session.scalar(select(BureauUnit).where(BureauUnit.division_code == division_code))


async def staff_by_username(session: AsyncSession, username: str) -> NationalStaff | None:
    return await session.scalar(
        select(NationalStaff).where(func.lower(NationalStaff.username) == username.strip().lower())
    )


async def staff_by_id(session: AsyncSession, staff_id: Any) -> NationalStaff | None:
    return await session.get(NationalStaff, staff_id)


async def all_staff(session: AsyncSession) -> Sequence[NationalStaff]:
    return (await session.scalars(select(NationalStaff).order_by(NationalStaff.username))).all()


async def applicant_by_login(session: AsyncSession, login: str) -> Applicant | None:
    """By ID document number (any type) or by mobile number."""
    value = login.strip().upper()
    if value.isdigit() and len(value) == 11 and value.startswith("1"):
        return await session.scalar(select(Applicant).where(Applicant.mobile == value))
    return await session.scalar(select(Applicant).where(Applicant.id_number == value))


async def applicant_by_id(session: AsyncSession, applicant_id: Any) -> Applicant | None:
    return await session.get(Applicant, applicant_id)


async def applicant_by_document(session: AsyncSession, *, id_type: str, id_number: str) -> Applicant | None:
    return await session.scalar(
        select(Applicant).where(Applicant.id_type == id_type, Applicant.id_number == id_number)
    )


async def lock_applicant(session: AsyncSession, applicant_id: Any) -> Applicant:
    """The applicant's row, locked until commit (disputes against one account are serialised)."""
    account = await session.scalar(
        select(Applicant)
        .where(Applicant.id == applicant_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert account is not None
    return account


async def applicant_exists(session: AsyncSession, *, id_type: str, id_number: str) -> bool:
    query = select(Applicant.id).where(Applicant.id_type == id_type, Applicant.id_number == id_number)
    return await session.scalar(query) is not None


async def mobile_taken(session: AsyncSession, mobile: str) -> bool:
    return await session.scalar(select(Applicant.id).where(Applicant.mobile == mobile)) is not None


# --------------------------------------------------------------------------- security settings


async def security_row(
    session: AsyncSession, model: type[TenantSecuritySetting] | type[NationalSecuritySetting]
) -> TenantSecuritySetting | NationalSecuritySetting:
    row: TenantSecuritySetting | NationalSecuritySetting | None = await session.get(model, 1)
    if row is None:  # created by the migration; recreated defensively if someone removed it
        row = model(id=1)
        session.add(row)
        await session.flush()
        await session.refresh(row)
    return row


# --- public contacts ------------------------------------------------------------------------------


async def public_contacts(
    session: AsyncSession, unit_ids: Collection[int] | None = None
) -> Sequence[PublicContact]:
    query = select(PublicContact).order_by(PublicContact.unit_id, PublicContact.sort_order, PublicContact.id)
    if unit_ids is not None:
        query = query.where(PublicContact.unit_id.in_(list(unit_ids)))
    return (await session.scalars(query)).all()


async def public_contact_of(session: AsyncSession, officer_id: uuid.UUID) -> PublicContact | None:
    return await session.scalar(select(PublicContact).where(PublicContact.officer_id == officer_id))


def add_public_contact(session: AsyncSession, values: dict[str, object]) -> PublicContact:
    row = PublicContact(**values)
    session.add(row)
    return row


async def remove_public_contact(session: AsyncSession, row: PublicContact) -> None:
    await session.delete(row)


async def fill_unit_contact(
    session: AsyncSession, unit_id: int, *, phone: str, address: str, email: str
) -> bool:
    """Set a unit's contact details if it has none yet; True if it was filled."""
    result = await session.execute(
        update(BureauUnit)
        .where(
            BureauUnit.id == unit_id,
            BureauUnit.phone.is_(None),
            BureauUnit.address.is_(None),
            BureauUnit.email.is_(None),
        )
        .values(phone=phone, address=address, email=email)
    )
    return bool(getattr(result, "rowcount", 0))


# --------------------------------------------------------------------------- sign-in failures


def _failure_key(model: FailureModel, kind: str, subject: str, source: str) -> Any:
    return (model.kind == kind) & (model.subject == subject) & (model.source == source)


async def hold_failure_row(
    session: AsyncSession, model: FailureModel, kind: str, subject: str, source: str
) -> bool:
    """Make sure the row exists and lock it until commit; True if it was just created."""
    created = await session.execute(
        insert(model)
        .values(kind=kind, subject=subject, source=source, failures=0)
        .on_conflict_do_nothing()
        .returning(model.kind)
    )
    inserted = created.first() is not None
    await session.execute(
        select(model.kind).where(_failure_key(model, kind, subject, source)).with_for_update()
    )
    return inserted


async def failure_rows(
    session: AsyncSession, model: FailureModel, kind: str, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], FailureRow]:
    query = select(model).where(model.kind == kind, tuple_(model.subject, model.source).in_(keys))
    rows: list[FailureRow] = list(await session.scalars(query))
    return {(row.subject, row.source): row for row in rows}


async def add_failure(
    session: AsyncSession,
    model: FailureModel,
    kind: str,
    subject: str,
    source: str,
    *,
    window_minutes: int,
    now: datetime,
) -> FailureRow:
    """One more failure; a row whose window has passed starts counting again at one."""
    expired = model.window_started_at < now - timedelta(minutes=window_minutes)
    statement = (
        insert(model)
        .values(kind=kind, subject=subject, source=source, failures=1, window_started_at=now, last_at=now)
        .on_conflict_do_update(
            index_elements=[model.kind, model.subject, model.source],
            set_={
                "failures": case((expired, 1), else_=model.failures + 1),
                "window_started_at": case((expired, now), else_=model.window_started_at),
                "last_at": now,
            },
        )
        .returning(model)
        .execution_options(populate_existing=True)
    )
    row: FailureRow = cast("FailureRow", (await session.execute(statement)).scalar_one())
    return row


async def lock_failures(
    session: AsyncSession, model: FailureModel, kind: str, subject: str, source: str, until: datetime
) -> None:
    await session.execute(
        update(model).where(_failure_key(model, kind, subject, source)).values(locked_until=until)
    )


async def mark_alerted(
    session: AsyncSession, model: FailureModel, kind: str, subject: str, at: datetime
) -> None:
    await session.execute(update(model).where(_failure_key(model, kind, subject, "*")).values(notified_at=at))


async def clear_failures(
    session: AsyncSession, model: FailureModel, kind: str, subject: str, source: str | None
) -> None:
    """Forget one source's failures on an account, or (source None) all of the account's."""
    query = delete(model).where(model.kind == kind, model.subject == subject)
    if source is not None:
        query = query.where(model.source == source)
    await session.execute(query)


async def purge_failures(
    session: AsyncSession, model: FailureModel, *, before: datetime, now: datetime
) -> None:
    """Drop rows idle since `before` whose lock is over, a bounded batch at a time."""
    stale = (
        select(model.kind, model.subject, model.source)
        .where(model.last_at < before, or_(model.locked_until.is_(None), model.locked_until < now))
        .limit(200)
    )
    await session.execute(delete(model).where(tuple_(model.kind, model.subject, model.source).in_(stale)))


# --------------------------------------------------------------------------- account disputes


async def add_dispute(session: AsyncSession, dispute: AccountDispute) -> None:
    session.add(dispute)
    await session.flush()


def add_dispute_document(session: AsyncSession, document: DisputeDocument) -> None:
    session.add(document)


async def open_disputes_against(session: AsyncSession, applicant_id: Any) -> Sequence[AccountDispute]:
    query = select(AccountDispute).where(
        AccountDispute.applicant_id == applicant_id, AccountDispute.status == "open"
    )
    return (await session.scalars(query.order_by(AccountDispute.id))).all()


async def dispute_by_code(session: AsyncSession, code_hash: str) -> AccountDispute | None:
    return await session.scalar(select(AccountDispute).where(AccountDispute.code_hash == code_hash))


async def disputes_of_province(
    session: AsyncSession, province: str, *, status: str
) -> Sequence[AccountDispute]:
    """Open disputes oldest first; decided ones (status "decided") newest first, the last 200."""
    query = select(AccountDispute).where(AccountDispute.province == province)
    if status == "open":
        query = query.where(AccountDispute.status == "open").order_by(AccountDispute.id)
    else:
        query = query.where(AccountDispute.status != "open").order_by(AccountDispute.id.desc()).limit(200)
    return (await session.scalars(query)).all()


async def dispute_of_province(
    session: AsyncSession, province: str, dispute_id: int, *, for_update: bool = False
) -> AccountDispute | None:
    """A dispute only if this province handles it: every officer-side read goes through here."""
    query = select(AccountDispute).where(AccountDispute.id == dispute_id, AccountDispute.province == province)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    return await session.scalar(query)


async def disputes_of_account_in(
    session: AsyncSession, applicant_id: Any, province: str
) -> Sequence[AccountDispute]:
    query = select(AccountDispute).where(
        AccountDispute.applicant_id == applicant_id, AccountDispute.province == province
    )
    return (await session.scalars(query.order_by(AccountDispute.id))).all()


async def dispute_documents(session: AsyncSession, dispute_id: int) -> Sequence[DisputeDocument]:
    query = (
        select(DisputeDocument).where(DisputeDocument.dispute_id == dispute_id).order_by(DisputeDocument.id)
    )
    return (await session.scalars(query)).all()


async def dispute_document(
    session: AsyncSession, dispute_id: int, document_id: int
) -> DisputeDocument | None:
    return await session.scalar(
        select(DisputeDocument).where(
            DisputeDocument.id == document_id, DisputeDocument.dispute_id == dispute_id
        )
    )


async def dispute_document_content(session: AsyncSession, document_id: int) -> bytes:
    content = await session.scalar(select(DisputeDocument.content).where(DisputeDocument.id == document_id))
    return bytes(content or b"")


async def forget_sign_in_failures(session: AsyncSession, *, kind: str, subject: str) -> None:
    """Every national count and lock of an account (it changed hands)."""
    await clear_failures(session, NationalSignInFailure, kind, subject, None)
