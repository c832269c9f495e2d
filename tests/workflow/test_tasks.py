"""Tasks go to the unit holding authority; officers act by post; colleagues act on behalf."""

import asyncio
import uuid
from datetime import timedelta

import pytest

from pharmreg.audit import SYSTEM
from pharmreg.authority import (
    DelegationForm,
    Units,
    WorkDelegationForm,
    create_work_delegation,
    day_start,
    delegators_for,
    grant_delegation,
    load_policy,
)
from pharmreg.kit.clock import china_today
from pharmreg.kit.forms import FormErrors
from pharmreg.workflow import (
    TaskConflictError,
    TaskSeed,
    claim_task,
    complete_task,
    create_task,
    task_history,
    todo_list,
)
from pharmreg.workflow.models import Task
from tests.people import account_of, authority_model, make_officer, unit_ids

SLUG = "ah"  # Anhui: no demo cases, so these tests own its pools


def session(platform):
    return platform.db.tenant(platform.directory.get(SLUG).schema)


async def officer(platform, username: str, unit: str, positions=("acceptance",), name: str | None = None):
    made = await make_officer(platform, SLUG, username, positions, unit, name=name or username.split(".")[-1])
    return await account_of(platform, SLUG, made)


async def new_task(platform, place: str, ref: str) -> Task:
    async with session(platform) as s, s.begin():
        policy = await load_policy(s, authority_model(platform))
        return await create_task(
            s,
            TaskSeed(
                case_ref=ref,
                subject=f"{ref} 的首次注册申请",
                matter="first_registration",
                division_code=place,
                position="acceptance",
                due_date=china_today() + timedelta(days=5),
            ),
            policy=policy,
            units=await Units.load(s),
        )


async def act(platform, action, task: Task, who, **extra):
    async with session(platform) as s, s.begin():
        policy = await load_policy(s, authority_model(platform))
        delegators = await delegators_for(s, who.id)
        current = await s.get(Task, task.id)
        return await action(
            s, task.id, current.version, officer=who, policy=policy, delegators=delegators, **extra
        )


async def test_routing_follows_the_authority(platform) -> None:
    units = await unit_ids(platform, SLUG)
    before = await new_task(platform, "340102", "AH-ROUTE-1")
    assert before.candidate_unit_id == units["340000"]
    admin = await officer(platform, "ah.route.admin", "340000", ("tenant_admin",))
    async with session(platform) as s, s.begin():
        await grant_delegation(
            s,
            DelegationForm(
                delegate_unit_id=units["340100"], matters=("first_registration",), reason="合肥试点"
            ),
            tenant=platform.directory.get(SLUG),
            grantor=admin,
            divisions=platform.index,
            policy=await load_policy(s, authority_model(platform)),
            actor=SYSTEM,
        )
    after = await new_task(platform, "340102", "AH-ROUTE-2")
    elsewhere = await new_task(platform, "340202", "AH-ROUTE-3")
    assert after.candidate_unit_id == units["340100"]
    assert elsewhere.candidate_unit_id == units["340000"]


async def test_officers_need_the_post_and_the_unit(platform) -> None:
    task = await new_task(platform, "340202", "AH-POST-1")  # Wuhu: the province's pool
    reviewer = await officer(platform, "ah.post.reviewer", "340000", ("review",))
    city_clerk = await officer(platform, "ah.post.wuhu", "340200")
    with pytest.raises(FormErrors) as wrong_post:
        await act(platform, claim_task, task, reviewer)
    assert "您没有受理岗位" in wrong_post.value.errors[""]
    with pytest.raises(FormErrors) as wrong_unit:
        await act(platform, claim_task, task, city_clerk)
    assert "本单位没有该地区该事项的审批权限" in wrong_unit.value.errors[""]


async def test_two_officers_claiming_at_once_one_wins(platform) -> None:
    task = await new_task(platform, "340302", "AH-RACE-1")
    first = await officer(platform, "ah.race.first", "340000")
    second = await officer(platform, "ah.race.second", "340000")
    policy_first = policy_second = None
    async with session(platform) as a, session(platform) as b:
        await a.begin()
        await b.begin()
        policy_first = await load_policy(a, authority_model(platform))
        policy_second = await load_policy(b, authority_model(platform))
        await claim_task(a, task.id, 1, officer=first, policy=policy_first, delegators={})
        # The second claim reads the same version and waits on the first one's row lock ...
        racing = asyncio.create_task(
            claim_task(b, task.id, 1, officer=second, policy=policy_second, delegators={})
        )
        await asyncio.sleep(0.2)
        await a.commit()
        # ... and loses when the first commits.
        with pytest.raises(TaskConflictError, match="刚刚被其他同事处理过"):
            await racing
        await b.rollback()
    history = await _history(platform, task.id)
    assert [(h.action, h.actor_name) for h in history] == [("created", None), ("claimed", "first")]


async def _history(platform, task_id):
    async with session(platform) as s:
        return await task_history(s, task_id)


async def test_a_colleague_acts_on_behalf_and_history_names_both(platform) -> None:
    task = await new_task(platform, "340402", "AH-BEHALF-1")
    away = await officer(platform, "ah.behalf.away", "340000")
    cover = await officer(platform, "ah.behalf.cover", "340000")
    stranger = await officer(platform, "ah.behalf.stranger", "340000")
    await act(platform, claim_task, task, away)
    with pytest.raises(FormErrors, match="已由其他同事认领"):
        await act(platform, complete_task, task, cover, note="", actor=SYSTEM)
    today = china_today()
    async with session(platform) as s, s.begin():
        await create_work_delegation(
            s,
            WorkDelegationForm(
                to_officer_id=cover.id,
                valid_from=f"{today}",
                valid_to=f"{today + timedelta(days=7)}",
                reason="外出培训",
                matters=("first_registration",),
            ),
            officer=away,
            actor=SYSTEM,
        )
    async with session(platform) as s:
        listed = await todo_list(s, cover, await delegators_for(s, cover.id), platform.index)
        assert [t.on_behalf_of for t in listed if t.id == task.id] == ["away"]
        others = await todo_list(s, stranger, await delegators_for(s, stranger.id), platform.index)
        assert task.id not in {t.id for t in others}  # claimed by away, not delegated to stranger
    await act(platform, complete_task, task, cover, note="材料齐全，予以受理", actor=SYSTEM)
    history = await _history(platform, task.id)
    assert (history[-1].action, history[-1].actor_name, history[-1].on_behalf_of_name) == (
        "completed",
        "cover",
        "away",
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"to": "self"}, "to_officer_id", "请选择本单位的一位在岗同事"),
        ({"to": "other_unit"}, "to_officer_id", "请选择本单位的一位在岗同事"),
        ({"to": "other_post"}, "to_officer_id", "没有与您相同的办理岗位"),
        ({"valid_from": -1}, "valid_from", "开始日期不能早于今天"),
        ({"valid_to": -2}, "valid_to", "结束日期不能早于开始日期"),
        ({"valid_to": 400}, "valid_to", "委托期限最长一年"),
        ({"reason": ""}, "reason", "请填写委托事由"),
        ({"matters": ("knighthood",)}, "matters", "事项不存在"),
    ],
)
async def test_work_delegation_refusals(platform, change, field, message) -> None:
    suffix = uuid.uuid4().hex[:8]
    me = await officer(platform, f"ah.wd.me.{suffix}", "340000", name="委托人")
    mate = await officer(platform, f"ah.wd.mate.{suffix}", "340000", name="同事甲")
    targets = {
        "self": me,
        "other_unit": await officer(platform, f"ah.wd.far.{suffix}", "340100", name="外单位"),
        "other_post": await officer(platform, f"ah.wd.rev.{suffix}", "340000", ("review",), name="审核员"),
    }
    today = china_today()
    form = WorkDelegationForm(
        to_officer_id=targets[change["to"]].id if "to" in change else mate.id,
        valid_from=f"{today + timedelta(days=change.get('valid_from', 0))}",
        valid_to=f"{today + timedelta(days=change.get('valid_to', 3))}",
        reason=change.get("reason", "休假"),
        matters=change.get("matters", ()),
    )
    async with session(platform) as s, s.begin():
        with pytest.raises(FormErrors) as refused:
            await create_work_delegation(s, form, officer=me, actor=SYSTEM)
    assert message in refused.value.errors[field]


async def test_work_delegation_ends_by_itself(platform) -> None:
    me = await officer(platform, "ah.wd.ends.me", "340000")
    mate = await officer(platform, "ah.wd.ends.mate", "340000")
    today = china_today()
    async with session(platform) as s, s.begin():
        await create_work_delegation(
            s,
            WorkDelegationForm(
                to_officer_id=mate.id,
                valid_from=f"{today}",
                valid_to=f"{today + timedelta(days=2)}",
                reason="出差",
            ),
            officer=me,
            actor=SYSTEM,
        )
    async with session(platform) as s:
        assert me.id in await delegators_for(s, mate.id)
        assert me.id not in await delegators_for(s, mate.id, day_start(today + timedelta(days=3)))
        assert me.id in await delegators_for(
            s, mate.id, day_start(today + timedelta(days=3)) - timedelta(seconds=1)
        )
