"""The case state machine and process validation, without a database."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pharmreg.workflow import (
    Action,
    ActionRefused,
    CaseState,
    Status,
    StepKind,
    national_template,
    transition,
    validate_process,
)

PROCESS = national_template("first_registration")


def test_the_national_template_is_valid_for_every_matter() -> None:
    for matter in ("first_registration", "change", "renewal", "cancellation", "reissue"):
        assert validate_process(national_template(matter)) == {}
    assert [s.kind for s in national_template("cancellation").steps] == [
        StepKind.ACCEPTANCE,
        StepKind.DECISION,
    ]


def test_a_case_walks_from_draft_to_approval() -> None:
    state = CaseState(Status.DRAFT)
    moved = transition(PROCESS, state, Action.SUBMIT)
    assert moved.state.status is Status.SUBMITTED and moved.open_step.key == "accept"
    moved = transition(PROCESS, moved.state, Action.SUPPLEMENT)
    assert moved.state.status is Status.SUPPLEMENT and moved.open_step is None and moved.clock == "stop"
    moved = transition(PROCESS, moved.state, Action.RESUBMIT)
    assert moved.open_step.key == "accept" and moved.state.supplement_used
    with pytest.raises(ActionRefused, match="一次性告知已经发出"):
        transition(PROCESS, moved.state, Action.SUPPLEMENT)
    moved = transition(PROCESS, moved.state, Action.ACCEPT)
    assert moved.state.step == "review" and moved.clock == "start"
    moved = transition(PROCESS, moved.state, Action.FORWARD)
    assert moved.state.step == "decide"
    back = transition(PROCESS, moved.state, Action.RETURN, target="review")
    assert back.state.step == "review" and back.open_step.key == "review"
    done = transition(PROCESS, moved.state, Action.APPROVE)
    assert done.state.status is Status.APPROVED and done.state.step is None


@pytest.mark.parametrize(
    ("state", "action", "message"),
    [
        (CaseState(Status.SUBMITTED, "accept"), Action.APPROVE, "“受理”环节不能准予注册"),
        (CaseState(Status.PROCESSING, "review"), Action.APPROVE, "不能准予注册"),
        (CaseState(Status.PROCESSING, "decide"), Action.FORWARD, "不能审核通过"),
        (CaseState(Status.APPROVED), Action.REFUSE, "该申请已准予注册，不能再办理"),
        (CaseState(Status.WITHDRAWN), Action.WITHDRAW, "该申请已撤回，不能再办理"),
        (CaseState(Status.PROCESSING, "review"), Action.WITHDRAW, "申请已受理，不能撤回"),
        (CaseState(Status.PROCESSING, "review", suspended=True), Action.FORWARD, "已中止办理"),
        (CaseState(Status.PROCESSING, "review"), Action.RETURN, "没有可以退回的环节"),
        (CaseState(Status.PROCESSING, "decide"), Action.RETURN, "请选择要退回的环节"),
        (CaseState(Status.SUBMITTED, "accept"), Action.SUSPEND, "只有受理后审查中的申请可以中止"),
        (CaseState(Status.DRAFT), Action.RESUBMIT, "没有待补正的材料"),
    ],
)
def test_actions_out_of_turn_are_refused(state, action, message) -> None:
    with pytest.raises(ActionRefused, match=message):
        transition(PROCESS, state, action)


def test_suspension_stops_everything_but_resuming_and_comments() -> None:
    state = CaseState(Status.PROCESSING, "review")
    suspended = transition(PROCESS, state, Action.SUSPEND)
    assert suspended.state.suspended and suspended.clock == "stop"
    assert transition(PROCESS, suspended.state, Action.COMMENT).state == suspended.state
    resumed = transition(PROCESS, suspended.state, Action.RESUME)
    assert not resumed.state.suspended and resumed.clock == "resume"


def test_invalid_processes_are_explained() -> None:
    accept, review, decide = PROCESS.steps
    assert "steps" in validate_process(replace(PROCESS, steps=(review, accept, decide)))
    assert "steps" in validate_process(replace(PROCESS, steps=(accept, review)))
    errors = validate_process(replace(PROCESS, statutory_days=25, promised_days=30))
    assert set(errors) >= {"statutory_days", "promised_days"}
    assert "position_1" in validate_process(
        replace(PROCESS, steps=(accept, replace(review, position="acceptance"), decide))
    )
    assert "actions_2" in validate_process(
        replace(PROCESS, steps=(accept, review, replace(decide, actions=frozenset())))
    )
    long = replace(PROCESS, steps=(accept, replace(review, limit_days=15), replace(decide, limit_days=10)))
    assert "超过法定时限" in validate_process(long)["steps"]
