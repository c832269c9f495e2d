"""The portal's journeys in a real browser: a visitor reads a notice on the province's home page
and asks a question; an officer answers and publishes it; the visitor finds the answer by the
query code and in the public Q&A, which never shows who asked. A visitor types a full address,
is routed to the province's sites and the bureaus of the place, and finds a published result."""

from __future__ import annotations

import re
import uuid

from playwright.async_api import expect
from redis.asyncio import Redis
from sqlalchemy import select

from pharmreg.identity import list_officers, list_units
from pharmreg.register.models import NationalResult
from tests.ui.test_journeys import sign_in


async def _captcha_answer(platform, token: str) -> str:
    redis = Redis.from_url(platform.settings.redis_url)
    try:
        return (await redis.get(f"pharmreg:captcha:{token}")).decode()
    finally:
        await redis.aclose()


async def test_read_a_notice_ask_get_an_answer_and_find_it(platform, new_page) -> None:
    marker = uuid.uuid4().hex[:6]
    visitor = await new_page()
    await visitor.goto("/p/gd/")
    notices = visitor.get_by_role("region", name="本省信息公开")
    await notices.get_by_role("link", name=re.compile("执业药师注册工作的通知")).first.click()
    await expect(visitor.get_by_role("heading", level=1)).to_contain_text("执业药师注册工作的通知")
    await expect(visitor.get_by_text(re.compile(r"内容校验码"))).to_be_visible()

    await visitor.get_by_role("navigation", name="主导航").get_by_role("link", name="我要咨询").click()
    await visitor.get_by_label("类别").select_option(value="registration")
    await visitor.get_by_label("所在省份").select_option(value="gd")
    question = f"变更执业单位后需要重新考试吗（{marker}）"
    await visitor.get_by_label("标题").fill(question)
    await visitor.get_by_label("咨询内容").fill(
        "我从广州的药店换到佛山的医院，注册证要怎么办？<script>alert(1)</script>"
    )
    await visitor.get_by_label("姓名或称呼").fill("林小姐")
    await visitor.get_by_label("联系手机").fill("13912345678")
    token = await visitor.locator("#c-captcha-token").input_value()
    await visitor.get_by_label(re.compile("请输入图中的数字")).fill(await _captcha_answer(platform, token))
    await visitor.get_by_role("button", name="提交").click()
    code = (await visitor.locator("#query-code").inner_text()).strip()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code)

    officer = await new_page()
    await sign_in(officer, "/p/gd/office", "gd.publish")
    await officer.get_by_role("link", name="咨询投诉").click()
    await officer.get_by_role("link", name=re.compile(re.escape(question))).click()
    await expect(officer.locator("#item-body")).to_contain_text("<script>alert(1)</script>")  # shown as text
    answer = "无需重新考试：请在新单位所在地申请变更注册，办结后电子注册证同步更新。"
    await officer.get_by_label("答复内容").fill(answer)
    await officer.get_by_role("button", name="答复").click()
    await expect(officer.locator("#item-reply")).to_contain_text(answer)
    await officer.get_by_label("公开的问题").fill(question)
    await officer.get_by_role("button", name="发布").click()
    await expect(officer.get_by_role("main")).to_contain_text("已发布")

    await visitor.get_by_role("navigation", name="主导航").get_by_role("link", name="进度查询").click()
    await visitor.get_by_label(re.compile("查询码")).fill(code)
    await visitor.get_by_role("button", name="查询").click()
    await expect(visitor.locator("#track-status")).to_contain_text("已答复")
    await expect(visitor.locator("#track-history")).to_contain_text(answer)

    await visitor.get_by_role("navigation", name="主导航").get_by_role("link", name="问答公开").click()
    await visitor.get_by_label(re.compile("关键词|搜索")).fill(marker)
    await visitor.get_by_role("button", name="搜索").click()
    await expect(visitor.get_by_role("main")).to_contain_text(answer)
    await expect(visitor.get_by_role("main")).not_to_contain_text("林小姐")
    await expect(visitor.get_by_role("main")).not_to_contain_text("13912345678")


async def test_a_visitor_types_an_address_is_routed_and_finds_contacts_and_a_result(
    platform, new_page
) -> None:
    tenant = platform.directory.get("gd")
    async with platform.db.tenant(tenant.schema) as session:
        unit = next(u for u in await list_units(session) if u.division_code == "440103")
        clerk = next(
            o for o in await list_officers(session, unit_id=unit.id) if o.username == "gd.440103.accept"
        )
    async with platform.db.national() as session:
        result = await session.scalar(
            select(NationalResult).where(NationalResult.tenant == "gd").order_by(NationalResult.id).limit(1)
        )
    assert result is not None

    visitor = await new_page()
    await visitor.goto("/")
    await visitor.get_by_role("navigation", name="主导航").get_by_role("link", name="业务办理").click()
    await visitor.get_by_label("执业单位所在地或详细地址").fill("广东省广州市荔湾区中山七路")
    await visitor.get_by_role("button", name="确定").first.click()
    await expect(visitor.get_by_text("您所在的地区：广东省 广州市 荔湾区")).to_be_visible()
    sites = visitor.get_by_role("list", name="广东省业务网站")
    await expect(sites.get_by_role("link", name="广东省人事考试网")).to_have_attribute(
        "href", "http://rsks.gd.gov.cn"
    )
    await expect(sites.get_by_role("link", name="执业药师职业资格考试报名")).to_be_visible()
    county = visitor.get_by_role("article", name="广州市荔湾区市场监督管理局")
    await expect(county).to_contain_text(unit.phone)
    await expect(county.get_by_role("list", name="广州市荔湾区市场监督管理局联系人")).to_contain_text(
        clerk.name
    )
    await expect(visitor.get_by_role("article", name="广东省药品监督管理局")).to_be_visible()
    await expect(visitor.get_by_role("main")).not_to_contain_text(clerk.mobile)

    await sites.get_by_role("link", name="广东省注册结果公示").click()
    await expect(visitor.get_by_role("heading", level=1)).to_have_text("广东省执业药师注册结果公示")
    await visitor.get_by_label("注册证编号").fill(result.certificate_no)
    await visitor.get_by_role("button", name="查询").click()
    await expect(visitor.locator("#results")).to_contain_text(result.name)
    await expect(visitor.locator("#results tbody tr")).to_have_count(1)

    # The national page finds the same result among every province's.
    await visitor.get_by_role("navigation", name="主导航").get_by_role("link", name="结果公示").click()
    await visitor.get_by_label("姓名").fill(result.name)
    await visitor.get_by_label("省份").select_option(label="广东省")
    await visitor.get_by_role("button", name="查询").click()
    await expect(visitor.locator("#results")).to_contain_text(result.certificate_no)
