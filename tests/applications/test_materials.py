"""Uploaded materials open for the applicant and the officers handling the case, byte for byte;
who opened what is recorded and shown; no decision is taken on materials the deciding officer
has not opened, whatever the request says."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from pharmreg.applications.materials import unopened
from pharmreg.applications.models import Application, MaterialOpening
from tests.applications.files import jpeg, pdf, png
from tests.applications.journeys import fill, officer_act, open_materials, start, upload
from tests.people import STRONG, make_officer
from tests.pharmacists import add_unit

OFFICE = "/p/js/office"


def _files() -> dict[str, tuple[str, bytes, str]]:
    """One file per required material, each with bytes of its own."""
    return {
        "photo": ("本人照片.png", png("#225588"), "image/png"),
        "id_copy": ("身份证正反面.pdf", pdf("id front and back"), "application/pdf"),
        "qualification": ("资格证书.pdf", pdf("qualification certificate"), "application/pdf"),
        "consent": ("聘用证明.jpg", jpeg("#884422"), "image/jpeg"),
    }


async def _submitted(platform, make_pharmacist, name: str):
    person, applicant = await make_pharmacist(name, division="320102")
    unit = await add_unit(platform, "js", "320102")
    ref = await start(applicant, "js", "first_registration")
    await fill(
        applicant,
        "js",
        ref,
        qualification_no=person.qualification_no,
        categories="pharmacy",
        scope="distribution",
        unit_uscc=unit,
        declaration="yes",
    )
    files = _files()
    for material, (filename, content, mime) in files.items():
        assert (await upload(applicant, "js", ref, material, filename, content, mime)).status_code == 200
    assert (await applicant.post(f"/account/applications/js/{ref}/submit", {})).status_code == 303
    return applicant, ref, files


def _links(page: str, base: str) -> dict[str, str]:
    """Attachment link -> the file name the materials list shows for it."""
    found = re.findall(rf'<a href="({re.escape(base)}/attachments/\d+)"[^>]*>([^<]+)</a>', page)
    return {path: name for path, name in found if "：" not in name}  # not the "unopened" box's lines


async def _officer(new_browser, login: str):
    browser = new_browser()
    await browser.sign_in(OFFICE, login)
    return browser


async def _openings(platform, ref: str) -> list[MaterialOpening]:
    async with platform.db.tenant("tenant_js") as session:
        app_id = await session.scalar(select(Application.id).where(Application.ref == ref))
        return list(
            await session.scalars(select(MaterialOpening).where(MaterialOpening.application_id == app_id))
        )


async def test_every_material_opens_for_the_applicant_and_the_officer_byte_for_byte(
    platform, make_pharmacist, new_browser
) -> None:
    applicant, ref, files = await _submitted(platform, make_pharmacist, "孟知夏")
    uploaded = {name: hashlib.sha256(content).hexdigest() for name, content, _ in files.values()}

    own = f"/account/applications/js/{ref}"
    links = _links((await applicant.get(own)).text, own)
    assert sorted(links.values()) == sorted(uploaded)
    for path, filename in links.items():
        response = await applicant.get(path)
        assert response.status_code == 200, response.text[:300]
        assert hashlib.sha256(response.content).hexdigest() == uploaded[filename]
        assert response.headers["x-content-type-options"] == "nosniff"
    assert await _openings(platform, ref) == []  # the applicant reading their own files is no review

    clerk = await _officer(new_browser, "js.accept")
    case = f"{OFFICE}/cases/{ref}"
    page = (await clerk.get(case)).text
    office_links = _links(page, case)
    assert sorted(office_links.values()) == sorted(uploaded)
    for digest in uploaded.values():
        assert f"SHA-256 {digest[:12]}" in page  # the page shows what the bytes must hash to
    for path, filename in office_links.items():
        response = await clerk.get(path)
        assert response.status_code == 200, response.text[:300]
        assert hashlib.sha256(response.content).hexdigest() == uploaded[filename]

    # Another province's officer, and an officer of this province who has no part in it, get nothing.
    stranger = new_browser()
    await stranger.sign_in("/p/gd/office", "gd.accept")
    assert (await stranger.get(f"/p/gd/office/cases/{ref}/attachments/1")).status_code == 404
    county = await _officer(new_browser, "js.320102.accept")
    for path in office_links:
        assert (await county.get(path)).status_code == 404
    assert len(await _openings(platform, ref)) == len(uploaded)  # only the clerk's openings


async def test_openings_are_recorded_and_shown_with_officer_time_and_version(
    platform, make_pharmacist, new_browser
) -> None:
    _applicant, ref, files = await _submitted(platform, make_pharmacist, "孟知秋")
    clerk = await _officer(new_browser, "js.accept")
    case = f"{OFFICE}/cases/{ref}"
    first = next(iter(_links((await clerk.get(case)).text, case)))
    await clerk.get(first)
    await clerk.get(first)  # opened twice: one line in the timeline, two records
    rows = await _openings(platform, ref)
    who, unit = re.search(r'class="who">([^<·]+) · ([^<]+)</a>', (await clerk.get(case)).text).groups()
    assert len(rows) == 2 and {(r.officer_name, r.unit_name) for r in rows} == {(who, unit)}
    assert rows[0].step == "accept" and unit == "江苏省药品监督管理局"
    filename = _links((await clerk.get(case)).text, case)[first]
    assert (
        rows[0].sha256 == hashlib.sha256(next(c for n, c, _ in files.values() if n == filename)).hexdigest()
    )

    page = (await clerk.get(case)).text
    materials = page[page.find('id="attachments"') :]
    assert f"已查阅：{unit} {who}" in materials and "共 2 次" in materials
    assert materials.count("您未查阅") == len(files) - 1
    timeline = page[page.find("办理进度") :]
    assert (
        timeline.count("查阅材料") == 1 and f"{filename}（第 1 份，SHA-256 {rows[0].sha256[:16]}" in timeline
    )

    # The record cannot be rewritten or removed, not even by the database's own user.
    async with platform.db.tenant("tenant_js") as session:
        with pytest.raises(DBAPIError, match="append-only"):
            await session.execute(update(MaterialOpening).values(officer_name="某人"))
        await session.rollback()
        with pytest.raises(DBAPIError, match="append-only"):
            await session.execute(delete(MaterialOpening))
        await session.rollback()


async def test_no_decision_is_taken_on_materials_the_officer_has_not_opened(
    platform, make_pharmacist, new_browser
) -> None:
    applicant, ref, files = await _submitted(platform, make_pharmacist, "孟知冬")
    clerk = await _officer(new_browser, "js.accept")
    case = f"{OFFICE}/cases/{ref}"
    page = (await clerk.get(case)).text
    panel = page[page.find('id="case-actions"') : page.find("</section>", page.find('id="case-actions"'))]
    # The action panel lists what is still unopened, with links that open each file.
    assert "须在查阅本案全部申请材料后办理" in panel
    for filename, _content, _mime in files.values():
        assert filename in panel

    # A crafted request that skips the page is refused, and nothing changes.
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    refused = await clerk.post(
        f"{case}/act", {"action": "accept", "version": version, "note": "材料齐全，予以受理"}
    )
    assert refused.status_code == 409
    assert "请先查阅全部申请材料再受理：您尚未查阅" in refused.text
    assert "材料齐全，予以受理</textarea>" in refused.text  # what was typed is kept
    for action, extra in (("supplement", {"items": "请补充材料"}), ("not_accept", {"items": "不属于本机关"})):
        assert (await officer_act(clerk, "js", ref, action, read_first=False, **extra)).status_code == 409

    # Opening all but one still leaves that one named.
    links = _links(page, case)
    last_path, last_name = sorted(links.items())[-1]
    for path in sorted(links)[:-1]:
        assert (await clerk.get(path)).status_code == 200
    still = await officer_act(clerk, "js", ref, "accept", read_first=False)
    assert still.status_code == 409
    message = still.text.split("您尚未查阅", 1)[1].split("<", 1)[0]
    assert last_name in message and not any(n in message for n in links.values() if n != last_name)
    # The panel's own check (what htmx refreshes when the officer comes back) names it too.
    box = await clerk.get(f"{case}/unopened", headers={"HX-Request": "true"})
    assert last_name in box.text and "<html" not in box.text
    await clerk.get(last_path)
    assert "您均已查阅" in (await clerk.get(f"{case}/unopened", headers={"HX-Request": "true"})).text
    assert (await officer_act(clerk, "js", ref, "accept", read_first=False)).status_code == 303

    # Each deciding officer reads for themself: the reviewer and the decider too.
    review = await _officer(new_browser, "js.review")
    assert (await officer_act(review, "js", ref, "forward", read_first=False)).status_code == 409
    assert (await officer_act(review, "js", ref, "comment", read_first=False, note="待查")).status_code == 303
    assert (await officer_act(review, "js", ref, "forward")).status_code == 303
    decide = await _officer(new_browser, "js.decide")
    blocked = await officer_act(decide, "js", ref, "approve", read_first=False)
    assert blocked.status_code == 409 and "请先查阅全部申请材料再准予注册" in blocked.text
    assert (await officer_act(decide, "js", ref, "approve")).status_code == 303
    assert "准予注册" in (await applicant.get(f"/account/applications/js/{ref}")).text


async def test_a_material_uploaded_again_after_a_supplement_is_a_new_one_to_open(
    platform, make_pharmacist, new_browser
) -> None:
    applicant, ref, _files_sent = await _submitted(platform, make_pharmacist, "孟知春")
    clerk = await _officer(new_browser, "js.accept")
    notice = await officer_act(clerk, "js", ref, "supplement", items="资格证书扫描件不清晰，请重新上传")
    assert notice.status_code == 303
    clear = pdf("qualification certificate, clear scan")
    assert (
        await upload(applicant, "js", ref, "qualification", "资格证书-清晰.pdf", clear, "application/pdf")
    ).status_code == 200
    # The officer opens the new file before resubmission: from then on it is part of the record.
    own = f"/account/applications/js/{ref}"
    new_link = next(
        p for p, n in _links((await applicant.get(own)).text, own).items() if n == "资格证书-清晰.pdf"
    )
    attachment_id = new_link.rsplit("/", 1)[1]
    assert (await clerk.get(f"{OFFICE}/cases/{ref}/attachments/{attachment_id}")).status_code == 200
    removed = await applicant.post(f"{own}/attachments/{attachment_id}/delete", {}, htmx=True)
    assert removed.status_code == 409 and "已被注册机关查阅，不能删除" in removed.text
    assert (await applicant.post(f"{own}/resubmit", {})).status_code == 303

    # A colleague who opened none of them may not accept; the clerk, who opened all five, may.
    await make_officer(platform, "js", "js.accept.colleague", ("acceptance",), name="同组受理员")
    colleague = new_browser()
    await colleague.sign_in(OFFICE, "js.accept.colleague", STRONG)
    assert (await officer_act(colleague, "js", ref, "accept", read_first=False)).status_code == 409
    assert (await officer_act(clerk, "js", ref, "accept", read_first=False)).status_code == 303


async def test_a_reuploaded_material_must_be_opened_even_by_who_opened_the_first(
    platform, make_pharmacist, new_browser
) -> None:
    applicant, ref, _sent = await _submitted(platform, make_pharmacist, "孟知言")
    clerk = await _officer(new_browser, "js.accept")
    assert (
        await officer_act(clerk, "js", ref, "supplement", items="照片不合格，请重新上传")
    ).status_code == 303
    assert (
        await upload(applicant, "js", ref, "photo", "新照片.png", png("#117733"), "image/png")
    ).status_code == 200
    assert (await applicant.post(f"/account/applications/js/{ref}/resubmit", {})).status_code == 303
    refused = await officer_act(clerk, "js", ref, "accept", read_first=False)
    assert refused.status_code == 409 and "新照片.png" in refused.text
    assert "身份证正反面.pdf" not in refused.text.split("您尚未查阅", 1)[1][:200]  # opened before
    opened = await open_materials(clerk, "js", ref)
    assert len(opened) == 5
    assert (await officer_act(clerk, "js", ref, "accept", read_first=False)).status_code == 303


@dataclass(frozen=True)
class _File:
    id: int
    sha256: str


def test_the_opening_rule_counts_each_exact_file() -> None:
    a, b, b_again = _File(1, "aa"), _File(2, "bb"), _File(3, "bb")
    assert unopened([a, b, b_again], {(1, "aa"), (2, "bb")}) == [b_again]  # same bytes, new upload
    assert unopened([a], {(1, "zz")}) == [a]  # a recorded opening of other bytes does not count
    assert unopened([], set()) == []
