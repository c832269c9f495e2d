"""账号申诉: the real person disputes an account someone else bound to their ID document.

The claimant proves who they are as registration asks (real name verified, mobile code typed
back), uploads identity documents and names the province that decides. An officer of that
province compares the documents with the account and decides: upheld, the account is taken
from whoever held it (their sessions end, their mobile number and password stop working) and
bound to the claimant's proven mobile number; rejected, with a reason. Nothing changes on an
account until an officer upholds a dispute.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Protocol

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import Actor, record_national_audit
from pharmreg.identity import repository
from pharmreg.identity.documents import DocumentType
from pharmreg.identity.models import AccountDispute, Applicant, DisputeDocument
from pharmreg.identity.passwords import make_password_hash
from pharmreg.identity.realname import method_label
from pharmreg.identity.schemas import mask_id, mask_mobile
from pharmreg.identity.service.accounts import audit
from pharmreg.identity.service.proof import PendingProof
from pharmreg.kit.clock import utcnow
from pharmreg.kit.forms import FormErrors, Problems
from pharmreg.kit.query_codes import code_hash, new_query_code, plausible_code
from pharmreg.kit.uploads import JPEG, PDF, PNG, AttachmentError, check_upload
from pharmreg.messaging import notify

STATUS_LABELS = {"open": "待核实", "upheld": "申诉成立", "rejected": "申诉不成立"}
DOCUMENT_KINDS = {
    "id_front": "身份证件人像面（或证件资料页）",
    "id_back": "身份证件国徽面（或证件背面）",
    "other": "其他证明材料（如资格证书、手持证件照片）",
}
DOCUMENT_TYPES = (JPEG, PNG, PDF)
DOCUMENT_MAX_BYTES = 5 * 1024 * 1024  # three fit in one request
STATEMENT_MAX = 1000
REASON_MAX = 500
OPEN_PER_ACCOUNT = 3  # open disputes against one account at a time, whoever filed them


class ProvinceDesk(Protocol):
    """What disputes need of the provinces; the wiring provides it from the tenant registry
    and the national register (identity imports neither)."""

    def choices(self) -> list[tuple[str, str]]:
        """(slug, name) of every province that takes disputes, in the catalogue's order."""
        ...

    def authority_name(self, slug: str) -> str:
        """The province's drug regulator, as it signs its messages."""
        ...

    async def default_for(self, id_type: str, id_number: str) -> str | None:
        """The province that should handle a dispute about this person: where they are
        registered, or else where their ID document was issued."""
        ...

    def session(self, slug: str) -> AsyncSession:
        """A session of the province's own schema (its officers, message center, audit log)."""
        ...


class DisputeUpload(msgspec.Struct, frozen=True):
    kind: str
    filename: str
    data: bytes


class DocumentRead(msgspec.Struct, frozen=True):
    id: int
    kind: str
    kind_label: str
    filename: str
    size: int
    sha256: str
    first_opened_at: datetime | None
    first_opened_by: str | None


class AccountRead(msgspec.Struct, frozen=True):
    """The disputed account as an officer compares it: masked, no password, no full numbers."""

    name: str
    document_label: str
    masked_id: str
    masked_mobile: str
    created_at: datetime
    mobile_confirmed_at: datetime | None
    verified_at: datetime | None
    verified_by: str | None
    active: bool


class DisputeRead(msgspec.Struct, frozen=True):
    id: int
    province: str
    status: str
    status_label: str
    name: str
    document_label: str
    masked_id: str
    masked_mobile: str
    certificate_no: str
    verified_by: str
    statement: str
    filed_at: datetime
    account_name: str
    account_masked_mobile: str
    account_created_at: datetime
    decided_at: datetime | None
    decided_by_name: str | None
    decision_reason: str | None


class DisputeView(msgspec.Struct, frozen=True):
    dispute: DisputeRead
    documents: list[DocumentRead]
    account: AccountRead
    # Other disputes about the same account that this province handles.
    siblings: list[DisputeRead]

    @property
    def all_opened(self) -> bool:
        return all(d.first_opened_at is not None for d in self.documents)


class DisputeTrack(msgspec.Struct, frozen=True):
    """What the claimant sees with their code."""

    id: int
    province: str
    status: str
    status_label: str
    filed_at: datetime
    decided_at: datetime | None
    decision_reason: str | None


class DisputeFiled(msgspec.Struct, frozen=True):
    dispute_id: int
    code: str
    province: str
    claimant_mobile: str
    account_mobile: str
    masked_id: str


class DisputeDecided(msgspec.Struct, frozen=True):
    dispute_id: int
    province: str
    upheld: bool
    reason: str
    account_id: uuid.UUID
    claimant_mobile: str
    # Upheld: the mobile number the account had, whose holder lost it; rejected: the holder's.
    account_mobile: str
    masked_id: str


def _read(row: AccountDispute) -> DisputeRead:
    return DisputeRead(
        id=row.id,
        province=row.province,
        status=row.status,
        status_label=STATUS_LABELS[row.status],
        name=row.name,
        document_label=DocumentType(row.id_type).label,
        masked_id=mask_id(row.id_number),
        masked_mobile=mask_mobile(row.mobile),
        certificate_no=row.certificate_no,
        verified_by=method_label(row.verified_by),
        statement=row.statement,
        filed_at=row.filed_at,
        account_name=row.account_name,
        account_masked_mobile=mask_mobile(row.account_mobile),
        account_created_at=row.account_created_at,
        decided_at=row.decided_at,
        decided_by_name=row.decided_by_name,
        decision_reason=row.decision_reason,
    )


# --------------------------------------------------------------------------- the claimant


class NothingToDisputeError(Exception):
    """The proven ID document has no account: the person can simply register."""


class OwnMobileError(Exception):
    """The account's mobile number is the claimant's own: they can reset the password."""


async def disputed_account(session: AsyncSession, proof: PendingProof) -> Applicant:
    """The account a confirmed proof may dispute."""
    assert proof.confirmed
    account = await repository.applicant_by_document(
        session, id_type=proof.id_type, id_number=proof.id_number
    )
    if account is None:
        raise NothingToDisputeError
    if account.mobile == proof.mobile:
        raise OwnMobileError
    return account


def _check_uploads(uploads: Sequence[DisputeUpload], id_type: str, problems: Problems) -> None:
    given = {u.kind for u in uploads}
    needed = ["id_front"] + ([] if id_type == DocumentType.PASSPORT else ["id_back"])
    for kind in needed:
        if kind not in given:
            problems.add(kind, f"请上传{DOCUMENT_KINDS[kind]}")
    for upload in uploads:
        try:
            check_upload(upload.filename, upload.data, max_bytes=DOCUMENT_MAX_BYTES, kinds=DOCUMENT_TYPES)
        except AttachmentError as exc:
            problems.add(upload.kind, str(exc))


async def file_dispute(
    session: AsyncSession,
    proof: PendingProof,
    *,
    province: str,
    statement: str,
    uploads: Sequence[DisputeUpload],
    provinces: Collection[str],
    actor: Actor,
) -> DisputeFiled:
    """File a dispute from a confirmed proof; every problem of the form at once."""
    account = await disputed_account(session, proof)
    problems = Problems()
    if province not in provinces:
        problems.add("province", "请选择受理申诉的省份")
    text = statement.strip()
    if not 10 <= len(text) <= STATEMENT_MAX:
        problems.add(
            "statement", f"请用 10 至 {STATEMENT_MAX} 字说明情况（如何发现账号被他人注册、是否曾注册过）"
        )
    _check_uploads(uploads, proof.id_type, problems)
    holder = await repository.applicant_by_login(session, proof.mobile)
    if holder is not None and holder.id != account.id:
        problems.add(
            "", "您验证的手机号码已用于其他账号，申诉成立后无法用它登录；请换用本人的其他手机号码重新申诉"
        )
    problems.raise_if_any()
    # Serialises filings against one account, so that the limits below hold under parallel requests.
    await repository.lock_applicant(session, account.id)
    open_ones = await repository.open_disputes_against(session, account.id)
    if any(d.mobile == proof.mobile for d in open_ones):
        raise FormErrors({"": "您已就该账号提出申诉，正在核实中：请用短信中的查询码查看进度"})
    if len(open_ones) >= OPEN_PER_ACCOUNT:
        raise FormErrors({"": "该账号已有多项申诉正在核实，请等待处理结果或联系所在省份的药品监督管理部门"})
    code = new_query_code()
    confirmed_at = datetime.fromtimestamp(proof.confirmed_at, tz=UTC)
    dispute = AccountDispute(
        code_hash=code_hash(code),
        province=province,
        status="open",
        applicant_id=account.id,
        name=proof.name,
        id_type=proof.id_type,
        id_number=proof.id_number,
        sex=proof.sex,
        birth_date=proof.birth_date,
        certificate_no=proof.certificate_no,
        verified_by=proof.verified_by,
        mobile=proof.mobile,
        mobile_confirmed_at=confirmed_at,
        statement=text,
        account_name=account.name,
        account_mobile=account.mobile,
        account_created_at=account.created_at,
        filed_ip=(actor.ip or "")[:64] or None,
    )
    await repository.add_dispute(session, dispute)
    for upload in uploads:
        checked = check_upload(
            upload.filename, upload.data, max_bytes=DOCUMENT_MAX_BYTES, kinds=DOCUMENT_TYPES
        )
        repository.add_dispute_document(
            session,
            DisputeDocument(
                dispute_id=dispute.id,
                kind=upload.kind,
                filename=checked.filename,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                content=upload.data,
            ),
        )
    record_national_audit(
        session,
        action="account_dispute_filed",
        actor=Actor(kind="anonymous", name=proof.name, ip=actor.ip, request_id=actor.request_id),
        target=f"{DocumentType(proof.id_type).label} {mask_id(proof.id_number)}",
        summary=(
            f"{proof.name} 对证件号码 {mask_id(proof.id_number)} 的账号提出申诉"
            f"（申诉 {dispute.id}，受理省份 {province}）"
        ),
        details={"dispute_id": dispute.id, "province": province, "documents": len(uploads)},
    )
    return DisputeFiled(
        dispute_id=dispute.id,
        code=code,
        province=province,
        claimant_mobile=proof.mobile,
        account_mobile=account.mobile,
        masked_id=mask_id(proof.id_number),
    )


async def track_dispute(session: AsyncSession, code: str) -> DisputeTrack | None:
    """The state of the dispute whose code this is; None for any other code."""
    if not plausible_code(code):
        return None
    row = await repository.dispute_by_code(session, code_hash(code))
    if row is None:
        return None
    return DisputeTrack(
        id=row.id,
        province=row.province,
        status=row.status,
        status_label=STATUS_LABELS[row.status],
        filed_at=row.filed_at,
        decided_at=row.decided_at,
        decision_reason=row.decision_reason if row.status == "rejected" else None,
    )


async def disputes_against(session: AsyncSession, applicant_id: uuid.UUID) -> list[tuple[str, datetime]]:
    """Open disputes about an account, for its holder: (province, filed at) of each."""
    return [(d.province, d.filed_at) for d in await repository.open_disputes_against(session, applicant_id)]


# --------------------------------------------------------------------------- the province


async def notify_dispute_handlers(
    tenant_session: AsyncSession, posts: Collection[str], *, dispute_id: int, link: str
) -> int:
    """Tell the province bureau's officers who decide disputes that one arrived."""
    recipients = await repository.province_officers_holding(tenant_session, posts)
    return notify(
        tenant_session,
        recipients,
        subject=f"新的账号申诉待核实（申诉 {dispute_id}）",
        body="有申请人提出账号申诉，称他人以其身份证件注册了账号。请核对申诉材料后作出决定。",
        link=link,
    )


async def province_disputes(session: AsyncSession, province: str, *, status: str) -> list[DisputeRead]:
    """The province's disputes: open ones oldest first, decided ones newest first."""
    return [_read(d) for d in await repository.disputes_of_province(session, province, status=status)]


def _account_read(account: Applicant) -> AccountRead:
    return AccountRead(
        name=account.name,
        document_label=DocumentType(account.id_type).label,
        masked_id=mask_id(account.id_number),
        masked_mobile=mask_mobile(account.mobile),
        created_at=account.created_at,
        mobile_confirmed_at=account.mobile_confirmed_at,
        verified_at=account.verified_at,
        verified_by=method_label(account.verified_by) if account.verified_at else None,
        active=account.active,
    )


def _document_read(document: DisputeDocument) -> DocumentRead:
    return DocumentRead(
        id=document.id,
        kind=document.kind,
        kind_label=DOCUMENT_KINDS.get(document.kind, document.kind),
        filename=document.filename,
        size=document.size,
        sha256=document.sha256,
        first_opened_at=document.first_opened_at,
        first_opened_by=document.first_opened_by,
    )


async def province_dispute(session: AsyncSession, province: str, dispute_id: int) -> DisputeView | None:
    """One dispute of the province, with its documents and the account; None for any other
    province's (or no such) dispute."""
    row = await repository.dispute_of_province(session, province, dispute_id)
    if row is None:
        return None
    account = await repository.applicant_by_id(session, row.applicant_id)
    assert account is not None
    siblings = [
        _read(d)
        for d in await repository.disputes_of_account_in(session, row.applicant_id, province)
        if d.id != row.id
    ]
    return DisputeView(
        dispute=_read(row),
        documents=[_document_read(d) for d in await repository.dispute_documents(session, row.id)],
        account=_account_read(account),
        siblings=siblings,
    )


async def open_dispute_document(
    session: AsyncSession,
    tenant_session: AsyncSession,
    *,
    province: str,
    dispute_id: int,
    document_id: int,
    actor: Actor,
) -> tuple[str, str, bytes] | None:
    """(file name, type, bytes) of a document of the province's dispute, recorded as opened
    by the officer (first opening on the document, every opening in the province's log)."""
    row = await repository.dispute_of_province(session, province, dispute_id)
    document = await repository.dispute_document(session, dispute_id, document_id) if row else None
    if row is None or document is None:
        return None
    if document.first_opened_at is None:
        document.first_opened_at = utcnow()
        document.first_opened_by = (actor.name or "")[:50]
    await audit(
        tenant_session,
        action="account_dispute_document_opened",
        actor=actor,
        target=f"账号申诉 {dispute_id}",
        summary=f"查看账号申诉 {dispute_id} 的材料：{DOCUMENT_KINDS.get(document.kind, document.kind)}",
        details={"dispute_id": dispute_id, "document_id": document_id, "sha256": document.sha256},
    )
    content = await repository.dispute_document_content(session, document.id)
    return document.filename, document.content_type, content


async def decide_dispute(
    session: AsyncSession,
    tenant_session: AsyncSession,
    *,
    province: str,
    dispute_id: int,
    decision: str,
    reason: str,
    actor: Actor,
) -> DisputeDecided:
    """Uphold or reject an open dispute of the province (raises LookupError for any other).

    Upheld: the account is bound to the claimant's proven mobile number and real name; its
    password is replaced by one nobody knows (the claimant sets theirs by a reset code sent to
    their mobile). The caller ends the account's sessions and voids reset codes after commit.
    Applications, registrations and CE credits stay with the ID document and so with the
    claimant, who can withdraw what they did not file.
    """
    row = await repository.dispute_of_province(session, province, dispute_id, for_update=True)
    if row is None:
        raise LookupError(dispute_id)
    problems = Problems()
    if row.status != "open":
        problems.add("", f"该申诉已于此前处理（{STATUS_LABELS[row.status]}），不能再次决定")
    if decision not in ("upheld", "rejected"):
        problems.add("decision", "请选择申诉成立或不成立")
    text = reason.strip()
    if not 2 <= len(text) <= REASON_MAX:
        problems.add("reason", f"请填写核实意见（2 至 {REASON_MAX} 字）；不成立时申诉人会收到这段理由")
    documents = await repository.dispute_documents(session, row.id)
    if any(d.first_opened_at is None for d in documents):
        problems.add("", "请先逐一查看申诉人上传的全部证件材料，再作决定")
    account = await repository.lock_applicant(session, row.applicant_id)
    upheld = decision == "upheld"
    if upheld and not problems:
        holder = await repository.applicant_by_login(session, row.mobile)
        if holder is not None and holder.id != account.id:
            problems.add("", "申诉人的手机号码已用于其他账号，无法改绑：请联系申诉人换用其他手机号码重新申诉")
    problems.raise_if_any()
    now = utcnow()
    previous_mobile = account.mobile
    row.status = decision
    row.decided_at = now
    row.decided_by_id = uuid.UUID(actor.id) if actor.id else None
    row.decided_by_name = (actor.name or "")[:50]
    row.decision_reason = text
    if upheld:
        account.mobile = row.mobile
        account.mobile_confirmed_at = row.mobile_confirmed_at
        account.name = row.name
        account.sex = row.sex
        account.birth_date = row.birth_date
        account.verified_at = now
        account.verified_by = row.verified_by
        account.password_hash = await make_password_hash(secrets.token_urlsafe(32))
        account.password_changed_at = now
        await repository.forget_sign_in_failures(session, kind="applicant", subject=f"a:{account.id}")
    await audit(
        tenant_session,
        action="account_dispute_upheld" if upheld else "account_dispute_rejected",
        actor=actor,
        target=f"账号申诉 {row.id}",
        summary=(
            f"账号申诉 {row.id}（证件号码 {mask_id(row.id_number)}）"
            + ("成立：账号改由申诉人的手机号码登录，原登录手机号码和密码失效" if upheld else "不成立")
            + f"。核实意见：{text}"
        ),
        details={
            "dispute_id": row.id,
            "applicant_id": str(account.id),
            "previous_mobile": mask_mobile(previous_mobile),
        },
    )
    return DisputeDecided(
        dispute_id=row.id,
        province=province,
        upheld=upheld,
        reason=text,
        account_id=account.id,
        claimant_mobile=row.mobile,
        account_mobile=previous_mobile,
        masked_id=mask_id(row.id_number),
    )
