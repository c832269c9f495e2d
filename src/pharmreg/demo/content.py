"""Demo content of the portals: notices, policies, exam and CE information, national and per
province, gone through the real review workflow (some left waiting for review or scheduled)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.identity import list_officers, list_staff, security_rules
from pharmreg.kit.db import Database
from pharmreg.publishing import (
    ArticleSpace,
    Editor,
    approve_article,
    check_draft,
    create_article,
    has_articles,
    national_space,
    province_space,
    submit_article,
)

# (category, title, body, tags, days ago published; None = left waiting for review)
_NATIONAL = (
    (
        "policy",
        "执业药师注册管理办法",
        "<h2>第一章 总则</h2><p>第一条 为规范执业药师注册管理工作，加强执业药师队伍建设，根据《中华人民共和国药品管理法》"
        "《执业药师职业资格制度规定》等有关规定，制定本办法。</p><p>第二条 执业药师实行注册制度。取得执业药师职业资格证书者，"
        "应当通过全国执业药师注册管理信息系统向执业所在地省级药品监督管理部门申请注册。经注册后，方可以执业药师身份执业。</p>"
        "<h2>第二章 注册条件和内容</h2><p>第八条 执业药师注册有效期为五年。需要延续的，应当在有效期届满三十日前提出延续注册申请。</p>",
        "注册 管理办法",
        40,
    ),
    (
        "notice",
        "关于开展执业药师“挂证”行为专项整治工作的通知",
        "<p>各省、自治区、直辖市和新疆生产建设兵团药品监督管理局：</p><p>为严厉打击执业药师“挂证”行为，"
        "请各地对辖区内执业药师注册及在岗执业情况开展全面自查，对注册单位与实际执业单位不一致、"
        "长期不在岗等情形依法处理，并于每月 10 日前报送整治进展。</p>",
        "挂证 专项整治",
        12,
    ),
    (
        "exam",
        "2026年度全国执业药师职业资格考试考务工作安排",
        "<p>2026年度全国执业药师职业资格考试定于 10 月 17 日、18 日举行，考试科目为药学（中药学）专业知识（一）、"
        "专业知识（二）、药事管理与法规、综合知识与技能。</p><p>报名时间、地点与缴费方式由各省人事考试机构公布，请考生关注所在省份的通知。</p>",
        "考试 报名",
        30,
    ),
    (
        "ce",
        "执业药师继续教育学分管理说明",
        "<p>执业药师每年参加继续教育不少于 90 学时（30 学分），其中专业科目不少于 60 学时。"
        "学分记录由继续教育实施机构报送，执业药师可在平台“我的学分”中查询。</p>",
        "继续教育 学分",
        5,
    ),
)
_PROVINCE = (
    (
        "notice",
        "关于做好{name}2027年度执业药师注册工作的通知",
        "<p>各地级以上市市场监督管理局：</p><p>为做好{name}2027年度执业药师注册工作，现将有关事项通知如下：</p>"
        "<ol><li>首次注册、变更注册、延续注册和注销注册一律通过网上办理，申请人无需提交纸质材料。</li>"
        "<li>受理部门自受理之日起 20 个工作日内作出决定。</li><li>电子注册证与纸质证书具有同等效力，可扫码核验。</li></ol>",
        "注册 通知",
        3,
    ),
    (
        "exam",
        "{name}2026年度执业药师职业资格考试报名公告",
        "<p>{name}2026年度执业药师职业资格考试报名采取网上报名、网上缴费的方式。报名时间为 7 月 1 日至 7 月 15 日。"
        "考试地点设在各地级市，准考证请于考前一周自行打印。</p>",
        "考试 报名",
        20,
    ),
    (
        "ce",
        "{name}执业药师继续教育施教机构名单",
        "<p>经审核，以下机构可承担本省执业药师继续教育工作：省执业药师协会、省药学会继续教育中心。"
        "执业药师可自主选择施教机构，学分全省通用。</p>",
        "继续教育",
        8,
    ),
    (
        "notice",
        "{name}执业药师注册窗口服务时间调整的公告",
        "<p>自下月起，注册咨询窗口工作时间调整为工作日 9:00–12:00、13:30–17:30。网上申请全天可提交。</p>",
        "窗口 公告",
        None,
    ),
)


async def load_content(db: Database, tenants: list[tuple[str, str, str, str]], *, now: datetime) -> int:
    """Articles for the national portal and each demo province (slug, schema, placement, name); once."""
    made = 0
    async with db.national() as session, session.begin():
        staff = await list_staff(session, await security_rules(session))
        writer = next((s for s in staff if s.role != "superadmin"), None)
        reviewer = next((s for s in staff if s.role == "superadmin"), None)
        if writer and reviewer:
            made += await _fill(
                session,
                national_space(),
                _editor(writer.id, writer.name, writer.department, None, review=False),
                _editor(reviewer.id, reviewer.name, reviewer.department, None, review=True),
                [(c, t, b, g, d) for c, t, b, g, d in _NATIONAL],
                now,
            )
    for slug, schema, placement, name in tenants:
        async with db.tenant(schema, placement) as session, session.begin():
            officers = {o.username: o for o in await list_officers(session)}
            writer_row, reviewer_row = officers.get(f"{slug}.publish"), officers.get(f"{slug}.editor")
            if writer_row is None or reviewer_row is None:
                continue
            articles = [(c, t.format(name=name), b.format(name=name), g, d) for c, t, b, g, d in _PROVINCE]
            made += await _fill(
                session,
                province_space(slug),
                _editor(writer_row.id, writer_row.name, writer_row.unit_name, None, review=False),
                _editor(reviewer_row.id, reviewer_row.name, reviewer_row.unit_name, None, review=True),
                articles,
                now,
            )
    return made


def _editor(id_: uuid.UUID, name: str, department: str, unit_code: str | None, *, review: bool) -> Editor:
    return Editor(
        id=id_,
        name=name,
        department=department,
        unit_code=unit_code,
        may_publish=not review,
        may_review=review,
        reviews_all=True,
    )


async def _fill(
    session: AsyncSession,
    space: ArticleSpace,
    writer: Editor,
    reviewer: Editor,
    articles: list[tuple[str, str, str, str, int | None]],
    now: datetime,
) -> int:
    if await has_articles(session, space=space):
        return 0  # loaded before
    for category, title, body, tags, days_ago in articles:
        when = now - timedelta(days=days_ago or 0, hours=1)
        draft, errors = check_draft(
            category=category, title=title, summary="", body=body, tags=tags, publish_at=None
        )
        assert draft is not None, errors
        article_id = await create_article(session, space=space, editor=writer, draft=draft, now=when)
        await submit_article(session, space=space, editor=writer, article_id=article_id, now=when)
        if days_ago is not None:
            await approve_article(
                session, space=space, editor=reviewer, article_id=article_id, note="", now=when
            )
    return len(articles)
