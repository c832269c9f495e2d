"""Risk flags as people use them: national super-administrators open a flag from the list and
send it to the province with a note; the province's verifier opens the notice in the message
center and records the outcome with the form shown (a confirmation leads to the ex officio
cancellation). Analysts only read; one province never sees or touches another's flags; bad input
gets a Chinese error; every step is audited and in the flag's history."""

from __future__ import annotations

import re

from sqlalchemy import select

from pharmreg.audit.models import NationalAuditEntry
from pharmreg.kit.clock import china_today
from pharmreg.supervision import scan_risks
from pharmreg.supervision.risk.models import RiskFlag
from tests.people import audit_actions

LIST = "/national/supervision/risk"


async def _scan(platform) -> None:
    async with platform.db.national() as session, session.begin():
        await scan_risks(session, today=china_today())


async def _open_flag(browser, rule: str, tenant: str = "gd") -> str:
    """The address of the first open flag of `rule` in `tenant`, as the filtered list links it."""
    page = await browser.get(f"{LIST}/?rule={rule}&province={tenant}&status=open")
    assert page.status_code == 200, page.text
    found = re.search(rf'href="({LIST}/\d+)"', page.text)
    assert found, f"no open {rule} flag in {tenant}"
    return found.group(1)


async def _national_actions(platform, target: str) -> list[str]:
    async with platform.db.national() as session:
        rows = await session.scalars(
            select(NationalAuditEntry.action)
            .where(NationalAuditEntry.target == target)
            .order_by(NationalAuditEntry.id)
        )
        return list(rows)


async def _notice_link(officer, slug: str, flag_id: str) -> str:
    """Open the message center, then the notice about the flag; the link it offers."""
    inbox = await officer.get(f"/p/{slug}/office/messages/")
    message_ids = re.findall(rf'/p/{slug}/office/messages/(\d+)">国家局转来风险线索待核实', inbox.text)
    assert message_ids, "no notice of a flag in the message center"
    for message_id in message_ids:
        opened = await officer.get(f"/p/{slug}/office/messages/{message_id}")
        link = re.search(r'href="(/p/[a-z]+/office/risk/\d+)">前往办理', opened.text)
        if link and link.group(1).endswith(f"/risk/{flag_id}"):
            return link.group(1)
    raise AssertionError("no notice links to the flag")


async def test_national_sends_the_province_dismisses_with_a_reason(platform, new_browser) -> None:
    await _scan(platform)
    root = new_browser()
    await root.sign_in("/national", "nmpa.root")
    address = await _open_flag(root, "retirement_age")
    flag_id = address.rsplit("/", 1)[1]
    page = await root.get(address)
    assert "远超退休年龄仍在执业" in page.text and "周岁" in page.text and "转省级核实" in page.text
    assert not re.search(r"\d{17}[\dX]", page.text)  # no ID number at national level

    refused = await root.post(f"{address}/send", {"note": ""})
    assert refused.status_code == 400 and "请写明需要省级核实的事项" in refused.text
    sent = await root.post(f"{address}/send", {"note": "请核实本人是否仍在岗执业"})
    assert sent.status_code == 303
    shown = await root.get(sent.headers["location"])
    assert "已转广东省核实" in shown.text and "待省级核实" in shown.text
    again = await root.post(f"{address}/send", {"note": "再次转发"})
    assert again.status_code == 400 and "只有待处理的线索可以转省级核实" in again.text

    officer = new_browser()
    await officer.sign_in("/p/gd/office", "gd.admin")
    office_address = await _notice_link(officer, "gd", flag_id)
    opened = await officer.get(office_address)
    assert opened.status_code == 200 and "登记核实结果" in opened.text
    assert "请核实本人是否仍在岗执业" in opened.text  # the note, in the history
    assert re.search(r'href="/p/gd/office/register/\d+"', opened.text)  # the province resolves the person

    no_reason = await officer.post(f"{office_address}/outcome", {"outcome": "dismissed", "reason": ""})
    assert no_reason.status_code == 400 and "排除线索须写明理由" in no_reason.text
    no_choice = await officer.post(f"{office_address}/outcome", {"outcome": "maybe", "reason": "现场检查"})
    assert no_choice.status_code == 400 and "请选择核实结果" in no_choice.text
    done = await officer.post(
        f"{office_address}/outcome", {"outcome": "dismissed", "reason": "经现场检查，本人每日在岗，身体健康"}
    )
    assert done.status_code == 303
    result = await officer.get(done.headers["location"])
    assert "已登记核实结果：排除" in result.text and "已排除" in result.text
    assert "经现场检查，本人每日在岗" in result.text and "登记核实结果</h2>" not in result.text

    history = await root.get(address)
    for step in ("规则发现", "转省级核实", "核实排除", "经现场检查，本人每日在岗"):
        assert step in history.text
    assert await _national_actions(platform, f"risk_flag:{flag_id}") == ["risk_flag_sent"]
    assert await audit_actions(platform, "gd", f"risk_flag:{flag_id}") == ["risk_flag_dismissed"]
    late = await officer.post(f"{office_address}/outcome", {"outcome": "confirmed", "reason": ""})
    assert late.status_code == 400 and "不在待核实状态" in late.text


async def test_a_confirmed_flag_leads_to_the_ex_officio_cancellation(platform, new_browser) -> None:
    await _scan(platform)
    root = new_browser()
    await root.sign_in("/national", "nmpa.root")
    address = await _open_flag(root, "unit_licence")
    flag_id = address.rsplit("/", 1)[1]
    assert (await root.post(f"{address}/send", {"note": "许可证过期，请核实是否仍在执业"})).status_code == 303

    decider = new_browser()
    await decider.sign_in("/p/gd/office", "gd.decide")
    office_address = await _notice_link(decider, "gd", flag_id)
    confirmed = await decider.post(
        f"{office_address}/outcome", {"outcome": "confirmed", "reason": "单位已停业，本人不在岗"}
    )
    assert confirmed.status_code == 303
    form_address = confirmed.headers["location"]
    assert re.fullmatch(r"/p/gd/office/register/\d+\?reason=hanging", form_address)
    form = await decider.get(form_address)
    assert "依职权注销" in form.text
    assert re.search(r'value="hanging" checked', form.text)  # the ground is chosen
    cancel = re.search(r'action="(/p/gd/office/register/\d+/cancel)"', form.text).group(1)
    cancelled = await decider.post(
        cancel, {"reason": "hanging", "facts": "风险线索核实：单位停业，本人不在岗"}
    )
    assert cancelled.status_code == 303
    assert "已依职权注销" in (await decider.get(cancelled.headers["location"])).text
    assert await audit_actions(platform, "gd", f"risk_flag:{flag_id}") == ["risk_flag_confirmed"]
    flag_page = await decider.get(office_address)
    assert "已确认" in flag_page.text and "?reason=hanging" in flag_page.text


async def test_a_province_cannot_see_or_act_on_another_provinces_flags(platform, new_browser) -> None:
    await _scan(platform)
    async with platform.db.national() as session, session.begin():
        gd_flag = (
            await session.scalars(
                select(RiskFlag).where(RiskFlag.tenant == "gd").order_by(RiskFlag.id).limit(1)
            )
        ).one()
        gd_flag.state = "sent"  # as if sent: the state in which the province acts
        others = list(await session.scalars(select(RiskFlag.id).where(RiskFlag.tenant != "bj")))
    bj = new_browser()
    await bj.sign_in("/p/bj/office", "bj.admin")
    listed = await bj.get("/p/bj/office/risk/?status=")
    assert listed.status_code == 200
    assert f'/p/bj/office/risk/{gd_flag.id}"' not in listed.text
    for flag_id in [gd_flag.id, *others[:20], 999999999, 2**31, 10**30]:
        assert (await bj.get(f"/p/bj/office/risk/{flag_id}")).status_code == 404
    acted = await bj.post(
        f"/p/bj/office/risk/{gd_flag.id}/outcome", {"outcome": "dismissed", "reason": "不属于本省"}
    )
    assert acted.status_code == 404
    async with platform.db.national() as session:
        assert (await session.get(RiskFlag, gd_flag.id)).state == "sent"
    # gd's officer, at bj's address, is not let in.
    gd = new_browser()
    await gd.sign_in("/p/gd/office", "gd.admin")
    assert (await gd.get("/p/bj/office/risk/")).status_code in (302, 303, 401, 403)
    # An officer without the permission sees no list.
    clerk = new_browser()
    await clerk.sign_in("/p/gd/office", "gd.accept")
    assert (await clerk.get("/p/gd/office/risk/")).status_code == 403
    assert "风险线索" not in (await clerk.get("/p/gd/office/")).text
    assert 'href="/p/gd/office/risk/"' in (await gd.get("/p/gd/office/")).text


async def test_analysts_read_but_cannot_send_or_change_rules(platform, new_browser) -> None:
    await _scan(platform)
    analyst = new_browser()
    await analyst.sign_in("/national", "nmpa.analyst")
    address = await _open_flag(analyst, "crowded_retail")
    page = await analyst.get(address)
    assert page.status_code == 200 and "零售单位执业药师异常集中" in page.text
    assert "/send" not in page.text
    refused = await analyst.post(f"{address}/send", {"note": "我想转发"})
    assert refused.status_code == 403
    async with platform.db.national() as session:
        assert (await session.get(RiskFlag, int(address.rsplit("/", 1)[1]))).state == "open"
    rules = await analyst.get(f"{LIST}/rules")
    assert rules.status_code == 200 and "只有超级管理员可以修改" in rules.text
    assert f'action="{LIST}/rules/' not in rules.text
    changed = await analyst.post(f"{LIST}/rules/crowded_retail", {"enabled": "1", "max_pharmacists": "2"})
    assert changed.status_code == 403


async def test_rule_settings_are_edited_on_the_page_audited_and_checked(platform, new_browser) -> None:
    root = new_browser()
    await root.sign_in("/national", "nmpa.root")
    page = await root.get(f"{LIST}/rules")
    assert page.status_code == 200 and f'action="{LIST}/rules/frequent_changes"' in page.text
    negative = await root.post(
        f"{LIST}/rules/frequent_changes", {"enabled": "1", "min_changes": "-3", "months": "12"}
    )
    assert negative.status_code == 400 and "变更次数下限不能为负数" in negative.text
    unknown = await root.post(f"{LIST}/rules/no_such_rule", {"enabled": "1"})
    assert unknown.status_code == 400 and "未知的风险规则" in unknown.text
    saved = await root.post(
        f"{LIST}/rules/frequent_changes", {"enabled": "1", "min_changes": "4", "months": "12"}
    )
    assert saved.status_code == 303
    shown = await root.get(saved.headers["location"])
    assert "已保存规则设置" in shown.text and "达到 4 次及以上" in shown.text
    assert await _national_actions(platform, "risk_rule:frequent_changes") == ["risk_rules_changed"]
    back = await root.post(
        f"{LIST}/rules/frequent_changes", {"enabled": "1", "min_changes": "3", "months": "12"}
    )
    assert back.status_code == 303
    bad_filter = await root.get(f"{LIST}/?rule=drop%20table&status=nope&province=zz")
    assert bad_filter.status_code == 400
    for message in ("未知的风险规则", "未知的处理状态", "未知的省份"):
        assert message in bad_filter.text
    assert (await root.get(f"{LIST}/123456789")).status_code == 404
    assert (await root.get(f"{LIST}/?page=-1")).status_code == 200


async def test_the_planted_demo_cases_show_in_a_scan(platform, new_browser) -> None:
    await _scan(platform)
    async with platform.db.national() as session:
        rules = set(await session.scalars(select(RiskFlag.rule).where(RiskFlag.tenant == "gd")))
    assert {
        "frequent_changes",
        "unit_licence",
        "retirement_age",
        "crowded_retail",
        "renewal_cluster",
    } <= rules
    root = new_browser()
    await root.sign_in("/national", "nmpa.root")
    page = await root.get(f"{LIST}/?rule=frequent_changes&province=gd")
    assert "变更执业单位 4 次" in page.text
