"""信息查询: exam scores by name and ID number together (rate-limited), and a pharmacist's own credits."""

from __future__ import annotations

import re

from redis.asyncio import Redis

from pharmreg.kit.db import transaction
from pharmreg.kit.tabular import Row
from pharmreg.qualifications import import_qualifications
from tests.pharmacists import add_credits


async def test_scores_need_name_and_id_together_and_are_rate_limited(
    platform, make_pharmacist, new_browser
) -> None:
    person, _browser = await make_pharmacist("柯以宁", division="110101")
    async with platform.db.national() as session, transaction(session):
        report = await import_qualifications(
            session,
            [
                Row(
                    2,
                    {
                        "certificate_no": "QS2024000001",
                        "name": person.name,
                        "id_number": person.id_number,
                        "category": "中药学",
                        "obtained_on": "2024-11-20",
                        "subject_1_name": "中药学专业知识（一）",
                        "subject_1_score": "88",
                        "subject_1_year": "2024",
                        "subject_2_name": "药事管理与法规",
                        "subject_2_score": "65",
                        "subject_2_year": "2023",
                    },
                )
            ],
        )
    assert not report.errors
    visitor = new_browser()
    page = await visitor.get("/query/scores")
    assert 'method="post"' in page.text and 'name="_csrf_token"' in page.text
    found = await visitor.post("/query/scores", {"name": person.name, "id_number": person.id_number})
    assert found.status_code == 200 and "中药学专业知识（一）" in found.text and "合格" in found.text
    assert "不合格" in found.text and person.id_number not in found.text.replace(
        'value="' + person.id_number, ""
    )
    one_year = await visitor.post(
        "/query/scores", {"name": person.name, "id_number": person.id_number, "year": "2023"}
    )
    assert "药事管理与法规" in one_year.text and "中药学专业知识（一）" not in one_year.text
    wrong = await visitor.post("/query/scores", {"name": "别人", "id_number": person.id_number})
    assert wrong.status_code == 404 and "未查到相符的成绩" in wrong.text
    bad_year = await visitor.post(
        "/query/scores", {"name": person.name, "id_number": person.id_number, "year": "二〇二四"}
    )
    assert bad_year.status_code == 400
    # Three answered queries in ten minutes: the next one needs the picture's digits.
    asked = await visitor.post("/query/scores", {"name": person.name, "id_number": person.id_number})
    assert (
        asked.status_code == 400
        and "请输入图中的数字" in asked.text
        and "data:image/png;base64," in asked.text
    )
    token = re.search(r'name="captcha_token" value="([^"]+)"', asked.text).group(1)
    wrong_digits = await visitor.post(
        "/query/scores",
        {
            "name": person.name,
            "id_number": person.id_number,
            "captcha_token": token,
            "captcha": "0000",
        },
    )
    assert wrong_digits.status_code == 400  # and the challenge is spent: a guess cannot be repeated
    token = re.search(r'name="captcha_token" value="([^"]+)"', wrong_digits.text).group(1)
    redis = Redis.from_url(platform.settings.redis_url)
    try:
        answer = (await redis.get(f"pharmreg:captcha:{token}")).decode()
    finally:
        await redis.aclose()
    solved = await visitor.post(
        "/query/scores",
        {
            "name": person.name,
            "id_number": person.id_number,
            "captcha_token": token,
            "captcha": answer,
        },
    )
    assert solved.status_code == 200 and "中药学专业知识（一）" in solved.text
    answers = [
        (await visitor.post("/query/scores", {"name": "某", "id_number": "11010119900307001X"})).status_code
        for _ in range(12)
    ]
    assert answers[-1] == 429


async def test_scores_are_never_looked_up_from_a_url_nor_kept_by_caches(
    platform, make_pharmacist, new_browser, caplog
) -> None:
    person, _browser = await make_pharmacist("柯以诚", division="110101")
    async with platform.db.national() as session, transaction(session):
        report = await import_qualifications(
            session,
            [
                Row(
                    2,
                    {
                        "certificate_no": "QS2024000002",
                        "name": person.name,
                        "id_number": person.id_number,
                        "category": "药学",
                        "obtained_on": "2024-11-20",
                        "subject_1_name": "药学专业知识（一）",
                        "subject_1_score": "90",
                        "subject_1_year": "2024",
                    },
                )
            ],
        )
    assert not report.errors
    visitor = new_browser()
    # An old bookmark or a link carrying the parameters shows the empty form and looks nothing up.
    linked = await visitor.get("/query/scores", params={"name": person.name, "id_number": person.id_number})
    assert linked.status_code == 200 and "药学专业知识（一）" not in linked.text
    assert person.id_number not in linked.text and linked.headers["cache-control"] == "no-store"
    # A page submitted without the form's CSRF token is refused.
    forged = await visitor.http.post(
        "/query/scores", data={"name": person.name, "id_number": person.id_number}
    )
    assert forged.status_code == 403
    caplog.clear()
    found = await visitor.post("/query/scores", {"name": person.name, "id_number": person.id_number})
    assert found.status_code == 200 and "药学专业知识（一）" in found.text
    assert found.headers["cache-control"] == "no-store" and "location" not in found.headers
    assert person.id_number not in str(found.url)
    assert all(person.id_number not in record.getMessage() for record in caplog.records)
    missing = await visitor.post("/query/scores", {"name": "别人", "id_number": person.id_number})
    assert missing.status_code == 404 and missing.headers["cache-control"] == "no-store"


async def test_a_pharmacist_reads_only_their_own_credits(platform, make_pharmacist) -> None:
    person, browser = await make_pharmacist("柯以安", division="110101")
    _other, other_browser = await make_pharmacist("柯以平", division="110101")
    await add_credits(platform, person, [2024, 2025])
    page = await browser.get("/account/credits")
    assert page.status_code == 200 and "测试施教机构" in page.text and "2025" in page.text
    assert "测试施教机构" not in (await other_browser.get("/account/credits")).text


async def test_the_verification_form_asks_for_the_picture_after_ten_checks(new_browser, platform) -> None:
    visitor = new_browser()
    params = {"certificate_no": "00000000000000", "name": "无此人"}
    for _ in range(10):
        answered = await visitor.get("/verify/", params=params)
        assert answered.status_code == 404 and "未查到" in answered.text
    assert 'name="captcha_token"' in answered.text  # the next check will need it
    refused = await visitor.get("/verify/", params=params)
    assert refused.status_code == 400 and "请输入图中的数字" in refused.text
    token = re.search(r'name="captcha_token" value="([^"]+)"', refused.text).group(1)
    redis = Redis.from_url(platform.settings.redis_url)
    try:
        answer = (await redis.get(f"pharmreg:captcha:{token}")).decode()
    finally:
        await redis.aclose()
    full_width = answer.translate(str.maketrans("0123456789", "０１２３４５６７８９"))  # as some IMEs type
    solved = await visitor.get("/verify/", params={**params, "captcha_token": token, "captcha": full_width})
    assert solved.status_code == 404 and "未查到" in solved.text
    # The JSON API is for programs: it keeps its per-minute limit and asks for no picture.
    api = await visitor.get("/api/v1/verify/", params=params)
    assert api.status_code == 404


async def test_invisible_characters_get_a_clear_refusal_not_an_error(new_browser, platform) -> None:
    visitor = new_browser()
    for path in ("/faq", "/qa", "/articles/"):
        response = await visitor.get(path, params={"q": "注册\x00"})
        assert response.status_code == 400 and "控制字符" in response.text, path
    writer = new_browser()
    await writer.sign_in("/p/gd/office", "gd.publish")
    refused = await writer.post(
        "/p/gd/office/publishing/new", {"category": "notice", "title": "通知\x00", "body": "<p>正文</p>"}
    )
    assert refused.status_code == 400 and "控制字符" in refused.text
