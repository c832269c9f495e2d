"""Province administrators change a process; new cases take the new version, running ones keep theirs."""

from __future__ import annotations

from sqlalchemy import select

from pharmreg.applications.models import Application
from pharmreg.workflow.models import ProcessDefinition
from tests.applications.journeys import fill, officer_act, start, upload_required
from tests.pharmacists import add_unit, approve


async def _versions(platform) -> list[int]:
    async with platform.db.tenant("tenant_bj") as session:
        return list(
            await session.scalars(
                select(ProcessDefinition.version).where(ProcessDefinition.matter == "first_registration")
            )
        )


async def test_a_review_step_added_applies_to_new_cases_only(platform, make_pharmacist, new_browser) -> None:
    person, applicant = await make_pharmacist("任思诚", division="110101")
    unit = await add_unit(platform, "bj", "110101")
    running = await start(applicant, "bj", "first_registration")  # made on the current version

    admin = new_browser()
    await admin.sign_in("/p/bj/office", "bj.admin")
    page = await admin.get("/p/bj/office/admin/processes/first_registration")
    assert (
        page.status_code == 200
        and "受理 → 审核 → 审批决定" in (await admin.get("/p/bj/office/admin/processes")).text
    )
    before = await _versions(platform)
    form = {
        "step_count": "3",
        "acceptance_days": "5",
        "promised_days": "12",
        "statutory_days": "20",
        "new_label": "复核",
        "new_position": "decision",
        "new_limit": "3",
        "note": "增加复核环节",
    }
    for index, (key, kind, position, limit) in enumerate(
        [
            ("accept", "acceptance", "acceptance", "5"),
            ("review", "review", "review", "6"),
            ("decide", "decision", "decision", "5"),
        ]
    ):
        form |= {
            f"key_{index}": key,
            f"kind_{index}": kind,
            f"label_{index}": ["受理", "审核", "审批决定"][index],
            f"position_{index}": position,
            f"limit_{index}": limit,
            f"return_{index}": "1",
            f"comment_{index}": "1",
        }
    bad = await admin.post("/p/bj/office/admin/processes/first_registration", form | {"statutory_days": "30"})
    assert bad.status_code == 400 and "法定时限应为 1–20 个工作日" in bad.text
    wrong_post = await admin.post(
        "/p/bj/office/admin/processes/first_registration", form | {"position_1": "acceptance"}
    )
    assert wrong_post.status_code == 400 and "该岗位不能办理此类环节" in wrong_post.text
    assert await _versions(platform) == before  # refused edits save nothing
    saved = await admin.post("/p/bj/office/admin/processes/first_registration", form)
    assert saved.status_code == 303
    assert len(await _versions(platform)) == len(before) + 1
    assert "受理 → 审核 → 复核 → 审批决定" in (await admin.get("/p/bj/office/admin/processes")).text

    city_admin = new_browser()
    await city_admin.sign_in("/p/bj/office", "bj.110101.accept")
    assert (await city_admin.get("/p/bj/office/admin/processes")).status_code == 403

    # The running draft keeps its version (three steps); a new case follows the new one (four).
    await fill(
        applicant,
        "bj",
        running,
        qualification_no=person.qualification_no,
        categories="pharmacy",
        scope="distribution",
        unit_uscc=unit,
        declaration="yes",
    )
    await upload_required(applicant, "bj", running)
    assert (await applicant.post(f"/account/applications/bj/{running}/submit", {})).status_code == 303
    await approve(new_browser, "bj", running)
    async with platform.db.tenant("tenant_bj") as session:
        assert (
            await session.scalar(select(Application.status).where(Application.ref == running)) == "approved"
        )

    other, second = await make_pharmacist("任思远", division="110101")
    fresh = await start(second, "bj", "first_registration")
    await fill(
        second,
        "bj",
        fresh,
        qualification_no=other.qualification_no,
        categories="pharmacy",
        scope="distribution",
        unit_uscc=unit,
        declaration="yes",
    )
    await upload_required(second, "bj", fresh)
    assert (await second.post(f"/account/applications/bj/{fresh}/submit", {})).status_code == 303
    for login, action in (
        ("accept", "accept"),
        ("review", "forward"),
        ("decide", "forward"),
        ("decide", "approve"),
    ):
        officer = new_browser()
        await officer.sign_in("/p/bj/office", f"bj.{login}")
        response = await officer_act(officer, "bj", fresh, action, note="同意")
        assert response.status_code == 303, (
            login,
            action,
            response.text[response.text.find("<main") :][:800],
        )


async def test_a_province_writes_its_own_guide_text(new_browser) -> None:
    admin = new_browser()
    await admin.sign_in("/p/bj/office", "bj.admin")
    page = await admin.get("/p/bj/office/admin/guides/renewal")
    assert page.status_code == 200 and "默认内容" in page.text
    bad = await admin.post("/p/bj/office/admin/guides/renewal", {"faq": "只有问题没有答案"})
    assert bad.status_code == 400 and "问题｜答案" in bad.text
    saved = await admin.post(
        "/p/bj/office/admin/guides/renewal",
        {
            "conditions": "本市执业药师须在到期前 60 日提出\n<script>alert(1)</script>",
            "faq": "可以线下办理吗？｜请到政务服务中心窗口",
        },
    )
    assert saved.status_code == 303
    visitor = new_browser()
    beijing = await visitor.get("/guides/renewal", params={"province": "bj"})
    assert "本市执业药师须在到期前 60 日提出" in beijing.text and "请到政务服务中心窗口" in beijing.text
    assert (
        "<script>alert(1)</script>" not in beijing.text and "&lt;script&gt;" in beijing.text
    )  # shown, inert
    for other in ({"province": "gd"}, {}):  # another province and the national version are untouched
        assert (
            "本市执业药师须在到期前 60 日提出"
            not in (await visitor.get("/guides/renewal", params=other)).text
        )
