"""Officers: created by their tenant's administrators, holding posts, signing in."""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Iterable, Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import Actor, record_tenant_audit
from pharmreg.events import record_event
from pharmreg.identity import repository
from pharmreg.identity.models import BureauUnit, Officer, TenantSignInFailure
from pharmreg.identity.password_policy import PasswordRules, password_problems
from pharmreg.identity.passwords import make_password_hash
from pharmreg.identity.permissions import PostPermissions
from pharmreg.identity.positions import Position
from pharmreg.identity.schemas import OfficerAccount, OfficerCreate, OfficerForm, OfficerRead, SecurityRules
from pharmreg.identity.service.security import second_factor_required
from pharmreg.kit.clock import utcnow
from pharmreg.kit.forms import FormErrors, Problems

OFFICER_CREATED = "identity.officer_created"
USERNAME = re.compile(r"^[a-z][a-z0-9._-]{2,63}$")
NAME = re.compile(r"^[\u3400-\u9fff\U00020000-\U0003134fA-Za-z·• ]{2,50}$")
MOBILE = re.compile(r"^1[3-9]\d{9}$")


class UnknownUnitError(LookupError):
    """No bureau unit exists for the division code given."""


async def create_officer(session: AsyncSession, data: OfficerCreate) -> Officer | None:
    """Create an officer in the unit of `unit_division_code`; None if the username exists.

    For trusted callers (command line, demo data); administrators use create_officer_account.
    """
    for position in data.positions:
        Position(position)  # refuses unknown posts
    unit_ids = await repository.unit_ids_by_division(session)
    unit_id = unit_ids.get(data.unit_division_code)
    if unit_id is None:
        raise UnknownUnitError(data.unit_division_code)
    officer = await repository.insert_officer(
        session,
        {
            "username": data.username,
            "name": data.name,
            "unit_id": unit_id,
            "mobile": data.mobile,
            "email": data.email,
            "password_hash": data.password_hash,
        },
    )
    if officer is None:
        return None
    await repository.insert_positions(
        session, [{"officer_id": officer.id, "position": p, "granted_by": "system"} for p in data.positions]
    )
    record_event(session, OFFICER_CREATED, {"officer_id": str(officer.id), "unit_id": unit_id})
    return officer


async def create_officer_account(
    session: AsyncSession,
    form: OfficerForm,
    *,
    rules: SecurityRules,
    actor: Actor,
    unit_ids: Collection[int] | None = None,
) -> Officer:
    """An administrator creates an officer; every problem is reported at once.

    `unit_ids`: the units the administrator may add officers to (None: any of the tenant).
    """
    problems = Problems()
    username = form.username.strip().lower()
    if not USERNAME.fullmatch(username):
        problems.add("username", "用户名为 3 至 64 位小写字母、数字、点、下划线或连字符，以字母开头")
    elif await repository.officer_by_username(session, username) is not None:
        problems.add("username", "该用户名已被使用")
    name = form.name.strip()
    if not NAME.fullmatch(name):
        problems.add("name", "请填写 2 至 50 个字的真实姓名")
    unit = await repository.unit_by_id(session, form.unit_id)
    if unit is None or not unit.active:
        problems.add("unit_id", "请选择本省的一个监管单位")
    elif unit_ids is not None and unit.id not in unit_ids:
        problems.add("unit_id", "只能在本单位或所辖下级单位中新建工作人员")
    mobile = form.mobile.strip()
    if mobile and not MOBILE.fullmatch(mobile):
        problems.add("mobile", "手机号码应为 11 位数字，以 1 开头")
    unknown = [p for p in form.positions if p not in {x.value for x in Position}]
    if unknown:
        problems.add("positions", "岗位不存在：" + "、".join(unknown))
    _check_password(problems, form.password, rules, identifiers=(username, mobile))
    problems.raise_if_any()
    assert unit is not None
    officer = Officer(
        username=username,
        name=name,
        unit_id=unit.id,
        mobile=mobile or None,
        email=form.email.strip() or None,
        password_hash=await make_password_hash(form.password),
        must_change_password=True,  # chosen by the administrator: the officer replaces it
    )
    session.add(officer)
    await session.flush()
    await repository.insert_positions(
        session, [{"officer_id": officer.id, "position": p, "granted_by": actor.name} for p in form.positions]
    )
    record_event(session, OFFICER_CREATED, {"officer_id": str(officer.id), "unit_id": unit.id})
    await record_tenant_audit(
        session,
        action="officer_created",
        actor=actor,
        target=f"{name}（{username}）",
        summary=f"新建工作人员 {name}（{unit.name}）",
        details={"positions": list(form.positions)},
    )
    return officer


def _check_password(
    problems: Problems, password: str, rules: SecurityRules, *, identifiers: tuple[str, ...]
) -> None:
    found = password_problems(
        password,
        PasswordRules(rules.password_min_length, rules.password_min_classes),
        identifiers=identifiers,
    )
    if found:
        problems.add("password", "；".join(found))


def officer_account(
    tenant: str,
    officer: Officer,
    unit: BureauUnit,
    positions: frozenset[str],
    rules: SecurityRules,
    permissions: PostPermissions,
) -> OfficerAccount:
    expired = bool(rules.password_max_age_days) and (
        utcnow() - officer.password_changed_at > timedelta(days=rules.password_max_age_days)
    )
    return OfficerAccount(
        tenant=tenant,
        id=officer.id,
        username=officer.username,
        name=officer.name,
        mobile=officer.mobile,
        unit_id=unit.id,
        unit_code=unit.division_code,
        unit_name=unit.name,
        unit_level=unit.level,
        positions=positions,
        permissions=permissions.of(positions),
        active=officer.active,
        must_change_password=officer.must_change_password,
        password_expired=expired,
        totp_enabled=officer.totp_secret is not None,
        must_enrol_totp=officer.totp_secret is None
        and second_factor_required(rules, administrator=Position.TENANT_ADMIN in positions),
    )


async def load_officer_account(
    session: AsyncSession,
    tenant: str,
    officer_id: uuid.UUID,
    rules: SecurityRules,
    permissions: PostPermissions,
) -> OfficerAccount | None:
    found = await repository.officer_with_unit(session, officer_id)
    if found is None:
        return None
    officer, unit = found
    positions = await repository.position_set(session, officer.id)
    return officer_account(tenant, officer, unit, positions, rules, permissions)


async def set_officer_active(
    session: AsyncSession, officer_id: uuid.UUID, active: bool, *, actor: Actor
) -> Officer:
    """Deactivate or reactivate an officer (the caller ends their sessions)."""
    officer = await _officer(session, officer_id)
    if officer.active == active:
        return officer
    if not active:
        await _keep_a_province_admin(session, officer.id)
    officer.active = active
    await record_tenant_audit(
        session,
        action="officer_reactivated" if active else "officer_deactivated",
        actor=actor,
        target=f"{officer.name}（{officer.username}）",
        summary=("启用" if active else "停用") + f"工作人员 {officer.name}",
    )
    return officer


async def admin_set_password(
    session: AsyncSession, officer_id: uuid.UUID, password: str, *, rules: SecurityRules, actor: Actor
) -> Officer:
    """An administrator sets a new password; the officer must replace it at next sign-in, and
    sign-in locks on the account are lifted."""
    officer = await _officer(session, officer_id)
    problems = Problems()
    _check_password(problems, password, rules, identifiers=(officer.username, officer.mobile or ""))
    problems.raise_if_any()
    officer.password_hash = await make_password_hash(password)
    officer.password_changed_at = utcnow()
    officer.must_change_password = True
    await repository.clear_failures(session, TenantSignInFailure, "officer", f"a:{officer.id}", None)
    await record_tenant_audit(
        session,
        action="officer_password_reset",
        actor=actor,
        target=f"{officer.name}（{officer.username}）",
        summary=f"为 {officer.name} 重置密码",
    )
    return officer


async def grant_position(
    session: AsyncSession, officer_id: uuid.UUID, position: str, *, actor: Actor
) -> bool:
    """Give an officer a post; False if they already held it."""
    post = _position(position)
    officer = await _officer(session, officer_id)
    added = await repository.add_position(session, officer.id, post.value, actor.name or "")
    if added:
        await record_tenant_audit(
            session,
            action="position_granted",
            actor=actor,
            target=f"{officer.name}（{officer.username}）",
            summary=f"授予 {officer.name} {post.label}岗位",
            details={"position": post.value},
        )
    return added


async def withdraw_position(
    session: AsyncSession, officer_id: uuid.UUID, position: str, *, actor: Actor
) -> bool:
    """Take a post back; the last active tenant administrator keeps theirs."""
    post = _position(position)
    officer = await _officer(session, officer_id)
    if post is Position.TENANT_ADMIN:
        await _keep_a_province_admin(session, officer.id)
    removed = await repository.remove_position(session, officer.id, post.value)
    if removed:
        await record_tenant_audit(
            session,
            action="position_withdrawn",
            actor=actor,
            target=f"{officer.name}（{officer.username}）",
            summary=f"收回 {officer.name} {post.label}岗位",
            details={"position": post.value},
        )
    return removed


async def _keep_a_province_admin(session: AsyncSession, leaving: uuid.UUID) -> None:
    """The province bureau keeps at least one active administrator: tenant-wide settings, the
    audit log and the first officers of every unit depend on one."""
    admins = await repository.province_admins(session, Position.TENANT_ADMIN.value)
    if leaving in admins and len(admins) <= 1:
        raise FormErrors({"": "省局至少需要保留一名在岗的系统管理员"})


def _position(value: str) -> Position:
    try:
        return Position(value)
    except ValueError:
        raise FormErrors({"position": f"岗位不存在：{value}"}) from None


async def _officer(session: AsyncSession, officer_id: uuid.UUID) -> Officer:
    officer = await repository.officer_by_id(session, officer_id)
    if officer is None:
        raise LookupError(officer_id)
    return officer


async def list_officers(
    session: AsyncSession,
    *,
    unit_id: int | None = None,
    text_query: str | None = None,
    limit: int = 500,
    unit_ids: Collection[int] | None = None,
) -> list[OfficerRead]:
    """Officers (with unit and posts), optionally of one unit or of a set of units."""
    rows = await repository.search_officers(
        session, unit_id=unit_id, text_query=text_query, limit=limit, unit_ids=unit_ids
    )
    return await _reads(session, rows)


async def officer_names(session: AsyncSession, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    """Names of just these officers (for lists and histories), in one query."""
    return await repository.names_of_officers(session, {i for i in ids if i is not None})


async def get_officer(session: AsyncSession, officer_id: uuid.UUID) -> OfficerRead | None:
    rows = await repository.search_officers(
        session, unit_id=None, text_query=None, limit=1, officer_id=officer_id
    )
    return (await _reads(session, rows))[0] if rows else None


async def _reads(session: AsyncSession, rows: Sequence[tuple[Officer, BureauUnit]]) -> list[OfficerRead]:
    held = await repository.positions_of(session, [officer.id for officer, _unit in rows])
    return [
        OfficerRead(
            id=officer.id,
            username=officer.username,
            name=officer.name,
            unit_id=unit.id,
            unit_name=unit.name,
            unit_parent_id=unit.parent_id,
            positions=sorted(held.get(officer.id, [])),
            active=officer.active,
            mobile=officer.mobile,
            totp_enabled=officer.totp_secret is not None,
        )
        for officer, unit in rows
    ]


async def units_holding_post(session: AsyncSession, position: str) -> set[int]:
    """Units where someone active holds the post: the only ones that can take work for it."""
    return await repository.units_holding_post(session, position)


async def province_officers_holding(session: AsyncSession, posts: Collection[str]) -> list[uuid.UUID]:
    """Active officers of the province bureau holding any of `posts` (for notices to the province)."""
    return await repository.province_officers_holding(session, posts)


async def count_officers(session: AsyncSession) -> int:
    return await repository.count_rows(session, Officer)
