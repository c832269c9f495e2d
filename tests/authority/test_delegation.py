"""Delegating approval authority and taking it back, as the services enforce it.

Zhejiang (zj) and Fujian (fj) carry these tests: no demo cases live there, and Fujian alone
is moved forward in time (apply_scheduled_changes with a later moment).
"""

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from pharmreg.audit import SYSTEM
from pharmreg.authority import (
    DelegationForm,
    Matter,
    RevocationForm,
    apply_scheduled_changes,
    day_start,
    explain,
    grant_delegation,
    list_delegations,
    load_policy,
    revoke_delegation,
)
from pharmreg.authority.models import Delegation
from pharmreg.kit.clock import china_today
from pharmreg.kit.forms import FormErrors
from tests.people import account_of, authority_model, make_officer, unit_ids

FIRST = Matter.FIRST_REGISTRATION.value


class Province:
    """One tenant's officers and helpers to grant, revoke and ask the current policy."""

    def __init__(self, platform, slug: str) -> None:
        self.platform = platform
        self.slug = slug
        self.tenant = platform.directory.get(slug)
        self.model = authority_model(platform)

    def session(self):
        return self.platform.db.tenant(self.tenant.schema)

    async def officer(self, username: str, unit_code: str, positions=("tenant_admin",)):
        officer = await make_officer(self.platform, self.slug, username, positions, unit_code)
        return await account_of(self.platform, self.slug, officer)

    async def policy(self):
        async with self.session() as session:
            return await load_policy(session, self.model)

    async def grant(self, grantor, **fields):
        units = await unit_ids(self.platform, self.slug)
        delegate = fields.pop("to")
        form = DelegationForm(
            delegate_unit_id=units.get(delegate, 999_999),
            matters=tuple(fields.pop("matters", (FIRST,))),
            reason=fields.pop("reason", "方便群众就近办理"),
            **fields,
        )
        async with self.session() as session, session.begin():
            policy = await load_policy(session, self.model)
            return await grant_delegation(
                session,
                form,
                tenant=self.tenant,
                grantor=grantor,
                divisions=self.platform.index,
                policy=policy,
                actor=SYSTEM,
            )

    async def revoke(self, revoker, delegation_id: int, reason="调整审批层级", effective=""):
        async with self.session() as session, session.begin():
            return await revoke_delegation(
                session,
                delegation_id,
                RevocationForm(reason=reason, effective=effective),
                tenant=self.tenant,
                revoker=revoker,
                actor=SYSTEM,
            )

    async def count(self) -> int:
        async with self.session() as session:
            return int(await session.scalar(select(func.count()).select_from(Delegation)))

    async def holder(self, matter: str, place: str) -> str | None:
        return (await self.policy()).responsible_unit(matter, place)


@pytest.fixture
async def zj(platform):
    return Province(platform, "zj")


@pytest.fixture
async def fj(platform):
    return Province(platform, "fj")


async def test_grant_hands_the_matter_over_and_revoke_takes_it_back(zj) -> None:
    admin = await zj.officer("zj.grant.admin", "330000")
    assert await zj.holder(FIRST, "330106") == "330000"
    [delegation] = await zj.grant(admin, to="330100", valid_to=f"{china_today() + timedelta(days=365)}")
    policy = await zj.policy()
    assert policy.decide("330100", FIRST, "330106").allowed
    assert not policy.decide("330000", FIRST, "330106").allowed  # handed over, not shared
    assert policy.responsible_unit(FIRST, "330106") == "330100"
    assert policy.responsible_unit(FIRST, "330203") == "330000"  # Ningbo stays with the province
    assert policy.responsible_unit(Matter.RENEWAL.value, "330106") == "330000"  # other matters too
    await zj.revoke(admin, delegation.id)
    assert await zj.holder(FIRST, "330106") == "330000"
    states = {d.id: d.state for d in await _all(zj)}
    assert states[delegation.id] == "ended"


async def _all(province):
    async with province.session() as session:
        return await list_delegations(session, province.platform.index, include_ended=True)


async def test_every_problem_is_reported_and_nothing_is_written(zj) -> None:
    admin = await zj.officer("zj.careless.admin", "330000")
    before = await zj.count()
    yesterday = china_today() - timedelta(days=1)
    with pytest.raises(FormErrors) as refused:
        await zj.grant(
            admin,
            to="330200",
            matters=("first_registration", "knighthood"),
            valid_from=f"{yesterday}",
            valid_to=f"{yesterday - timedelta(days=3)}",
            territory=("330106", "330203", "110101"),
            reason="",
        )
    errors = refused.value.errors
    assert "事项不存在：knighthood" in errors["matters"]
    assert "生效日期不能早于今天" in errors["valid_from"]
    assert "截止日期不能早于生效日期" in errors["valid_to"]
    assert "下放理由" in errors["reason"]
    assert "西湖区不在宁波市" in errors["territory"] and "北京市 东城区不" in errors["territory"]
    assert await zj.count() == before


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"to": "110000"}, "delegate_unit_id", "所选单位不属于本省"),
        ({"to": "330000"}, "delegate_unit_id", "不能把权限下放给本单位"),
        ({"to": "330100", "matters": ()}, "matters", "请至少选择一个事项"),
        ({"to": "330100", "valid_from": "2026-13-40"}, "valid_from", "日期格式应为"),
        ({"to": "330100", "territory": ("330100", "330106")}, "territory", "重复覆盖"),
        ({"to": "330100", "territory": ("330103",)}, "territory", "不是现行行政区划"),
    ],
)
async def test_refusals(zj, fields, field, message) -> None:
    admin = await zj.officer(f"zj.refusal.{uuid.uuid4().hex[:8]}", "330000")
    before = await zj.count()
    with pytest.raises(FormErrors) as refused:
        await zj.grant(admin, **fields)
    assert message in refused.value.errors[field]
    assert await zj.count() == before


async def test_overlaps_are_refused(zj) -> None:
    admin = await zj.officer("zj.overlap.admin", "330000")
    [held] = await zj.grant(admin, to="330200", matters=(Matter.CHANGE.value,))
    with pytest.raises(FormErrors) as again:
        await zj.grant(admin, to="330200", matters=(Matter.CHANGE.value,))
    assert "已由宁波市" in again.value.errors["territory"]
    # Nor can the province hand one of Ningbo's districts to the district directly.
    with pytest.raises(FormErrors) as county:
        await zj.grant(admin, to="330203", matters=(Matter.CHANGE.value,))
    assert "已由宁波市" in county.value.errors["territory"]
    # A scheduled delegation counts too: two future grants of the same place cannot overlap.
    start = china_today() + timedelta(days=30)
    await zj.grant(admin, to="330300", matters=(Matter.REISSUE.value,), valid_from=f"{start}")
    with pytest.raises(FormErrors) as scheduled:
        await zj.grant(
            admin,
            to="330300",
            matters=(Matter.REISSUE.value,),
            valid_from=f"{start + timedelta(days=10)}",
        )
    assert "重叠" in scheduled.value.errors["territory"]
    await zj.revoke(admin, held.id)


async def test_redelegation_follows_what_the_city_was_allowed(zj) -> None:
    admin = await zj.officer("zj.chain.admin", "330000")
    city = await zj.officer("zj.chain.city", "330100")
    end = china_today() + timedelta(days=200)
    [closed] = await zj.grant(admin, to="330100", matters=(Matter.RENEWAL.value,), valid_to=f"{end}")
    with pytest.raises(FormErrors) as not_allowed:
        await zj.grant(city, to="330106", matters=(Matter.RENEWAL.value,))
    assert "未允许转授" in not_allowed.value.errors["matters"]
    [opened] = await zj.grant(
        admin, to="330100", matters=(Matter.CANCELLATION.value,), valid_to=f"{end}", may_redelegate=True
    )
    with pytest.raises(FormErrors) as too_long:
        await zj.grant(city, to="330106", matters=(Matter.CANCELLATION.value,))  # open-ended
    assert "不能超出上级下放的期限" in too_long.value.errors["valid_to"]
    with pytest.raises(FormErrors) as unheld:
        await zj.grant(city, to="330106", matters=(Matter.REISSUE.value,), valid_to=f"{end}")
    assert "没有补办注册证的审批权限" in unheld.value.errors["matters"]
    with pytest.raises(FormErrors) as sideways:
        await zj.grant(city, to="330203", matters=(Matter.CANCELLATION.value,), valid_to=f"{end}")
    assert "辖区内的下级单位" in sideways.value.errors["delegate_unit_id"]
    [child] = await zj.grant(city, to="330106", matters=(Matter.CANCELLATION.value,), valid_to=f"{end}")
    assert child.parent_id == opened.id
    assert await zj.holder(Matter.CANCELLATION.value, "330106") == "330106"
    assert await zj.holder(Matter.CANCELLATION.value, "330102") == "330100"
    # The county may not pass it on further, whatever it asks for.
    county = await zj.officer("zj.chain.county", "330106")
    with pytest.raises(FormErrors):
        await zj.grant(county, to="330106", matters=(Matter.CANCELLATION.value,), valid_to=f"{end}")

    # Taking the city's delegation back takes the county's with it, each with an audit entry.
    family = await zj.revoke(admin, opened.id)
    assert {d.id for d in family} == {opened.id, child.id}
    assert await zj.holder(Matter.CANCELLATION.value, "330106") == "330000"
    reasons = {d.id: d.revoke_reason for d in family}
    assert reasons[child.id] == f"随上级授权（#{opened.id}）一并收回"
    await zj.revoke(admin, closed.id)


async def test_revocation_refusals(zj) -> None:
    admin = await zj.officer("zj.revoke.admin", "330000")
    other_city = await zj.officer("zj.revoke.city", "330200")
    [delegation] = await zj.grant(admin, to="330400", matters=(Matter.CHANGE.value,))
    with pytest.raises(LookupError):
        await zj.revoke(other_city, delegation.id)  # not theirs: as if it did not exist
    with pytest.raises(LookupError):
        await zj.revoke(admin, 987_654)
    with pytest.raises(FormErrors) as no_reason:
        await zj.revoke(admin, delegation.id, reason="")
    assert "收回理由" in no_reason.value.errors["reason"]
    with pytest.raises(FormErrors) as today:
        await zj.revoke(admin, delegation.id, effective=f"{china_today()}")
    assert "应晚于今天" in today.value.errors["effective"]
    await zj.revoke(admin, delegation.id)
    with pytest.raises(FormErrors) as twice:
        await zj.revoke(admin, delegation.id)
    assert "无需再次收回" in twice.value.errors[""]


async def test_scheduled_grants_and_take_backs_happen_on_their_day(fj) -> None:
    admin = await fj.officer("fj.schedule.admin", "350000")
    tomorrow = china_today() + timedelta(days=1)
    [later] = await fj.grant(admin, to="350100", valid_from=f"{tomorrow}")
    [now] = await fj.grant(admin, to="350200", matters=(Matter.RENEWAL.value,))
    await fj.revoke(admin, now.id, effective=f"{tomorrow + timedelta(days=1)}")
    assert await fj.holder(FIRST, "350102") == "350000"  # not yet
    assert await fj.holder(Matter.RENEWAL.value, "350203") == "350200"  # still held
    states = {d.id: d.state for d in await _all(fj)}
    assert states[later.id] == "scheduled" and states[now.id] == "ending"

    async with fj.session() as session, session.begin():
        assert not await apply_scheduled_changes(session, fj.tenant)  # nothing due yet
    async with fj.session() as session, session.begin():
        assert await apply_scheduled_changes(
            session, fj.tenant, moment=day_start(tomorrow) + timedelta(minutes=1)
        )
    assert await fj.holder(FIRST, "350102") == "350100"
    async with fj.session() as session, session.begin():
        moment = day_start(tomorrow + timedelta(days=1)) + timedelta(minutes=1)
        assert await apply_scheduled_changes(session, fj.tenant, moment=moment)
    assert await fj.holder(Matter.RENEWAL.value, "350203") == "350000"
    actions = await _audit(fj)
    assert actions.count("delegation_started") == 1 and actions.count("delegation_expired") == 1


async def _audit(province) -> list[str]:
    from pharmreg.audit.models import TenantAuditEntry

    async with province.session() as session:
        return list(await session.scalars(select(TenantAuditEntry.action).order_by(TenantAuditEntry.id)))


async def test_explain_names_the_chain(zj) -> None:
    admin = await zj.officer("zj.explain.admin", "330000")
    clerk = await zj.officer("zj.explain.clerk", "330500", positions=("acceptance",))
    [delegation] = await zj.grant(admin, to="330500", reason="湖州试点")
    policy = await zj.policy()
    async with zj.session() as session:
        inside = await explain(
            session,
            policy,
            zj.platform.index,
            officer=clerk,
            matter=Matter.FIRST_REGISTRATION,
            division_code="330502",
        )
        outside = await explain(
            session,
            policy,
            zj.platform.index,
            officer=clerk,
            matter=Matter.FIRST_REGISTRATION,
            division_code="330106",
        )
        no_post = await explain(
            session,
            policy,
            zj.platform.index,
            officer=admin,
            matter=Matter.FIRST_REGISTRATION,
            division_code="330502",
        )
    assert inside.allowed and "可以办理" in inside.verdict
    texts = " / ".join(step.text for step in inside.steps)
    assert "浙江省药品监督管理局将湖州市的首次注册下放给" in texts and "湖州试点" in texts
    assert not outside.allowed and "由浙江省药品监督管理局持有" in outside.steps[-1].text
    assert not no_post.allowed and "未担任受理" in no_post.steps[0].text
    await zj.revoke(admin, delegation.id)


async def test_siblings_from_one_parent_may_not_overlap(zj) -> None:
    admin = await zj.officer("zj.sibling.admin", "330000")
    city = await zj.officer("zj.sibling.city", "330600")
    end = f"{china_today() + timedelta(days=100)}"
    [parent] = await zj.grant(
        admin, to="330600", matters=(Matter.CHANGE.value,), valid_to=end, may_redelegate=True
    )
    await zj.grant(city, to="330602", matters=(Matter.CHANGE.value,), valid_to=end)
    with pytest.raises(FormErrors) as twice:
        await zj.grant(city, to="330602", matters=(Matter.CHANGE.value,), valid_to=end)
    assert "重叠" in twice.value.errors["territory"]
    await zj.revoke(admin, parent.id)


async def test_a_take_back_races_a_redelegation_and_takes_it_too(zj) -> None:
    """The city passes a matter on while the province takes it back: one waits for the other,
    and the re-delegation never outlives its parent."""
    admin = await zj.officer("zj.race.admin", "330000")
    city = await zj.officer("zj.race.city", "330700")
    end = f"{china_today() + timedelta(days=100)}"
    [parent] = await zj.grant(
        admin, to="330700", matters=(Matter.REISSUE.value,), valid_to=end, may_redelegate=True
    )
    units = await unit_ids(zj.platform, "zj")
    async with zj.session() as passing:
        await passing.begin()
        [child] = await grant_delegation(
            passing,
            DelegationForm(
                delegate_unit_id=units["330702"], matters=(Matter.REISSUE.value,), reason="转授", valid_to=end
            ),
            tenant=zj.tenant,
            grantor=city,
            divisions=zj.platform.index,
            policy=await load_policy(passing, zj.model),
            actor=SYSTEM,
        )
        taking_back = asyncio.create_task(zj.revoke(admin, parent.id))
        await asyncio.sleep(0.3)
        assert not taking_back.done()  # it waits for the re-delegation's transaction
        await passing.commit()
    family = await taking_back
    assert {d.id for d in family} == {parent.id, child.id}
    assert await zj.holder(Matter.REISSUE.value, "330702") == "330000"


async def test_a_scheduled_take_back_can_be_brought_forward_not_postponed(zj) -> None:
    admin = await zj.officer("zj.forward.admin", "330000")
    [delegation] = await zj.grant(admin, to="330800", matters=(Matter.CANCELLATION.value,))
    await zj.revoke(admin, delegation.id, effective=f"{china_today() + timedelta(days=10)}")
    with pytest.raises(FormErrors) as later:
        await zj.revoke(admin, delegation.id, effective=f"{china_today() + timedelta(days=20)}")
    assert "只能提前" in later.value.errors["effective"]
    assert await zj.holder(Matter.CANCELLATION.value, "330802") == "330800"
    await zj.revoke(admin, delegation.id)  # now, after all
    assert await zj.holder(Matter.CANCELLATION.value, "330802") == "330000"
