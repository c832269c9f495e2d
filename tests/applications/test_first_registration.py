"""First registration end to end over HTTP: draft, pre-check, supplement notice, acceptance,
review, decision, the register, the certificate and public verification."""

from __future__ import annotations

import io
import re

import pypdf
from sqlalchemy import select

from pharmreg.applications.models import Application
from pharmreg.messaging.models import SentMessage
from pharmreg.register.models import RegisterEntry
from tests.applications.files import pdf
from tests.applications.journeys import fill, officer_act, start, upload, upload_required
from tests.pharmacists import add_unit


async def test_first_registration_from_draft_to_verified_certificate(
    platform, make_pharmacist, new_browser
) -> None:
    person, applicant = await make_pharmacist("林晓彤", division="320102")
    unit = await add_unit(platform, "js", "320102", name="南京市玄武区康宁大药房")
    ref = await start(applicant, "js", "first_registration")

    # The pre-check answers as the form is filled, every problem at once.
    findings = await fill(
        applicant, "js", ref, qualification_no="QX0000", categories="", scope="", unit_uscc=""
    )
    assert "未在全国执业药师资格数据中找到证书 QX0000" in findings
    assert "请选择执业类别" in findings and "请选择执业范围" in findings
    findings = await fill(
        applicant,
        "js",
        ref,
        qualification_no=person.qualification_no,
        categories="pharmacy",
        scope="distribution",
        unit_uscc=unit,
        declaration="yes",
    )
    assert "预审通过" in findings

    # Submitting without the required materials is refused and changes nothing.
    refused = await applicant.post(f"/account/applications/js/{ref}/submit", {})
    assert refused.status_code == 409, refused.text
    assert "请上传：本人近期免冠正面证件照" in refused.text, refused.text[refused.text.find("<main") :][:1500]
    await upload_required(applicant, "js", ref)
    submitted = await applicant.post(f"/account/applications/js/{ref}/submit", {})
    assert submitted.status_code == 303
    page = await applicant.get(f"/account/applications/js/{ref}")
    assert "待受理" in page.text and "受理期限" in page.text

    accept = new_browser()
    await accept.sign_in("/p/js/office", "js.accept")
    todo = await accept.get("/p/js/office/")
    assert ref in todo.text
    # Approving before acceptance is out of turn: the acceptance step offers no such action.
    out_of_turn = await officer_act(accept, "js", ref, "approve")
    assert out_of_turn.status_code == 409 and "不能准予注册" in out_of_turn.text
    notice = await officer_act(
        accept, "js", ref, "supplement", items="资格证书扫描件不清晰\n执业单位证明缺少公章"
    )
    assert notice.status_code == 303
    waiting = await accept.get(f"/p/js/office/cases/{ref}")
    assert "该申请当前没有待办环节" in waiting.text  # the case waits for the applicant, off the to-do list

    page = await applicant.get(f"/account/applications/js/{ref}")
    assert (
        "待补正" in page.text and "资格证书扫描件不清晰" in page.text and "执业单位证明缺少公章" in page.text
    )
    supplement_pdf = re.search(rf"/account/applications/js/{ref}/notices/(\d+)", page.text)
    assert supplement_pdf
    document = await applicant.get(supplement_pdf.group(0))
    assert document.headers["content-type"] == "application/pdf"
    text = pypdf.PdfReader(io.BytesIO(document.content)).pages[0].extract_text()
    assert "补正" in text and "资格证书扫描件不清晰" in text
    response = await upload(
        applicant, "js", ref, "qualification", "qual2.pdf", pdf("clear"), "application/pdf"
    )
    assert response.status_code == 200
    assert (await applicant.post(f"/account/applications/js/{ref}/resubmit", {})).status_code == 303
    again = await officer_act(accept, "js", ref, "supplement", items="再来一次")
    assert again.status_code == 409 and "一次性告知已经发出" in again.text  # the notice is one-time

    assert (await officer_act(accept, "js", ref, "accept", note="材料齐全")).status_code == 303
    review = new_browser()
    await review.sign_in("/p/js/office", "js.review")
    assert (await officer_act(review, "js", ref, "forward", note="符合条件")).status_code == 303
    decide = new_browser()
    await decide.sign_in("/p/js/office", "js.decide")
    assert (await officer_act(decide, "js", ref, "approve", note="准予注册")).status_code == 303
    async with platform.db.tenant("tenant_js") as session:
        version = await session.scalar(select(Application.version).where(Application.ref == ref))
    closed = await decide.post(
        f"/p/js/office/cases/{ref}/act", {"action": "approve", "version": str(version)}
    )
    assert closed.status_code == 409 and "该申请当前没有待办环节" in closed.text  # acting on a closed case

    page = await applicant.get(f"/account/applications/js/{ref}")
    assert "准予注册" in page.text
    mine = await applicant.get("/account/registrations")
    assert "南京市玄武区康宁大药房" in mine.text and "首次注册" in mine.text
    link = re.search(r"/account/registrations/js/(\d+)/certificate", mine.text)
    certificate = await applicant.get(link.group(0))
    assert certificate.status_code == 200 and certificate.headers["content-type"] == "application/pdf"
    text = pypdf.PdfReader(io.BytesIO(certificate.content)).pages[0].extract_text()
    assert "林晓彤" in text and person.id_number not in text and person.id_number[-4:] in text

    async with platform.db.national() as session:
        entry = await session.scalar(
            select(RegisterEntry).where(RegisterEntry.person_key.like(f"%{person.id_number}"))
        )
    assert entry.status == "active" and entry.tenant == "js"
    public = await new_browser().get(f"/verify/?certificate_no={entry.certificate_no}&name=林晓彤")
    assert public.status_code == 200 and "有效" in public.text and "南京市玄武区康宁大药房" in public.text
    assert person.id_number not in public.text and person.mobile not in public.text
    wrong_name = await new_browser().get(f"/verify/?certificate_no={entry.certificate_no}&name=王五")
    assert wrong_name.status_code == 404
    api = await new_browser().get(
        "/api/v1/verify/", params={"certificate_no": entry.certificate_no, "name": "林晓彤"}
    )
    assert api.status_code == 200 and api.json()["status"] == "active" and "id_number" not in api.text
    await platform.relay().pass_once()  # 结果公示 is read from the national side
    results = await new_browser().get("/p/js/results/")
    assert entry.certificate_no in results.text
    async with platform.db.national() as session:
        sent = await session.scalars(select(SentMessage.text).where(SentMessage.mobile == person.mobile))
        texts = list(sent)
    assert any("需要补正材料" in t for t in texts) and any("已准予注册" in t for t in texts)


async def test_the_verification_api_is_documented_and_rate_limited(new_browser) -> None:
    schema = (await new_browser().get("/api/schema/openapi.json")).json()
    operation = schema["paths"]["/api/v1/verify"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"certificate_no", "name", "t"}
    assert "从不返回证件号码" in operation["description"]
    browser = new_browser()
    answers = [
        (await browser.get("/api/v1/verify/", params={"certificate_no": "NOPE", "name": "某人"})).status_code
        for _ in range(22)
    ]
    assert answers[0] == 404 and answers[-1] == 429  # one address cannot walk the register
    page = await browser.get("/verify/", params={"certificate_no": "NOPE", "name": "某人"})
    assert page.status_code == 429 and "查询过于频繁" in page.text
