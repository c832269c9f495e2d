"""Proving who one is before an account is bound to an ID: the real name verified, and a code
sent to the mobile number typed back. Registration and account disputes share it."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import date

import msgspec
from redis.asyncio import Redis

from pharmreg.identity.documents import DocumentType, check_document
from pharmreg.identity.realname import RealNameClaim, RealNameVerifier
from pharmreg.identity.schemas import IdentityForm
from pharmreg.identity.service.officers import MOBILE, NAME
from pharmreg.kit.codes import CodeError
from pharmreg.kit.forms import FormErrors, Problems
from pharmreg.kit.logging import get_logger
from pharmreg.kit.ratelimit import within_limit
from pharmreg.messaging import SmsProvider

log = get_logger(__name__)

PURPOSES = {"register": "注册账号", "dispute": "账号申诉"}


class PendingProof(msgspec.Struct, kw_only=True):
    """A proof in progress, kept in Redis under a random ticket."""

    purpose: str  # "register" or "dispute"
    name: str
    id_type: str
    id_number: str
    birth_date: date
    sex: str
    certificate_no: str
    mobile: str
    verified_by: str  # the real-name verifier's method
    created_at: float
    code_hash: str = ""
    code_sent_at: float = 0.0
    confirmed_at: float = 0.0  # when the code came back; 0: not yet

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at > 0

    @property
    def masked_mobile(self) -> str:
        return self.mobile[:3] + "****" + self.mobile[-4:]

    def form_values(self) -> dict[str, str]:
        """What the person typed, to show the identity form again."""
        values = {
            "name": self.name,
            "document_type": self.id_type,
            "document_number": self.id_number,
            "certificate_no": self.certificate_no,
            "mobile": self.mobile,
        }
        if not DocumentType(self.id_type).encodes_birth_and_sex:
            values |= {"birth_date": self.birth_date.isoformat(), "sex": self.sex}
        return values


class ProofExpiredError(Exception):
    """The ticket is unknown or over: the person fills in the identity form again."""


class IdentityProofs:
    """Tickets and mobile codes in Redis, and the limits that keep them from being abused."""

    TICKET_SECONDS = 1800  # to finish registering or filing after the code came back
    CODE_SECONDS = 300
    RESEND_SECONDS = 60
    MAX_TRIES = 5  # wrong codes before the code is void
    # Codes sent: per mobile number per hour and per day, per address per hour.
    PER_MOBILE_HOUR = 5
    PER_MOBILE_DAY = 10
    PER_ADDRESS_HOUR = 20
    # Real-name checks: per address and per ID number per hour (no guessing of certificates).
    CHECKS_PER_ADDRESS_HOUR = 20
    CHECKS_PER_ID_HOUR = 10

    def __init__(self, redis: Redis, prefix: str = "pharmreg") -> None:
        self._redis = redis
        self._prefix = prefix

    def _key(self, ticket: str) -> str:
        # Only a hash of the ticket is a key: a Redis dump hands out no proofs in progress.
        return f"{self._prefix}:proof:{hashlib.sha256(ticket.encode()).hexdigest()}"

    async def checks_admitted(self, address: str, id_number: str) -> bool:
        by_address = await within_limit(
            self._redis,
            f"proof-check:addr:{address}",
            limit=self.CHECKS_PER_ADDRESS_HOUR,
            window_seconds=3600,
        )
        by_id = await within_limit(
            self._redis, f"proof-check:id:{id_number}", limit=self.CHECKS_PER_ID_HOUR, window_seconds=3600
        )
        return by_address and by_id

    async def filing_admitted(self, address: str) -> bool:
        """Disputes filed from one address: five a day."""
        return await within_limit(self._redis, f"dispute-file:{address}", limit=5, window_seconds=86400)

    async def tracking_admitted(self, address: str) -> bool:
        """Dispute look-ups by code from one address: twenty in ten minutes."""
        return await within_limit(self._redis, f"dispute-track:{address}", limit=20, window_seconds=600)

    async def start(self, proof: PendingProof) -> str:
        ticket = secrets.token_urlsafe(24)
        await self._save(ticket, proof)
        return ticket

    async def load(self, ticket: str) -> PendingProof:
        if not ticket or len(ticket) > 64:
            raise ProofExpiredError
        raw = await self._redis.get(self._key(ticket))
        if raw is None:
            raise ProofExpiredError
        return msgspec.json.decode(raw, type=PendingProof)

    async def _save(self, ticket: str, proof: PendingProof) -> None:
        remaining = int(self.TICKET_SECONDS - (time.time() - proof.created_at))
        await self._redis.set(self._key(ticket), msgspec.json.encode(proof), ex=max(1, remaining))

    async def send_code(
        self, ticket: str, proof: PendingProof, *, address: str, sms: SmsProvider
    ) -> str | None:
        """Send a fresh code to the proof's mobile; None when sent, else why not (in Chinese)."""
        pause = f"{self._prefix}:proof-send:pause:{proof.mobile}"
        if not await self._redis.set(pause, "1", ex=self.RESEND_SECONDS, nx=True):
            wait = max(1, int(await self._redis.ttl(pause)))
            return f"验证码刚刚已发送到该手机，请 {wait} 秒后再重新获取"
        if not await within_limit(
            self._redis,
            f"proof-send:mobile-h:{proof.mobile}",
            limit=self.PER_MOBILE_HOUR,
            window_seconds=3600,
        ) or not await within_limit(
            self._redis,
            f"proof-send:mobile-d:{proof.mobile}",
            limit=self.PER_MOBILE_DAY,
            window_seconds=86400,
        ):
            return "该手机号码今天接收验证码的次数已达上限，请稍后再试"
        if not await within_limit(
            self._redis, f"proof-send:addr:{address}", limit=self.PER_ADDRESS_HOUR, window_seconds=3600
        ):
            return "本地址获取验证码过于频繁，请一小时后再试"
        code = f"{secrets.randbelow(1_000_000):06d}"
        proof.code_hash = hashlib.sha256(code.encode()).hexdigest()
        proof.code_sent_at = time.time()
        await self._save(ticket, proof)
        await self._redis.delete(self._key(ticket) + ":tries")
        await sms.send(
            tenant_slug="national",
            mobile=proof.mobile,
            purpose=f"{proof.purpose}_code",
            text=(
                f"【执业药师注册】您正在{PURPOSES[proof.purpose]}，验证码 {code}，5 分钟内有效。"
                "请勿告诉他人；如非本人操作，请忽略本短信。"
            ),
            secret=code,
        )
        return None

    async def confirm(self, ticket: str, code: str) -> PendingProof:
        """Check the code once: the proof, now confirmed, or FormErrors (the code is void after
        MAX_TRIES wrong ones or CODE_SECONDS)."""
        proof = await self.load(ticket)
        if proof.confirmed:
            return proof
        if not proof.code_hash or time.time() - proof.code_sent_at > self.CODE_SECONDS:
            raise FormErrors({"code": "验证码已过期，请重新获取"})
        tries_key = self._key(ticket) + ":tries"
        tries = int(await self._redis.incr(tries_key))
        await self._redis.expire(tries_key, self.TICKET_SECONDS)
        typed = hashlib.sha256(code.strip().encode()).hexdigest()
        if tries > self.MAX_TRIES or not hmac.compare_digest(proof.code_hash, typed):
            if tries >= self.MAX_TRIES:
                proof.code_hash = ""
                await self._save(ticket, proof)
                raise FormErrors({"code": "验证码错误次数过多，请重新获取验证码"})
            raise FormErrors({"code": f"验证码错误，还可以再试 {self.MAX_TRIES - tries} 次"})
        proof.code_hash = ""  # single use
        proof.confirmed_at = time.time()
        await self._save(ticket, proof)
        return proof

    async def discard(self, ticket: str) -> None:
        await self._redis.delete(self._key(ticket), self._key(ticket) + ":tries")


def check_identity(form: IdentityForm, *, today: date) -> tuple[DocumentType, str, date, str, str, str]:
    """The identity form checked, every problem at once: (type, number, birth date, sex, name,
    certificate number); raises FormErrors."""
    problems = Problems()
    name = form.name.strip()
    if not NAME.fullmatch(name):
        problems.add("name", "请填写与证件一致的姓名（2 至 50 个字）")
    doc_type = number = None
    birth: date | None = None
    sex: str | None = None
    try:
        checked = check_document(form.document_type, form.document_number, today=today)
        doc_type, number, birth, sex = checked.type, checked.number, checked.birth_date, checked.sex
    except CodeError as exc:
        field = "document_type" if "证件类型" in str(exc) else "document_number"
        problems.add(field, str(exc))
    if doc_type is not None and not doc_type.encodes_birth_and_sex:
        try:
            birth = date.fromisoformat(form.birth_date)
            if birth > today or birth.year < 1900:
                raise ValueError
        except ValueError:
            problems.add("birth_date", "请填写正确的出生日期")
        if form.sex not in ("M", "F"):
            problems.add("sex", "请选择性别")
        sex = form.sex
    certificate = "".join(form.certificate_no.split())
    if not certificate:
        problems.add("certificate_no", "请填写执业药师职业资格证书上的证书编号")
    elif len(certificate) > 40:
        problems.add("certificate_no", "证书编号不超过 40 个字符，请核对后重新输入")
    if not MOBILE.fullmatch(form.mobile.strip()):
        problems.add("mobile", "手机号码应为 11 位数字，以 1 开头")
    problems.raise_if_any()
    assert doc_type is not None and number is not None and birth is not None and sex is not None
    return doc_type, number, birth, sex, name, certificate


async def begin_proof(
    form: IdentityForm,
    *,
    purpose: str,
    verifier: RealNameVerifier,
    proofs: IdentityProofs,
    sms: SmsProvider,
    address: str,
    today: date,
) -> tuple[str, PendingProof]:
    """Check the identity form, verify the real name, send a code: (ticket, proof).

    Nothing here tells whether the ID number already has an account: that is only said to
    someone who typed the code back.
    """
    doc_type, number, birth, sex, name, certificate = check_identity(form, today=today)
    if not await proofs.checks_admitted(address, number):
        log.info("proof.checks_limited", purpose=purpose, address=address)
        raise FormErrors({"": "核验过于频繁，请一小时后再试"})
    check = await verifier.verify(
        RealNameClaim(name=name, id_type=doc_type.value, id_number=number, certificate_no=certificate)
    )
    if not check.verified:
        raise FormErrors({check.field or "": check.problem or "身份核验未通过，请核对填写的信息"})
    proof = PendingProof(
        purpose=purpose,
        name=name,
        id_type=doc_type.value,
        id_number=number,
        birth_date=birth,
        sex=sex,
        certificate_no=certificate,
        mobile=form.mobile.strip(),
        verified_by=check.method,
        created_at=time.time(),
    )
    ticket = await proofs.start(proof)
    refused = await proofs.send_code(ticket, proof, address=address, sms=sms)
    if refused is not None:
        await proofs.discard(ticket)
        raise FormErrors({"mobile": refused})
    return ticket, proof
