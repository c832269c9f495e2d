"""Use cases of the risk flags: the rules' settings, the scan that raises and updates flags, and
the workflow open -> sent (to the province) -> dismissed | confirmed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.kit.clock import utcnow
from pharmreg.kit.forms import FormErrors
from pharmreg.supervision.risk import repository
from pharmreg.supervision.risk.models import RiskFlag, RiskFlagEvent
from pharmreg.supervision.risk.rules import (
    EVENT_LABELS,
    OUTCOMES,
    RESOLVED,
    RULES,
    SCOPE_LABELS,
    STATES,
    UNIT_STATUS_LABELS,
    UNIT_TYPE_SCOPES,
    RuleSettings,
    check_settings,
    settings_of,
)
from pharmreg.supervision.risk.schemas import FlagEventRead, FlagRead, ScanReport

MAX_NOTE = 500


class FlagNotFoundError(LookupError):
    """No such flag, or not one of the province's."""


@dataclass(frozen=True, slots=True)
class Detection:
    """What a rule found about one subject; `evidence` items each carry a stable "key"."""

    subject: str
    tenant: str
    summary: str
    evidence: list[dict[str, Any]]
    registration_id: int | None = None
    practice_unit_id: int | None = None
    person_hash: str | None = None


# --- settings ----------------------------------------------------------------------------------


async def rule_settings(session: AsyncSession) -> list[RuleSettings]:
    """Every rule with its settings in force (defaults where none were saved)."""
    stored = await repository.rule_settings(session)
    shown = []
    for name, rule in RULES.items():
        row = stored.get(name)
        shown.append(settings_of(rule, row.enabled if row else None, row.params if row else None))
    return shown


async def save_rule_settings(
    session: AsyncSession, rule_name: str, form: Mapping[str, str], *, by: str
) -> RuleSettings:
    """Save one rule's settings from its form; FormErrors (Chinese) for an unknown rule or a bad value."""
    try:
        rule, enabled, values = check_settings(rule_name, form)
    except ValueError as exc:
        raise FormErrors(getattr(exc, "errors", {"": str(exc)})) from None
    await repository.save_rule_setting(session, rule.name, enabled=enabled, params=values, by=by)
    return settings_of(rule, enabled, values)


# --- detection ---------------------------------------------------------------------------------


def _unit(tenant: str, unit_id: int | None) -> str:
    return f"{tenant} 执业单位 {unit_id}"


async def _frequent_changes(session: AsyncSession, s: RuleSettings, today: date) -> list[Detection]:
    since = _months_before(today, s["months"])
    rows = await repository.unit_changes(session, since=since, min_changes=s["min_changes"])
    by_person: dict[str, list[Any]] = {}
    for row in rows:
        by_person.setdefault(row.person_hash, []).append(row)
    found = []
    for person, changes in by_person.items():
        last = changes[-1]
        evidence = [
            {
                "key": f"{c.tenant}:{c.event_id}",
                "on": c.effective_on.isoformat(),
                "tenant": c.tenant,
                "text": f"{c.effective_on:%Y-%m-%d} {_unit(c.prev_tenant, c.prev_unit)} → "
                f"{_unit(c.tenant, c.practice_unit_id)}"
                + ("（跨省转入）" if c.prev_tenant != c.tenant else ""),
            }
            for c in changes
        ]
        found.append(
            Detection(
                subject=f"person:{person}",
                tenant=last.current_tenant,
                registration_id=last.current_registration,
                person_hash=person,
                summary=f"{since:%Y-%m-%d} 以来变更执业单位 {len(changes)} 次（阈值 {s['min_changes']} 次）",
                evidence=evidence,
            )
        )
    return found


def _about_registration(r: Any, summary: str, key: str, text: str) -> Detection:
    """A flag about one registration (a row with tenant, registration, unit and person), with one
    piece of evidence."""
    return Detection(
        subject=f"registration:{r.tenant}:{r.registration_id}",
        tenant=r.tenant,
        registration_id=r.registration_id,
        practice_unit_id=r.practice_unit_id,
        person_hash=r.person_hash,
        summary=summary,
        evidence=[
            {
                "key": key,
                "tenant": r.tenant,
                "registration_id": r.registration_id,
                "practice_unit_id": r.practice_unit_id,
                "text": text,
            }
        ],
    )


async def _unit_licence(session: AsyncSession, s: RuleSettings, today: date) -> list[Detection]:
    rows = await repository.at_barred_units(
        session, today=today, expired_before=today - timedelta(days=s["grace_days"])
    )
    found = []
    for r in rows:
        if r.status != "active":
            what = f"执业单位状态：{UNIT_STATUS_LABELS.get(r.status, r.status)}"
        else:
            what = f"执业单位许可证已于 {r.licence_valid_until:%Y-%m-%d} 过期"
        found.append(
            _about_registration(
                r,
                f"有效注册所在{_unit(r.tenant, r.practice_unit_id)}：{what}",
                f"unit:{r.practice_unit_id}:{r.status}:{r.licence_valid_until.isoformat()}",
                f"注册 {r.registration_id} 在{_unit(r.tenant, r.practice_unit_id)}；{what}",
            )
        )
    return found


async def _unit_scope(session: AsyncSession, s: RuleSettings, today: date) -> list[Detection]:
    allowed = [(t, scope) for t, scopes in UNIT_TYPE_SCOPES.items() for scope in scopes]
    rows = await repository.outside_unit_scope(
        session, today=today, allowed=allowed, unit_types=UNIT_TYPE_SCOPES
    )
    found = []
    for r in rows:
        permitted = "、".join(SCOPE_LABELS[x] for x in sorted(UNIT_TYPE_SCOPES[r.unit_type]))
        what = f"执业范围 {SCOPE_LABELS.get(r.scope, r.scope)}，该类单位只允许 {permitted}"
        found.append(
            _about_registration(
                r,
                what,
                f"scope:{r.practice_unit_id}:{r.unit_type}:{r.scope}",
                f"注册 {r.registration_id} 在{_unit(r.tenant, r.practice_unit_id)}：{what}",
            )
        )
    return found


async def _crowded_retail(session: AsyncSession, s: RuleSettings, today: date) -> list[Detection]:
    rows = await repository.crowded_retail_units(session, today=today, more_than=s["max_pharmacists"])
    return [
        Detection(
            subject=f"unit:{r.tenant}:{r.practice_unit_id}",
            tenant=r.tenant,
            practice_unit_id=r.practice_unit_id,
            summary=f"{_unit(r.tenant, r.practice_unit_id)} 有效注册执业药师 {r.pharmacists} 人"
            f"（上限 {s['max_pharmacists']} 人）",
            evidence=[
                {
                    "key": f"{r.tenant}:{registration}",
                    "tenant": r.tenant,
                    "registration_id": registration,
                    "practice_unit_id": r.practice_unit_id,
                    "text": f"注册 {registration} 在该单位有效",
                }
                for registration in r.registrations
            ],
        )
        for r in rows
    ]


async def _renewal_cluster(session: AsyncSession, s: RuleSettings, today: date) -> list[Detection]:
    rows = await repository.around_licence_renewal(
        session, days_before=s["days_before"], days_after=s["days_after"], licence_years=s["licence_years"]
    )
    found = []
    for r in rows:
        what = (
            f"{r.arrived_on:%Y-%m-%d} 注册，{r.left_on:%Y-%m-%d} 注销；"
            f"单位许可证换发日 {r.renewed_on:%Y-%m-%d}（换证前 {(r.renewed_on - r.arrived_on).days} 天注册、"
            f"换证后 {(r.left_on - r.renewed_on).days} 天注销）"
        )
        found.append(
            _about_registration(
                r,
                f"{_unit(r.tenant, r.practice_unit_id)}换证前后注册又注销",
                f"renewal:{r.practice_unit_id}:{r.renewed_on.isoformat()}",
                f"注册 {r.registration_id}：{what}",
            )
        )
    return found


async def _retirement_age(session: AsyncSession, s: RuleSettings, today: date) -> list[Detection]:
    rows = await repository.born_by(session, today=today, born_in_or_before=today.year - s["min_age"])
    return [
        _about_registration(
            r,
            f"{r.birth_year} 年出生，今年 {today.year - r.birth_year} 周岁，仍有有效注册",
            f"age:{r.tenant}:{r.registration_id}",
            f"注册 {r.registration_id} 有效，在{_unit(r.tenant, r.practice_unit_id)}；"
            f"出生年份 {r.birth_year}（{today.year - r.birth_year} 周岁）",
        )
        for r in rows
    ]


Detector = Callable[[AsyncSession, RuleSettings, date], Awaitable[list[Detection]]]
DETECTORS: dict[str, Detector] = {
    "frequent_changes": _frequent_changes,
    "unit_licence": _unit_licence,
    "unit_scope": _unit_scope,
    "crowded_retail": _crowded_retail,
    "renewal_cluster": _renewal_cluster,
    "retirement_age": _retirement_age,
}


def _months_before(day: date, months: int) -> date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


async def scan_risks(session: AsyncSession, *, today: date) -> ScanReport:
    """Run every enabled rule over the national facts and bring the flags up to date: one flag per
    rule and subject; an open or sent flag takes the new evidence; a resolved flag opens again only
    when evidence it never had appears. Idempotent: a second scan of the same facts writes nothing."""
    report = ScanReport()
    for settings in await rule_settings(session):
        if not settings.enabled:
            continue
        name = settings.rule.name
        detections = await DETECTORS[name](session, settings, today)
        report.found[name] = len(detections)
        opened, updated, reopened = await _apply(session, name, detections)
        report.opened[name], report.updated[name], report.reopened[name] = opened, updated, reopened
    return report


async def _apply(session: AsyncSession, rule: str, detections: list[Detection]) -> tuple[int, int, int]:
    existing = await repository.flags_of_rule(session, rule)
    opened = updated = reopened = 0
    seen: set[str] = set()
    now = utcnow()
    for d in detections:
        if d.subject in seen:
            continue
        seen.add(d.subject)
        keys = [item["key"] for item in d.evidence]
        flag = existing.get(d.subject)
        if flag is None:
            flag = repository.add_flag(
                session,
                {
                    "rule": rule,
                    "subject": d.subject,
                    "tenant": d.tenant,
                    "registration_id": d.registration_id,
                    "practice_unit_id": d.practice_unit_id,
                    "person_hash": d.person_hash,
                    "state": "open",
                    "summary": d.summary[:300],
                    "evidence": d.evidence,
                    "seen_keys": keys,
                    "matching": True,
                },
            )
            await session.flush()
            repository.add_event(session, flag, "detected", note=d.summary[:MAX_NOTE])
            opened += 1
            continue
        known = set(flag.seen_keys)
        new = [k for k in keys if k not in known]
        if new:
            flag.seen_keys = [*flag.seen_keys, *new]
            flag.updated_at = now
            note = f"新情况 {len(new)} 项：{d.summary}"[:MAX_NOTE]
            if flag.state in RESOLVED:
                flag.state, flag.outcome_reason = "open", None
                repository.add_event(session, flag, "reopened", note=note)
                reopened += 1
            else:
                repository.add_event(session, flag, "evidence", note=note)
                updated += 1
        if new or flag.evidence != d.evidence or not flag.matching or flag.summary != d.summary[:300]:
            flag.evidence, flag.summary, flag.matching = d.evidence, d.summary[:300], True
            if flag.state == "open":
                # Not yet with a province: it goes to where the subject is now.
                flag.tenant, flag.registration_id = d.tenant, d.registration_id
    for subject, flag in existing.items():
        if subject not in seen and flag.matching:
            flag.matching = False
    await session.flush()
    return opened, updated, reopened


# --- reading -----------------------------------------------------------------------------------


def _read(flag: RiskFlag) -> FlagRead:
    return FlagRead(
        id=flag.id,
        rule=flag.rule,
        rule_label=RULES[flag.rule].label if flag.rule in RULES else flag.rule,
        tenant=flag.tenant,
        registration_id=flag.registration_id,
        practice_unit_id=flag.practice_unit_id,
        state=flag.state,
        state_label=STATES.get(flag.state, flag.state),
        summary=flag.summary,
        evidence=list(flag.evidence or []),
        matching=flag.matching,
        detected_at=flag.detected_at,
        updated_at=flag.updated_at,
        outcome_reason=flag.outcome_reason,
    )


def _event_read(event: RiskFlagEvent) -> FlagEventRead:
    return FlagEventRead(
        at=event.at,
        kind=event.kind,
        kind_label=EVENT_LABELS.get(event.kind, event.kind),
        actor_name=event.actor_name,
        actor_place=event.actor_place,
        note=event.note,
    )


@dataclass(frozen=True, slots=True)
class FlagFilter:
    """The list's filters, each already checked against what exists (unknown ones dropped)."""

    rule: str | None = None
    tenant: str | None = None
    state: str | None = None
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)


PAGE_SIZE = 50


def flag_filter(rule: str, tenant: str, state: str, page: str, *, tenants: Mapping[str, str]) -> FlagFilter:
    """The list's filters from the query string; an unknown value is named in Chinese, not used."""
    errors = {}
    if rule and rule not in RULES:
        errors["rule"] = "未知的风险规则"
    if tenant and tenant not in tenants:
        errors["province"] = "未知的省份"
    if state and state not in STATES:
        errors["status"] = "未知的处理状态"
    number = int(page) if page.isdecimal() and 0 < len(page) <= 6 else 1
    return FlagFilter(
        rule=rule if rule in RULES else None,
        tenant=tenant if tenant in tenants else None,
        state=state if state in STATES else None,
        page=max(number, 1),
        errors=errors,
    )


async def list_flags(session: AsyncSession, chosen: FlagFilter) -> tuple[list[FlagRead], int]:
    rows, total = await repository.flags(
        session,
        rule=chosen.rule,
        tenant=chosen.tenant,
        state=chosen.state,
        limit=PAGE_SIZE,
        offset=(chosen.page - 1) * PAGE_SIZE,
    )
    return [_read(r) for r in rows], total


async def get_flag(
    session: AsyncSession, flag_id: int, *, tenant: str | None = None
) -> tuple[FlagRead, list[FlagEventRead]]:
    """A flag and its history; with `tenant`, only a flag about that province (else FlagNotFoundError)."""
    row = await repository.flag(session, flag_id, tenant=tenant)
    if row is None:
        raise FlagNotFoundError(flag_id)
    return _read(row), [_event_read(e) for e in await repository.flag_events(session, flag_id)]


# --- workflow ----------------------------------------------------------------------------------


async def send_flag(session: AsyncSession, flag_id: int, *, note: str, actor_name: str) -> FlagRead:
    """National staff send an open flag to its province for verification, with a note."""
    row = await repository.flag(session, flag_id, for_update=True)
    if row is None:
        raise FlagNotFoundError(flag_id)
    note = note.strip()
    errors = {}
    if row.state != "open":
        errors[""] = f"该线索当前为“{STATES.get(row.state, row.state)}”，只有待处理的线索可以转省级核实"
    if len(note) < 2:
        errors["note"] = "请写明需要省级核实的事项"
    elif len(note) > MAX_NOTE:
        errors["note"] = f"说明不超过 {MAX_NOTE} 字"
    if errors:
        raise FormErrors(errors)
    row.state, row.updated_at = "sent", utcnow()
    repository.add_event(session, row, "sent", actor_name=actor_name, actor_place="national", note=note)
    await session.flush()
    return _read(row)


async def record_outcome(
    session: AsyncSession, flag_id: int, *, tenant: str, outcome: str, reason: str, actor_name: str
) -> FlagRead:
    """The province records what verification found: dismissed (with its reason) or confirmed."""
    row = await repository.flag(session, flag_id, tenant=tenant, for_update=True)
    if row is None:
        raise FlagNotFoundError(flag_id)
    reason = reason.strip()
    errors = {}
    if row.state != "sent":
        errors[""] = f"该线索当前为“{STATES.get(row.state, row.state)}”，不在待核实状态"
    if outcome not in OUTCOMES:
        errors["outcome"] = "请选择核实结果"
    elif outcome == "dismissed" and len(reason) < 4:
        errors["reason"] = "排除线索须写明理由（至少 4 个字），如现场检查结果"
    if len(reason) > MAX_NOTE:
        errors["reason"] = f"说明不超过 {MAX_NOTE} 字"
    if errors:
        raise FormErrors(errors)
    row.state, row.outcome_reason, row.updated_at = outcome, reason or None, utcnow()
    repository.add_event(
        session, row, outcome, actor_name=actor_name, actor_place=tenant, note=reason or None
    )
    await session.flush()
    return _read(row)
