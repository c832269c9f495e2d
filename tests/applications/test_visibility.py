"""Least privilege: cases are opened by the posts that act on them (and read by supervision), not
by every officer of a unit; a province never sees another's cases."""

from __future__ import annotations

import re

import pytest

from tests.applications.journeys import fill, officer_act, start, upload_required
from tests.pharmacists import add_unit

OFFICE = "/p/gd/office"
# Posts that act on no case: 信息发布/咨询/投诉, 信息审核, 统计, 系统管理.
NO_CASES = ("gd.publish", "gd.editor", "gd.stats", "gd.admin")


@pytest.fixture
async def accepted_case(platform, make_pharmacist, new_browser) -> dict[str, str]:
    """A Huizhou case accepted by the province bureau: its case page, a material, a notice, a task."""
    person, applicant = await make_pharmacist("欧阳明远", division="441302")
    unit = await add_unit(platform, "gd", "441302")
    ref = await start(applicant, "gd", "first_registration")
    await fill(
        applicant,
        "gd",
        ref,
        qualification_no=person.qualification_no,
        categories="pharmacy",
        scope="distribution",
        unit_uscc=unit,
        declaration="yes",
    )
    await upload_required(applicant, "gd", ref)
    assert (await applicant.post(f"/account/applications/gd/{ref}/submit", {})).status_code == 303
    clerk = new_browser()
    await clerk.sign_in(OFFICE, "gd.accept")
    assert (await officer_act(clerk, "gd", ref, "accept", note="材料齐全")).status_code == 303
    case = f"{OFFICE}/cases/{ref}"
    page = (await clerk.get(case)).text
    reviewer = new_browser()
    await reviewer.sign_in(OFFICE, "gd.review")
    task = re.search(rf'href="{OFFICE}/tasks/(\d+)">{ref}<', (await reviewer.get(f"{OFFICE}/")).text)
    return {
        "ref": ref,
        "case": case,
        "material": re.search(rf'href="({re.escape(case)}/attachments/\d+)"', page).group(1),
        "notice": re.search(rf'href="({re.escape(case)}/notices/\d+)"', page).group(1),
        "task": f"{OFFICE}/tasks/{task.group(1)}",
    }


async def test_posts_that_act_on_no_case_open_none(accepted_case, new_browser) -> None:
    for login in NO_CASES:
        officer = new_browser()
        await officer.sign_in(OFFICE, login)
        for what in ("case", "material", "notice", "task"):
            response = await officer.get(accepted_case[what])
            assert response.status_code == 404, (login, what, response.status_code)
        refused = await officer.post(
            f"{accepted_case['case']}/act", {"action": "comment", "version": "1", "note": "看看"}
        )
        assert refused.status_code == 404, login
        assert (await officer.get(f"{OFFICE}/deadlines")).status_code == 403, login
        assert (await officer.get(f"{OFFICE}/register/", params={"q": "欧阳明远"})).status_code == 403
        home = (await officer.get(f"{OFFICE}/")).text
        assert "不办理注册申请" in home and accepted_case["ref"] not in home, login
        assert f'href="{OFFICE}/deadlines"' not in home and ">待办</a>" not in home, login
        assert accepted_case["ref"] not in (await officer.get(f"{OFFICE}/?view=done")).text


async def test_posts_that_act_on_cases_open_their_units_cases(accepted_case, new_browser) -> None:
    for login in ("gd.accept", "gd.review", "gd.decide", "gd.cert"):
        officer = new_browser()
        await officer.sign_in(OFFICE, login)
        for what in ("case", "material", "notice", "task"):
            assert (await officer.get(accepted_case[what])).status_code == 200, (login, what)


async def test_supervision_reads_its_own_units_cases_only(accepted_case, new_browser) -> None:
    # The province's decision post supervises every unit of the province (the deadline view too).
    province = new_browser()
    await province.sign_in(OFFICE, "gd.decide")
    deadlines = (await province.get(f"{OFFICE}/deadlines")).text
    assert "全省" in deadlines
    # A city's decision post supervises its own bureau and districts: not a case the province
    # handles, and not Huizhou's (it is not even in Guangzhou).
    city = new_browser()
    await city.sign_in(OFFICE, "gd.440100.decide")
    assert (await city.get(accepted_case["case"])).status_code == 404
    assert "全省" not in (await city.get(f"{OFFICE}/deadlines")).text
    # A county's acceptance officer has nothing to do with it either.
    county = new_browser()
    await county.sign_in(OFFICE, "gd.440103.accept")
    assert (await county.get(accepted_case["case"])).status_code == 404


async def test_another_provinces_supervisor_sees_nothing(accepted_case, new_browser) -> None:
    other = new_browser()
    await other.sign_in("/p/js/office", "js.decide")
    ref = accepted_case["ref"]
    assert (await other.get(f"/p/js/office/cases/{ref}")).status_code == 404
    assert (await other.get(accepted_case["case"])).status_code in (303, 401)  # not their province
    assert ref not in (await other.get("/p/js/office/deadlines")).text
