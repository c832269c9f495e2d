"""Approval processes as data, and the pure state machine cases move through.

Plain values in, plain values out: no database, so every rule is tested directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any


class StepKind(StrEnum):
    ACCEPTANCE = "acceptance"
    REVIEW = "review"
    DECISION = "decision"

    @property
    def label(self) -> str:
        return {"acceptance": "受理", "review": "审核", "decision": "审批决定"}[self.value]


class Action(StrEnum):
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    RESUBMIT = "resubmit"
    ACCEPT = "accept"
    DEEM_ACCEPT = "deem_accept"
    SUPPLEMENT = "supplement"
    NOT_ACCEPT = "not_accept"
    FORWARD = "forward"
    RETURN = "return"
    APPROVE = "approve"
    REFUSE = "refuse"
    COMMENT = "comment"
    SUSPEND = "suspend"
    RESUME = "resume"
    REMIND = "remind"
    ESCALATE = "escalate"

    @property
    def label(self) -> str:
        return _ACTION_LABELS[self]


_ACTION_LABELS = {
    Action.SUBMIT: "提交申请",
    Action.WITHDRAW: "撤回申请",
    Action.RESUBMIT: "提交补正材料",
    Action.ACCEPT: "受理",
    Action.DEEM_ACCEPT: "逾期未告知，视为受理",
    Action.SUPPLEMENT: "一次性告知补正",
    Action.NOT_ACCEPT: "不予受理",
    Action.FORWARD: "审核通过，提交下一环节",
    Action.RETURN: "退回",
    Action.APPROVE: "准予注册",
    Action.REFUSE: "不予注册",
    Action.COMMENT: "填写意见",
    Action.SUSPEND: "中止办理",
    Action.RESUME: "恢复办理",
    Action.REMIND: "期限提醒",
    Action.ESCALATE: "超期督办",
}

# What each kind of step must offer, and what an administrator may add or leave out.
REQUIRED_ACTIONS = {
    StepKind.ACCEPTANCE: frozenset({Action.ACCEPT, Action.SUPPLEMENT, Action.NOT_ACCEPT}),
    StepKind.REVIEW: frozenset({Action.FORWARD}),
    StepKind.DECISION: frozenset({Action.APPROVE, Action.REFUSE}),
}
OPTIONAL_ACTIONS = {
    StepKind.ACCEPTANCE: frozenset({Action.COMMENT}),
    StepKind.REVIEW: frozenset({Action.RETURN, Action.COMMENT}),
    StepKind.DECISION: frozenset({Action.RETURN, Action.COMMENT}),
}
# Officer actions that end the case.
CLOSING = frozenset({Action.NOT_ACCEPT, Action.APPROVE, Action.REFUSE, Action.WITHDRAW})
# Officer actions that judge the materials: the acting officer must have opened every one.
DECIDES_ON_MATERIALS = frozenset(
    {Action.ACCEPT, Action.SUPPLEMENT, Action.NOT_ACCEPT, Action.FORWARD, Action.APPROVE, Action.REFUSE}
)


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SUPPLEMENT = "supplement"
    PROCESSING = "processing"
    APPROVED = "approved"
    REFUSED = "refused"
    NOT_ACCEPTED = "not_accepted"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def closed(self) -> bool:
        return self in (Status.APPROVED, Status.REFUSED, Status.NOT_ACCEPTED, Status.WITHDRAWN)


_STATUS_LABELS = {
    Status.DRAFT: "暂存",
    Status.SUBMITTED: "待受理",
    Status.SUPPLEMENT: "待补正",
    Status.PROCESSING: "审查中",
    Status.APPROVED: "准予注册",
    Status.REFUSED: "不予注册",
    Status.NOT_ACCEPTED: "不予受理",
    Status.WITHDRAWN: "已撤回",
}


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    label: str
    kind: StepKind
    position: str
    limit_days: int
    actions: frozenset[Action]


@dataclass(frozen=True, slots=True)
class Process:
    matter: str
    version: int
    steps: tuple[Step, ...]
    acceptance_days: int = 5
    statutory_days: int = 20
    promised_days: int = 15

    def step(self, key: str | None) -> Step | None:
        return next((s for s in self.steps if s.key == key), None)

    def after(self, key: str) -> Step | None:
        keys = [s.key for s in self.steps]
        index = keys.index(key)
        return self.steps[index + 1] if index + 1 < len(self.steps) else None

    def earlier_than(self, key: str) -> list[Step]:
        """Steps a case may be returned to from `key` (never back to acceptance)."""
        keys = [s.key for s in self.steps]
        return [s for s in self.steps[: keys.index(key)] if s.kind is not StepKind.ACCEPTANCE]


@dataclass(frozen=True, slots=True)
class CaseState:
    status: Status
    step: str | None = None
    supplement_used: bool = False
    suspended: bool = False


@dataclass(frozen=True, slots=True)
class Transition:
    state: CaseState
    # The step whose task opens next (None: no task, the case waits for the applicant or is closed).
    open_step: Step | None
    # Clock effects for the service: "start" the statutory clock, "stop" or "resume" it.
    clock: str | None = None


class ActionRefused(ValueError):
    """The action is not possible in the case's state; the message says why, in Chinese."""


def transition(
    process: Process, state: CaseState, action: Action, *, target: str | None = None
) -> Transition:
    """Where `action` takes a case in `state`, or ActionRefused."""
    if state.status.closed:
        label = state.status.label
        raise ActionRefused(f"该申请{label if label.startswith('已') else '已' + label}，不能再办理")
    if state.suspended and action not in (Action.RESUME, Action.COMMENT):
        raise ActionRefused("该申请已中止办理，请先恢复办理")
    first = process.steps[0]
    step = process.step(state.step)
    match action:
        case Action.SUBMIT:
            _need(state.status is Status.DRAFT, "只有暂存的申请可以提交")
            return Transition(replace(state, status=Status.SUBMITTED, step=first.key), first)
        case Action.WITHDRAW:
            _need(state.status in (Status.SUBMITTED, Status.SUPPLEMENT), "申请已受理，不能撤回")
            return Transition(replace(state, status=Status.WITHDRAWN, step=None), None)
        case Action.RESUBMIT:
            _need(state.status is Status.SUPPLEMENT, "该申请没有待补正的材料")
            return Transition(replace(state, status=Status.SUBMITTED, step=first.key), first, clock="resume")
        case Action.COMMENT:
            _need(state.status is not Status.DRAFT, "申请尚未提交")
            return Transition(state, None)
        case Action.SUSPEND:
            _need(state.status is Status.PROCESSING, "只有受理后审查中的申请可以中止")
            return Transition(replace(state, suspended=True), None, clock="stop")
        case Action.RESUME:
            _need(state.suspended, "该申请没有中止")
            return Transition(replace(state, suspended=False), None, clock="resume")
        case Action.REMIND | Action.ESCALATE:
            _need(state.status in (Status.SUBMITTED, Status.PROCESSING), "该申请不在办理中")
            return Transition(state, None)
    # Officer actions on the current step.
    _need(
        state.status in (Status.SUBMITTED, Status.PROCESSING) and step is not None, "该申请当前不在办理环节"
    )
    assert step is not None
    if action is not Action.DEEM_ACCEPT and action not in step.actions:
        raise ActionRefused(f"“{step.label}”环节不能{action.label}")
    match action:
        case Action.ACCEPT | Action.DEEM_ACCEPT:
            _need(step.kind is StepKind.ACCEPTANCE and state.status is Status.SUBMITTED, "该申请不在受理环节")
            following = process.after(step.key)
            assert following is not None  # validate_process guarantees a decision step
            return Transition(
                replace(state, status=Status.PROCESSING, step=following.key), following, "start"
            )
        case Action.SUPPLEMENT:
            _need(not state.supplement_used, "一次性告知已经发出，不能再次要求补正")
            return Transition(
                replace(state, status=Status.SUPPLEMENT, step=None, supplement_used=True), None, clock="stop"
            )
        case Action.NOT_ACCEPT:
            return Transition(replace(state, status=Status.NOT_ACCEPTED, step=None), None)
        case Action.FORWARD:
            following = process.after(step.key)
            _need(following is not None, "这是最后一个环节，请作出决定")
            return Transition(replace(state, step=following.key if following else None), following)
        case Action.RETURN:
            allowed = {s.key: s for s in process.earlier_than(step.key)}
            _need(bool(allowed), "没有可以退回的环节")
            back = allowed.get(target or "")
            _need(back is not None, "请选择要退回的环节")
            return Transition(replace(state, step=target), back)
        case Action.APPROVE:
            return Transition(replace(state, status=Status.APPROVED, step=None), None)
        case Action.REFUSE:
            return Transition(replace(state, status=Status.REFUSED, step=None), None)
    raise ActionRefused(f"不支持的操作：{action.label}")


def _need(condition: bool, message: str) -> None:
    if not condition:
        raise ActionRefused(message)


def _step(key: str, kind: StepKind, position: str, days: int, extra: Iterable[Action] = ()) -> Step:
    return Step(key, kind.label, kind, position, days, REQUIRED_ACTIONS[kind] | frozenset(extra))


def national_template(matter: str) -> Process:
    """The national default process of a matter; a province starts from it and may adapt it."""
    acceptance = _step("accept", StepKind.ACCEPTANCE, "acceptance", 5, [Action.COMMENT])
    review = _step("review", StepKind.REVIEW, "review", 8, [Action.RETURN, Action.COMMENT])
    decision = _step("decide", StepKind.DECISION, "decision", 7, [Action.RETURN, Action.COMMENT])
    if matter in ("cancellation", "reissue"):
        return Process(matter, 1, (acceptance, decision), statutory_days=20, promised_days=10)
    return Process(matter, 1, (acceptance, review, decision), statutory_days=20, promised_days=15)


POSITIONS_BY_KIND = {
    StepKind.ACCEPTANCE: ("acceptance",),
    StepKind.REVIEW: ("review", "decision"),
    StepKind.DECISION: ("decision",),
}


def validate_process(process: Process) -> dict[str, str]:
    """Every problem of an edited process, by field; empty when it can be saved."""
    errors: dict[str, str] = {}
    steps = process.steps
    if not steps or steps[0].kind is not StepKind.ACCEPTANCE:
        errors["steps"] = "第一个环节必须是受理"
    elif steps[-1].kind is not StepKind.DECISION:
        errors["steps"] = "最后一个环节必须是审批决定"
    elif any(s.kind is not StepKind.REVIEW for s in steps[1:-1]) or len(steps) < 2:
        errors["steps"] = "受理与决定之间只能是审核环节"
    elif len(steps) > 6:
        errors["steps"] = "环节过多（最多 6 个）"
    keys = [s.key for s in steps]
    if len(set(keys)) != len(keys):
        errors["steps"] = "环节标识不能重复"
    for index, step in enumerate(steps):
        if not step.label.strip() or len(step.label) > 20:
            errors[f"label_{index}"] = "环节名称应为 1–20 个字"
        if step.position not in POSITIONS_BY_KIND[step.kind]:
            errors[f"position_{index}"] = "该岗位不能办理此类环节"
        if not 1 <= step.limit_days <= 20:
            errors[f"limit_{index}"] = "环节时限应为 1–20 个工作日"
        missing = REQUIRED_ACTIONS[step.kind] - step.actions
        unknown = step.actions - REQUIRED_ACTIONS[step.kind] - OPTIONAL_ACTIONS[step.kind]
        if missing or unknown:
            errors[f"actions_{index}"] = "环节操作不完整或不适用"
    if not 1 <= process.acceptance_days <= 5:
        errors["acceptance_days"] = "受理时限应为 1–5 个工作日（法定 5 个工作日内一次性告知）"
    if not 1 <= process.statutory_days <= 20:
        errors["statutory_days"] = "法定时限应为 1–20 个工作日"
    if not 1 <= process.promised_days <= process.statutory_days:
        errors["promised_days"] = "承诺时限应在 1 个工作日与法定时限之间"
    after_acceptance = sum(s.limit_days for s in steps[1:])
    if "statutory_days" not in errors and after_acceptance > process.statutory_days:
        errors["steps"] = errors.get("steps") or f"受理后各环节时限之和（{after_acceptance}）超过法定时限"
    return errors


def process_to_json(process: Process) -> list[dict[str, Any]]:
    return [
        {
            "key": s.key,
            "label": s.label,
            "kind": s.kind.value,
            "position": s.position,
            "limit_days": s.limit_days,
            "actions": sorted(a.value for a in s.actions),
        }
        for s in process.steps
    ]


def steps_from_json(raw: Sequence[Mapping[str, Any]]) -> tuple[Step, ...]:
    return tuple(
        Step(
            key=str(s["key"]),
            label=str(s["label"]),
            kind=StepKind(s["kind"]),
            position=str(s["position"]),
            limit_days=int(s["limit_days"]),
            actions=frozenset(Action(a) for a in s["actions"]),
        )
        for s in raw
    )
