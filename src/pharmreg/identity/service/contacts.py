"""Public contacts of the bureaus: which officers a unit lists for the public, with a work phone
and duties, and the bureaus that serve a place (county → city → province)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import Actor, record_tenant_audit
from pharmreg.identity import repository
from pharmreg.identity.positions import Position
from pharmreg.identity.schemas import OfficerRead, PublicPerson, UnitRead
from pharmreg.identity.service.officers import list_officers
from pharmreg.kit.forms import Problems

_PHONE = re.compile(r"[0-9+\-()（） 转]{5,40}")


def _posts(officer: OfficerRead) -> list[str]:
    labels = []
    for value in officer.positions:
        try:
            labels.append(Position(value).label)
        except ValueError:
            continue
    return labels


async def unit_contacts(session: AsyncSession, units: Sequence[UnitRead]) -> dict[int, list[PublicPerson]]:
    """The public contacts of these units (active officers only), in their order."""
    ids = [u.id for u in units]
    rows = await repository.public_contacts(session, ids)
    if not rows:
        return {}
    officers = {o.id: o for o in await list_officers(session, unit_ids=ids, limit=5000)}
    found: dict[int, list[PublicPerson]] = {}
    for row in rows:
        officer = officers.get(row.officer_id)
        if officer is None or not officer.active or officer.unit_id != row.unit_id:
            continue  # deactivated, or moved to another unit: no longer this unit's contact
        found.setdefault(row.unit_id, []).append(
            PublicPerson(
                officer_id=row.officer_id,
                name=officer.name,
                posts=_posts(officer),
                work_phone=row.work_phone,
                duties=row.duties,
                sort_order=row.sort_order,
            )
        )
    return found


def place_chain(units: Sequence[UnitRead], division_code: str) -> list[UnitRead]:
    """The bureaus serving a place, nearest first: its county's, its city's, the province's."""
    by_code = {u.division_code: u for u in units if u.active}
    by_id = {u.id: u for u in units}
    start = None
    for code in (division_code, division_code[:4] + "00", division_code[:2] + "0000"):
        start = by_code.get(code)
        if start is not None:
            break
    chain: list[UnitRead] = []
    while start is not None and start not in chain:
        if start.active:
            chain.append(start)
        start = by_id.get(start.parent_id) if start.parent_id else None
    return chain


async def set_public_contact(
    session: AsyncSession,
    unit: UnitRead,
    form: Mapping[str, str],
    *,
    actor: Actor,
) -> None:
    """List an officer of this unit as a public contact, or change their phone, duties or order."""
    problems = Problems()
    try:
        officer_id = uuid.UUID(form.get("officer_id", "").strip())
    except ValueError:
        officer_id = None
    officers = {o.id: o for o in await list_officers(session, unit_id=unit.id, limit=5000)}
    officer = officers.get(officer_id) if officer_id else None
    if officer is None or not officer.active:
        problems.add("officer_id", "请从本单位在岗的工作人员中选择")
    phone = form.get("work_phone", "").strip()
    if not phone:
        problems.add("work_phone", "请填写办公电话")
    elif not _PHONE.fullmatch(phone):
        problems.add("work_phone", "办公电话只能包含数字、空格、括号、加号、连字符和“转”，如 020-37886011")
    duties = form.get("duties", "").strip()
    if not duties:
        problems.add("duties", "请填写负责的业务，如：执业药师注册受理、咨询")
    elif len(duties) > 200:
        problems.add("duties", "负责的业务不能超过 200 字")
    order_text = form.get("sort_order", "").strip() or "0"
    if not (order_text.isascii() and order_text.isdecimal() and int(order_text) <= 99):
        problems.add("sort_order", "排序应为 0 到 99 的整数")
    problems.raise_if_any()
    assert officer is not None
    existing = await repository.public_contact_of(session, officer.id)
    values = {"work_phone": phone, "duties": duties, "sort_order": int(order_text), "updated_by": actor.name}
    if existing is None:
        repository.add_public_contact(session, {"unit_id": unit.id, "officer_id": officer.id, **values})
        before = None
    else:
        before = {
            "work_phone": existing.work_phone,
            "duties": existing.duties,
            "sort_order": existing.sort_order,
        }
        existing.unit_id = unit.id
        for key, value in values.items():
            setattr(existing, key, value)
    await session.flush()
    await record_tenant_audit(
        session,
        action="public_contacts_changed",
        actor=actor,
        target=unit.name,
        summary=f"{'修改' if before else '公开'}{unit.name}联系人 {officer.name}",
        details={"officer": officer.username, "before": before, "after": {**values, "updated_by": None}},
    )


async def remove_public_contact(
    session: AsyncSession, unit: UnitRead, officer_id: uuid.UUID, *, actor: Actor
) -> bool:
    """Stop listing an officer of this unit; False if they were not listed here."""
    row = await repository.public_contact_of(session, officer_id)
    if row is None or row.unit_id != unit.id:
        return False
    await repository.remove_public_contact(session, row)
    names = {o.id: o.name for o in await list_officers(session, unit_id=unit.id, limit=5000)}
    await record_tenant_audit(
        session,
        action="public_contacts_changed",
        actor=actor,
        target=unit.name,
        summary=f"不再公开{unit.name}联系人 {names.get(officer_id, '')}".rstrip(),
        details={"officer_id": str(officer_id)},
    )
    return True


async def fill_unit_contacts(session: AsyncSession, details: Mapping[int, tuple[str, str, str]]) -> int:
    """Give units without any contact details these (phone, address, e-mail); for demo data.
    Units an administrator already filled in are left alone. Returns how many were filled."""
    filled = 0
    for unit_id, (phone, address, email) in details.items():
        filled += await repository.fill_unit_contact(
            session, unit_id, phone=phone, address=address, email=email
        )
    return filled


async def list_public_contact(
    session: AsyncSession,
    unit_id: int,
    officer_id: uuid.UUID,
    *,
    work_phone: str,
    duties: str,
    sort_order: int,
) -> bool:
    """List an officer as a public contact unless already listed; for demo data (not audited)."""
    if await repository.public_contact_of(session, officer_id) is not None:
        return False
    repository.add_public_contact(
        session,
        {
            "unit_id": unit_id,
            "officer_id": officer_id,
            "work_phone": work_phone,
            "duties": duties,
            "sort_order": sort_order,
        },
    )
    return True
