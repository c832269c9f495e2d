"""What the applicant is given when filing: a number dated by the day in China, a view of
everything they filed labelled as the form labels it, and a printable receipt of the materials."""

from __future__ import annotations

import hashlib
import html
import re
from datetime import UTC, datetime, timedelta

import pypdfium2

import pharmreg.kit.clock
from tests.applications.files import pdf, png
from tests.applications.journeys import fill, officer_act, start, upload
from tests.documents.pdfs import pdf_text
from tests.pharmacists import add_unit


def _evening_utc() -> datetime:
    """A moment whose UTC date is the day before its date in China (16:00–24:00 UTC), near now."""
    now = datetime.now(UTC)
    if now.hour >= 16:
        return now
    return (now - timedelta(days=1)).replace(hour=18, minute=47, second=0, microsecond=0)


async def test_application_numbers_carry_the_date_in_china(make_pharmacist, monkeypatch) -> None:
    _person, applicant = await make_pharmacist("许清晏", division="320102")
    moment = _evening_utc()
    assert moment.date() != (moment + timedelta(hours=8)).date()

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[override]
            return moment.astimezone(tz) if tz else moment.replace(tzinfo=None)

    monkeypatch.setattr(pharmreg.kit.clock, "datetime", Frozen)
    ref = await start(applicant, "js", "first_registration")
    monkeypatch.undo()
    china_day = (moment + timedelta(hours=8)).strftime("%Y%m%d")
    assert ref.startswith(f"32{china_day}"), (ref, moment.isoformat())


async def _filled(platform, make_pharmacist, name: str):
    person, applicant = await make_pharmacist(name, division="320102")
    unit_name = f"南京市玄武区{name}大药房"
    unit = await add_unit(platform, "js", "320102", name=unit_name)
    ref = await start(applicant, "js", "first_registration")
    await fill(
        applicant,
        "js",
        ref,
        qualification_no=person.qualification_no,
        qualification_no_2="",
        categories="pharmacy",
        scope="distribution",
        unit_uscc=unit,
        note="现在本单位从事处方审核工作",
        declaration="yes",
    )
    files = {
        "photo": ("照片.png", png("#445566"), "image/png"),
        "id_copy": ("身份证.pdf", pdf("id card"), "application/pdf"),
        "qualification": ("资格证书.pdf", pdf("qualification"), "application/pdf"),
        "consent": ("聘用证明.pdf", pdf("consent letter"), "application/pdf"),
    }
    for material, (filename, content, mime) in files.items():
        assert (await upload(applicant, "js", ref, material, filename, content, mime)).status_code == 200
    return person, applicant, ref, unit, unit_name, files


def _form_labels(page: str) -> list[str]:
    """The labels of the application form's fields, as the draft page shows them."""
    form = page[page.find('id="form-title"') : page.find("</form>", page.find('id="form-title"'))]
    labels = [
        re.sub(r"<[^>]+>.*", "", text)
        for text in re.findall(r'<label for="f-[a-z_0-9]+">(.+?)</label>', form)
    ]
    labels += re.findall(r"<legend>([^<]+)<", form)
    return [html.unescape(label).strip() for label in labels]


async def test_the_submitted_view_shows_every_field_as_the_form_labels_it(platform, make_pharmacist) -> None:
    person, applicant, ref, unit, unit_name, _files = await _filled(platform, make_pharmacist, "许清和")
    base = f"/account/applications/js/{ref}"
    labels = _form_labels((await applicant.get(base)).text)
    assert {
        "执业药师职业资格证书编号",
        "执业类别",
        "执业范围",
        "执业单位统一社会信用代码",
        "补充说明",
    } <= set(labels)
    assert (await applicant.post(f"{base}/submit", {})).status_code == 303

    page = (await applicant.get(base)).text
    filed = page[page.find('id="filed-title"') : page.find("</section>", page.find('id="filed-title"'))]
    shown = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]*)</dd>", filed))
    for label in labels:
        if label.startswith("第二个资格证书编号"):
            continue  # left empty, so not listed
        assert label in shown, (label, shown)
    assert shown["执业药师职业资格证书编号"] == person.qualification_no
    assert shown["执业类别"] == "药学" and shown["执业范围"] == "药品经营"
    assert shown["执业单位统一社会信用代码"] == f"{unit}（{unit_name}）"
    assert shown["补充说明"] == "现在本单位从事处方审核工作"
    assert "已承诺" in shown["本人承诺"]


async def test_a_printable_receipt_lists_each_material_with_its_digest(
    platform, make_pharmacist, new_browser
) -> None:
    person, applicant, ref, _unit, unit_name, files = await _filled(platform, make_pharmacist, "许清越")
    base = f"/account/applications/js/{ref}"
    assert "接收凭证" not in (await applicant.get(base)).text  # a draft has delivered nothing
    assert (await applicant.get(f"{base}/receipt")).status_code == 404
    assert (await applicant.post(f"{base}/submit", {})).status_code == 303

    page = (await applicant.get(base)).text
    link = re.search(rf'href="({re.escape(base)}/receipt)"[^>]*>打印申请材料接收凭证（PDF）', page)
    assert link
    receipt = await applicant.get(link.group(1))
    assert receipt.status_code == 200 and receipt.headers["content-type"] == "application/pdf"
    text = pdf_text(receipt.content)
    for expected in (
        "执业药师注册申请材料接收凭证",
        f"申请编号：{ref}",
        "申请事项执业药师首次注册",
        f"申请人{person.name}",
        f"身份证件号码{person.id_number[:4]}**********{person.id_number[-4:]}",
        unit_name,
        "接收机关江苏省药品监督管理局",
        "本凭证仅证明材料已经收到，不表示申请已被受理",
        "前作出是否受理的决定",
        f"/account/applications/js/{ref}",
    ):
        assert expected in text, expected
    assert person.id_number not in text
    for filename, content, _mime in files.values():
        assert filename in text and hashlib.sha256(content).hexdigest() in text
    pages = pypdfium2.PdfDocument(receipt.content)
    try:
        image = pages[0].render(scale=1).to_pil().convert("L")
    finally:
        pages.close()
    assert image.getextrema()[0] < 100  # ink on the page, not a blank one

    # After a one-time supplement notice, the receipt is that of the resubmission.
    clerk = new_browser()
    await clerk.sign_in("/p/js/office", "js.accept")
    assert (await officer_act(clerk, "js", ref, "supplement", items="资格证书不清晰")).status_code == 303
    clear = pdf("qualification, clear")
    assert (
        await upload(applicant, "js", ref, "qualification", "资格证书-清晰.pdf", clear, "application/pdf")
    ).status_code == 200
    assert (await applicant.post(f"{base}/resubmit", {})).status_code == 303
    again = pdf_text((await applicant.get(f"{base}/receipt")).content)
    assert "补正后重新提交的" in again and hashlib.sha256(clear).hexdigest() in again

    # Someone else's receipt answers like a missing page.
    _other, stranger = await make_pharmacist("许清远", division="320102")
    assert (await stranger.get(f"{base}/receipt")).status_code == 404
