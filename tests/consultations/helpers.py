"""Helpers of the consultation tests: solving the picture captcha (its answer is in Redis),
submitting like a visitor, and reading what a province stored."""

from __future__ import annotations

import re
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import func, select

from pharmreg.consultations.models import ConsultationItem

CODE = re.compile(r'id="query-code">([A-Z0-9-]{19})<')


async def captcha_answer(platform, page_text: str) -> tuple[str, str]:
    """(token, answer) of the challenge on a page: any process can read it from the shared Redis."""
    token = re.search(r'name="captcha_token" value="([^"]+)"', page_text).group(1)
    redis = Redis.from_url(platform.settings.redis_url)
    try:
        answer = (await redis.get(f"pharmreg:captcha:{token}")).decode()
    finally:
        await redis.aclose()
    return token, answer


def fields(**overrides: Any) -> dict[str, Any]:
    values = {
        "category": "registration",
        "province": "gd",
        "division": "440606",
        "title": "注册变更需要多久",
        "body": "我变更了执业单位，请问变更注册一般多久办结？",
        "name": "石文静",
        "mobile": "13812345678",
    }
    return values | overrides


async def submit(platform, browser, *, kind: str = "consultation", files=None, captcha=True, **overrides):
    """Open the form, solve its captcha and post it; the response."""
    path = "/complaints/new" if kind == "complaint" else "/consult/new"
    page = await browser.get(path)
    assert page.status_code == 200
    data = fields(**overrides)
    if captcha:
        data["captcha_token"], data["captcha"] = await captcha_answer(platform, page.text)
    if files:
        return await browser.post(path, data, files=files)
    return await browser.post(path, data)


def code_of(response) -> str:
    assert response.status_code == 200, response.text[:2000]
    return CODE.search(response.text).group(1)


async def items_in(platform, slug: str) -> list[ConsultationItem]:
    async with platform.db.tenant(f"tenant_{slug}") as session:
        return list(await session.scalars(select(ConsultationItem).order_by(ConsultationItem.id)))


async def count_items(platform, slug: str) -> int:
    async with platform.db.tenant(f"tenant_{slug}") as session:
        return int(await session.scalar(select(func.count()).select_from(ConsultationItem)))


async def latest(platform, slug: str) -> ConsultationItem:
    return (await items_in(platform, slug))[-1]
