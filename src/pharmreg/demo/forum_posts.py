"""Demo forum: a few threads about registration work on gd's and js's boards and the national one."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.forum import (
    FORUMS,
    Author,
    ForumSpace,
    list_boards,
    moderate_thread,
    reply_to,
    start_thread,
)
from pharmreg.identity import list_officers, list_staff, security_rules
from pharmreg.kit.db import Database
from pharmreg.tenancy import TenantDirectory

# (author login, title, body, [(replier login, reply)], pinned)
Thread = tuple[str, str, str, list[tuple[str, str]], bool]

_PROVINCE: dict[str, list[Thread]] = {
    "gd": [
        (
            "gd.admin",
            "【置顶】论坛使用须知",
            "本版块供全省药品监管部门注册审批人员交流业务经验。\n请勿发布涉及申请人个人信息的内容；"
            "具体个案请通过待办任务办理。",
            [],
            True,
        ),
        (
            "gd.accept",
            "执业单位变更时原单位未办理离职证明如何处理？",
            "近期有多位药师反映原执业单位不配合出具离职证明，导致变更注册材料不全。\n各地是如何处理的？",
            [
                ("gd.review", "我们的做法是请申请人提交书面说明，并由受理人员电话向原单位核实。"),
                ("gd.decide", "审批环节以劳动合同解除证明或社保停缴记录作为替代材料，均可接受。"),
            ],
            False,
        ),
        (
            "gd.review",
            "继续教育学分核验的常见问题汇总",
            "1. 学分年度与注册有效期不一致；\n2. 外省学分证明格式不同；\n欢迎补充。",
            [("gd.accept", "补充一条：部分学分需在国家平台上确认后才能显示。")],
            False,
        ),
    ],
    "js": [
        (
            "js.admin",
            "【置顶】延续注册集中受理期间的工作安排",
            "年底延续注册申请集中，请各设区市局合理安排受理人员，确保在法定时限内办结。",
            [],
            True,
        ),
        (
            "js.accept",
            "首次注册健康证明的有效期如何把握？",
            "申请材料中的健康证明，各市掌握的有效期不一致，有的按三个月，有的按六个月。",
            [("js.review", "建议统一按办事指南执行：提交申请前六个月内出具。")],
            False,
        ),
    ],
}
_NATIONAL: list[Thread] = [
    (
        "nmpa.admin",
        "【置顶】全国交流版说明",
        "本版块供各省药品监管部门与国家药监局工作人员交流执业药师注册管理工作，"
        "由国家药监局执业药师资格认证中心负责管理。",
        [],
        True,
    ),
    (
        "gd.review",
        "跨省变更注册时原注册省份的注销衔接",
        "药师从广东转到江苏执业，两省办理时间差导致一段时间内存在两条注册记录，各省如何衔接？",
        [
            ("js.review", "江苏按转入地受理，在审批前查询全国注册信息，确认原注册已注销后再发证。"),
            ("nmpa.admin", "国家局正在完善全国注册信息的实时校验，届时将同步通知各省。"),
        ],
        False,
    ),
]


async def _officers(db: Database, directory: TenantDirectory, slugs: list[str]) -> dict[str, Author]:
    authors = {}
    for slug in slugs:
        tenant = directory.get(slug)
        if tenant is None:
            continue
        async with db.tenant(tenant.schema, tenant.placement) as session:
            for o in await list_officers(session):
                authors[o.username] = Author(
                    kind="officer", id=o.id, tenant=slug, name=o.name, unit=o.unit_name, province=tenant.name
                )
    return authors


async def _post(
    session: AsyncSession, space: ForumSpace, threads: list[Thread], who: dict[str, Author]
) -> int:
    boards = await list_boards(session, space)
    if not boards or boards[0].threads:  # loaded before (or no board): add nothing
        return 0
    made = 0
    for login, title, body, replies, pinned in threads:
        if login not in who:
            continue
        thread_id = await start_thread(
            session, space, boards[0].id, author=who[login], title=title, body=body
        )
        for replier, text in replies:
            if replier in who:
                await reply_to(session, space, thread_id, author=who[replier], body=text)
        if pinned:
            await moderate_thread(
                session, space, thread_id, action="pin", reason="", moderator=who[login].name
            )
        made += 1
    return made


async def load_forum(db: Database, directory: TenantDirectory) -> int:
    """The demo threads; returns how many were made (none when they exist already)."""
    who = await _officers(db, directory, ["gd", "js"])
    async with db.national() as session:
        rules = await security_rules(session)
        for staff in await list_staff(session, rules):
            who[staff.username] = Author(
                kind="staff",
                id=staff.id,
                tenant="national",
                name=staff.name,
                unit=staff.department,
                province="国家药品监督管理局",
            )
    made = 0
    for slug, threads in _PROVINCE.items():
        tenant = directory.get(slug)
        if tenant is None:
            continue
        async with db.tenant(tenant.schema, tenant.placement) as session, session.begin():
            made += await _post(session, FORUMS.province(slug), threads, who)
    async with db.national() as session, session.begin():
        made += await _post(session, FORUMS.national(), _NATIONAL, who)
    return made
