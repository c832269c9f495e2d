"""The officers' other actions: return, suspend and resume, comment, not accepting, refusing,
and two officers acting on one case at once."""

from __future__ import annotations

import io
import re

import pypdf
from sqlalchemy import select

from pharmreg.applications.models import Application, ApplicationEvent
from tests.applications.journeys import fill, officer_act, open_materials, start, upload_required
from tests.pharmacists import add_unit


async def _submitted(platform, make_pharmacist, name: str) -> tuple[object, str]:
    person, browser = await make_pharmacist(name, division="320102")
    unit = await add_unit(platform, "js", "320102")
    ref = await start(browser, "js", "first_registration")
    await fill(
        browser,
        "js",
        ref,
        qualification_no=person.qualification_no,
        categories="pharmacy",
        scope="distribution",
        unit_uscc=unit,
        declaration="yes",
    )
    await upload_required(browser, "js", ref)
    assert (await browser.post(f"/account/applications/js/{ref}/submit", {})).status_code == 303
    return browser, ref


async def _state(platform, ref: str) -> tuple[Application, list[str]]:
    async with platform.db.tenant("tenant_js") as session:
        app = await session.scalar(select(Application).where(Application.ref == ref))
        actions = list(
            await session.scalars(
                select(ApplicationEvent.action)
                .where(ApplicationEvent.application_id == app.id)
                .order_by(ApplicationEvent.id)
            )
        )
        return app, actions


async def _officer(new_browser, login: str):
    browser = new_browser()
    await browser.sign_in("/p/js/office", login)
    return browser


async def test_return_suspend_resume_and_refuse_with_remedies(platform, make_pharmacist, new_browser) -> None:
    applicant, ref = await _submitted(platform, make_pharmacist, "唐若愚")
    accept, review, decide = [await _officer(new_browser, f"js.{x}") for x in ("accept", "review", "decide")]
    app, _ = await _state(platform, ref)
    wrong_post = await review.post(
        f"/p/js/office/cases/{ref}/act", {"action": "accept", "version": str(app.version)}
    )
    assert wrong_post.status_code == 409 and "您没有受理岗位" in wrong_post.text  # acting without the post
    assert (await officer_act(accept, "js", ref, "accept")).status_code == 303
    assert (await officer_act(review, "js", ref, "forward")).status_code == 303
    no_reason = await officer_act(decide, "js", ref, "return", target="review")
    assert no_reason.status_code == 409 and "请填写意见或理由" in no_reason.text
    assert (
        await officer_act(decide, "js", ref, "return", target="review", note="请核实执业单位")
    ).status_code == 303
    app, _ = await _state(platform, ref)
    assert app.step == "review"
    assert (await officer_act(review, "js", ref, "comment", note="已电话核实")).status_code == 303
    assert (await officer_act(review, "js", ref, "suspend", note="等待公安机关核查结果")).status_code == 303
    page = await review.get(f"/p/js/office/cases/{ref}")
    assert 'value="resume"' in page.text and 'value="forward"' not in page.text  # only resume or comment
    assert (await officer_act(review, "js", ref, "resume", note="核查无异常")).status_code == 303
    assert (await officer_act(review, "js", ref, "forward")).status_code == 303
    refuse = await officer_act(decide, "js", ref, "refuse", items="近三年有新增不良信息记录")
    assert refuse.status_code == 303
    app, actions = await _state(platform, ref)
    assert app.status == "refused" and actions[-6:] == [
        "return",
        "comment",
        "suspend",
        "resume",
        "forward",
        "refuse",
    ]
    page = await applicant.get(f"/account/applications/js/{ref}")
    assert "不予注册" in page.text and "已电话核实" not in page.text  # internal comments stay internal
    link = re.findall(rf"/account/applications/js/{ref}/notices/\d+", page.text)[-1]
    text = pypdf.PdfReader(io.BytesIO((await applicant.get(link)).content)).pages[0].extract_text()
    assert "近三年有新增不良信息记录" in text and "行政复议" in text and "行政诉讼" in text


async def test_not_accepting_needs_reasons_and_frees_the_person(
    platform, make_pharmacist, new_browser
) -> None:
    applicant, ref = await _submitted(platform, make_pharmacist, "唐若水")
    accept = await _officer(new_browser, "js.accept")
    silent = await officer_act(accept, "js", ref, "not_accept")
    assert silent.status_code == 409 and "请写明理由" in silent.text
    assert (
        await officer_act(accept, "js", ref, "not_accept", items="申请事项不属于本机关职权范围")
    ).status_code == 303
    app, _ = await _state(platform, ref)
    assert app.status == "not_accepted"
    assert await start(applicant, "js", "first_registration")  # the person may apply again


async def test_two_officers_at_once_one_wins_the_other_is_told(
    platform, make_pharmacist, new_browser
) -> None:
    _applicant, ref = await _submitted(platform, make_pharmacist, "唐若谷")
    first, second = await _officer(new_browser, "js.accept"), await _officer(new_browser, "js.accept")
    for officer in (first, second):
        await open_materials(officer, "js", ref)
    page = await first.get(f"/p/js/office/cases/{ref}")
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    won = await first.post(f"/p/js/office/cases/{ref}/act", {"action": "accept", "version": version})
    lost = await second.post(f"/p/js/office/cases/{ref}/act", {"action": "accept", "version": version})
    assert won.status_code == 303
    assert lost.status_code == 409 and "刚刚被其他同事处理过" in lost.text
    _app, actions = await _state(platform, ref)
    assert actions.count("accept") == 1
