"""Demo content: FAQ entries per topic (national and Guangdong), and consultations and
complaints in Guangdong and Jiangsu at several stages, a few published as Q&A."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select

from pharmreg.consultations import across_tenants, repository
from pharmreg.consultations.models import NationalFaqEntry
from pharmreg.consultations.rules import Submission
from pharmreg.consultations.service import save_faq
from pharmreg.divisions import DivisionIndex
from pharmreg.identity import OfficerAccount
from pharmreg.kit.clock import utcnow
from pharmreg.kit.db import Database
from pharmreg.kit.query_codes import code_hash
from pharmreg.tenancy import TenantDirectory

_NATIONAL_FAQ = (
    (
        "exam",
        "执业药师职业资格考试每年什么时候报名？",
        "一般在每年 7 至 8 月报名，具体时间以各省人事考试机构公告为准。",
    ),
    (
        "exam",
        "考试成绩的有效期是多久？",
        "考试以四年为一个周期，参加全部科目考试的人员须在连续四个考试年度内通过全部科目。",
    ),
    (
        "registration",
        "首次注册需要准备哪些材料？",
        "身份证件、执业药师职业资格证书、执业单位同意执业证明和健康状况承诺等，在网上申报时按提示上传。",
    ),
    (
        "registration",
        "执业单位变了怎么办？",
        "应在新单位执业前申请变更注册；跨省变更的，向新执业单位所在地的省级药品监督管理部门申请。",
    ),
    (
        "continuing_education",
        "每年需要多少继续教育学分？",
        "每年不少于 90 学时，其中专业科目不少于 60 学时。",
    ),
    ("continuing_education", "继续教育学分全国互认吗？", "按规定在施教机构取得的学分全国有效。"),
    ("system", "忘记密码怎么办？", "在登录页选择“忘记密码”，通过注册手机号码接收验证码后重新设置。"),
    ("system", "上传材料有什么格式要求？", "支持 PDF、JPG、PNG 格式，请上传清晰的扫描件或照片。"),
)
_GD_FAQ = (
    (
        "exam",
        "广东省考试成绩合格后到哪里领取证书？",
        "电子证书可在全国专业技术人员资格证书查询验证系统下载。",
    ),
    ("registration", "广东省注册申请多久办结？", "自受理之日起 10 个工作日内办结，结果可在网上查询。"),
    ("continuing_education", "广东省继续教育在哪里学习？", "可在省药品监督管理局公布的施教机构参加学习。"),
    ("system", "广东省网上申报遇到系统问题找谁？", "请拨打省局政务服务咨询电话，或在本平台提交咨询。"),
)
# (province, division, kind, category, title, body, stage): stage received | replied | published.
_ITEMS = (
    (
        "gd",
        "440106",
        "consultation",
        "registration",
        "变更注册需要原单位同意吗",
        "我准备从药店换到医院药房，变更注册需要原单位出具什么证明吗？",
        "published",
    ),
    (
        "gd",
        "440304",
        "consultation",
        "continuing_education",
        "今年学分还差 10 学时",
        "今年继续教育还差 10 学时，会影响延续注册吗？",
        "replied",
    ),
    (
        "gd",
        "440606",
        "consultation",
        "exam",
        "成绩单在哪里打印",
        "请问考试成绩单可以在哪里打印？",
        "received",
    ),
    (
        "gd",
        "440103",
        "complaint",
        "efficiency",
        "窗口办理时间过长",
        "提交材料后两周仍未受理，希望加快办理。",
        "received",
    ),
    (
        "js",
        "320102",
        "consultation",
        "system",
        "上传照片总是失败",
        "上传证件照时提示格式错误，照片是手机拍的 JPG。",
        "published",
    ),
    (
        "js",
        "320100",
        "complaint",
        "suggestion",
        "建议增加短信提醒",
        "建议在注册审批完成后发送短信提醒。",
        "replied",
    ),
    (
        "js",
        "320102",
        "consultation",
        "registration",
        "注销后还能再注册吗",
        "注销注册后，以后换了单位还能重新注册吗？",
        "received",
    ),
)
_REPLIES = {
    "变更注册需要原单位同意吗": "不需要原单位同意，提交新执业单位的同意执业证明即可申请变更注册。",
    "今年学分还差 10 学时": "延续注册时须提供近三年的继续教育学分，请在年底前补足。",
    "上传照片总是失败": "请确认照片不超过 5 MB；手机照片可先裁剪后再上传。",
    "建议增加短信提醒": "感谢您的建议，审批结果已通过短信通知，我们将继续改进。",
}


async def load_consultation_samples(
    db: Database, directory: TenantDirectory, divisions: DivisionIndex, *, today: date
) -> int:
    """Add the demo content once (nothing if the national FAQ already has entries); items added."""
    async with db.national() as national:
        if await national.scalar(select(func.count()).select_from(NationalFaqEntry)):
            return 0
    async with db.national() as national, national.begin():
        for topic, question, answer in _NATIONAL_FAQ:
            await save_faq(
                national,
                national=True,
                entry_id=None,
                topic=topic,
                question=question,
                answer=answer,
                active=True,
                by="国家药监局",
                now=utcnow(),
            )
    gd = directory.get("gd")
    if gd is not None:
        async with db.tenant(gd.schema, gd.placement) as session, session.begin():
            for topic, question, answer in _GD_FAQ:
                await save_faq(
                    session,
                    national=False,
                    entry_id=None,
                    topic=topic,
                    question=question,
                    answer=answer,
                    active=True,
                    by="广东省药监局",
                    now=utcnow(),
                )
    added = 0
    for slug, division, kind, category, title, body, stage in _ITEMS:
        tenant = directory.get(slug)
        if tenant is None:
            continue
        code, tenant, _unit = await across_tenants.submit(
            db,
            directory,
            divisions,
            submission=Submission(kind, category, division, title, body, "演示用户", "13800138000"),
            files=(),
            applicant_id=None,
            today=today,
        )
        added += 1
        if stage == "received":
            continue
        async with db.tenant(tenant.schema, tenant.placement) as session, db.national() as national:
            item_id = next(
                i.id
                for i in await repository.items(
                    session, kinds=[kind], unit_id=None, status="received", overdue_on=None
                )
                if i.code_hash == code_hash(code)
            )
            item = await repository.item(session, item_id)
            assert item is not None
            officer = _demo_officer(slug, item.unit_id)
            await across_tenants.reply(session, national, officer, item_id, _REPLIES[title], now=utcnow())
            if stage == "published":
                await across_tenants.publish(
                    session,
                    national,
                    tenant,
                    officer,
                    item_id,
                    question=f"{title}？{body}",
                    answer=_REPLIES[title],
                    action="publish",
                )
    return added


def _demo_officer(slug: str, unit_id: int) -> OfficerAccount:
    """The unit's consultation officer, as the services see one (demo loading only)."""
    return OfficerAccount(
        tenant=slug,
        id=uuid.UUID(int=0),
        username="demo",
        name="信息员",
        mobile=None,
        unit_id=unit_id,
        unit_code="",
        unit_name="",
        unit_level=1,
        positions=frozenset({"consultation", "complaint"}),
        permissions=frozenset({"handle_consultations", "handle_complaints"}),
        active=True,
        must_change_password=False,
        password_expired=False,
        totp_enabled=False,
    )
