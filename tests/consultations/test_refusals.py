"""Every bad input is refused with a clear Chinese message, and nothing is stored."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from pharmreg.consultations.models import ConsultationAttachment, ConsultationLocator
from pharmreg.kit.clock import utcnow
from tests.consultations.helpers import code_of, count_items, latest, submit
from tests.people import make_officer

SCRIPT = "<script>alert(1)</script>"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def _attachments(platform) -> int:
    async with platform.db.tenant("tenant_gd") as session:
        return int(await session.scalar(select(func.count()).select_from(ConsultationAttachment)))


async def test_bad_submissions_are_refused_and_nothing_is_stored(platform, new_browser) -> None:
    visitor = new_browser()
    before, files_before = await count_items(platform, "gd"), await _attachments(platform)
    cases = [
        ({"mobile": "1381234567"}, {}, "请填写正确的 11 位手机号码"),
        ({"mobile": "23812345678"}, {}, "请填写正确的 11 位手机号码"),
        ({"title": ""}, {}, "标题应为"),
        ({"category": "nonsense"}, {}, "请选择类别"),
        ({"province": "zz", "division": ""}, {}, "请选择所在省份"),
        ({"division": "990000"}, {}, "暂未开通网上咨询投诉"),
    ]
    for overrides, _files, message in cases:
        response = await submit(platform, visitor, **overrides)
        assert response.status_code == 400 and message in response.text, (overrides, response.text[-3000:])
    missing = await submit(platform, visitor, captcha=False)
    assert missing.status_code == 400 and "请输入图中的数字" in missing.text
    page = await visitor.get("/consult/new")
    token = page.text.split('name="captcha_token" value="', 1)[1].split('"', 1)[0]
    wrong = await visitor.post(
        "/consult/new",
        {
            "category": "exam",
            "province": "gd",
            "division": "440606",
            "title": "考试",
            "body": "考试报名时间是？",
            "name": "某",
            "mobile": "13812345678",
            "captcha_token": token,
            "captcha": "0000",
        },
    )
    assert wrong.status_code == 400 and "验证码错误或已过期" in wrong.text

    exe = ("说明.pdf", b"MZ\x90\x00" + b"\x00" * 200, "application/pdf")
    disguised = await submit(
        platform, visitor, kind="complaint", category="other", files={"attachments": exe}
    )
    assert disguised.status_code == 400 and "文件内容不是 PDF、JPG 或 PNG" in disguised.text
    big = ("材料.pdf", PDF[:-7] + b"0" * (5 * 1024 * 1024) + b"\n%%EOF\n", "application/pdf")
    oversize = await submit(platform, visitor, kind="complaint", category="other", files={"attachments": big})
    assert oversize.status_code == 400 and "文件超过 5 MB" in oversize.text
    assert await count_items(platform, "gd") == before and await _attachments(platform) == files_before

    fine = await submit(
        platform,
        visitor,
        kind="complaint",
        category="other",
        files={"attachments": ("材料.pdf", PDF, "application/pdf")},
    )
    code_of(fine)
    assert await _attachments(platform) == files_before + 1


async def test_markup_is_kept_as_text_and_shown_inert(platform, new_browser) -> None:
    await make_officer(platform, "gd", "gd.440117.consult", ("consultation",), "440117")
    visitor = new_browser()
    code = code_of(
        await submit(
            platform,
            visitor,
            division="440117",
            title=f"标题{SCRIPT}",
            body=f"内容{SCRIPT}<b>粗</b>",
            name=f"名{SCRIPT}",
        )
    )
    item = await latest(platform, "gd")
    assert item.body == f"内容{SCRIPT}<b>粗</b>"  # stored as typed
    officer = new_browser()
    await officer.sign_in("/p/gd/office", "gd.440117.consult", "Green#Hills2026")
    page = await officer.get(f"/p/gd/office/consultations/{item.id}")
    assert SCRIPT not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    await officer.post(f"/p/gd/office/consultations/{item.id}/reply", {"reply": f"答复{SCRIPT}"})
    await officer.post(
        f"/p/gd/office/consultations/{item.id}/publication",
        {"public_question": f"问题{SCRIPT}", "public_answer": f"答复{SCRIPT}", "action": "publish"},
    )
    for response in (await visitor.post("/consult/track", {"code": code}), await visitor.get("/qa")):
        assert SCRIPT not in response.text and "&lt;script&gt;" in response.text
    faq = await officer.post(
        "/p/gd/office/faq/", {"topic": "exam", "question": f"考试问题{SCRIPT}", "answer": f"解答{SCRIPT}"}
    )
    assert faq.status_code == 303
    public = await visitor.get("/faq", params={"province": "gd", "q": "考试问题"})
    assert "考试问题&lt;script&gt;" in public.text and SCRIPT not in public.text


async def test_query_codes_unknown_malformed_and_expired(platform, new_browser) -> None:
    visitor = new_browser()
    unknown = await visitor.post("/consult/track", {"code": "ABCD-EFGH-JKMN-PQRS"})
    assert unknown.status_code == 404 and "未找到该查询码对应的事项" in unknown.text
    malformed = await visitor.post("/consult/track", {"code": "12345"})
    assert malformed.status_code == 400 and "查询码格式不正确" in malformed.text
    empty = await visitor.post("/consult/track", {"code": ""})
    assert empty.status_code == 400 and "请输入查询码" in empty.text

    code = code_of(await submit(platform, visitor, title="过期查询码"))
    item = await latest(platform, "gd")
    async with platform.db.national() as session, session.begin():
        await session.execute(
            update(ConsultationLocator)
            .where(ConsultationLocator.code_hash == item.code_hash)
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    expired = await visitor.post("/consult/track", {"code": code})
    assert (
        expired.status_code == 404 and "该查询码已过期" in expired.text and "过期查询码" not in expired.text
    )


async def test_faq_upkeep_refuses_bad_entries_and_is_searchable(platform, new_browser) -> None:
    officer = new_browser()
    await officer.sign_in("/p/gd/office", "gd.publish")
    bad = await officer.post("/p/gd/office/faq/", {"topic": "weather", "question": "短", "answer": ""})
    assert (
        bad.status_code == 400
        and "请选择主题" in bad.text
        and "问题应为" in bad.text
        and "解答应为" in bad.text
    )
    assert (
        await officer.post(
            "/p/gd/office/faq/",
            {
                "topic": "continuing_education",
                "question": "广东省继续教育学分如何登记？",
                "answer": "由施教机构报送。",
            },
        )
    ).status_code == 303
    staff = new_browser()
    await staff.sign_in("/national", "nmpa.admin")
    assert (
        await staff.post(
            "/national/faq/",
            {"topic": "continuing_education", "question": "全国继续教育学分互认吗？", "answer": "全国互认。"},
        )
    ).status_code == 303
    visitor = new_browser()
    gd = await visitor.get("/faq", params={"province": "gd", "topic": "continuing_education", "q": "学分"})
    assert "广东省继续教育学分如何登记？" in gd.text and "全国继续教育学分互认吗？" in gd.text
    js = await visitor.get("/faq", params={"province": "js", "q": "学分"})
    assert "广东省继续教育学分如何登记？" not in js.text and "全国继续教育学分互认吗？" in js.text
    wildcard = await visitor.get("/faq", params={"province": "gd", "q": "%"})
    assert "广东省继续教育学分如何登记？" not in wildcard.text  # % is a character, not a wildcard
    js_officer = new_browser()
    await js_officer.sign_in("/p/js/office", "js.publish")
    assert "广东省继续教育学分如何登记？" not in (await js_officer.get("/p/js/office/faq/")).text


async def test_submissions_are_rate_limited_per_address(platform, new_browser) -> None:
    visitor = new_browser()
    for n in range(5):
        code_of(await submit(platform, visitor, title=f"频繁提交{n}"))
    before = await count_items(platform, "gd")
    flood = await submit(platform, visitor, title="第六次提交")
    assert flood.status_code == 429 and "提交过于频繁" in flood.text
    assert await count_items(platform, "gd") == before
