"""Time-based one-time passwords (RFC 6238) with secrets encrypted at rest."""

from __future__ import annotations

import base64
import os
import time

import pyotp
import segno
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ISSUER = "执业药师注册管理平台"
STEP_SECONDS = 30


class SecretBox:
    """AES-GCM with a key derived from the platform secret; for TOTP secrets in the database."""

    def __init__(self, platform_secret: str) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"pharmreg totp secrets").derive(
            platform_secret.encode()
        )
        self._aead = AESGCM(key)

    def seal(self, plain: str) -> str:
        nonce = os.urandom(12)
        return base64.urlsafe_b64encode(nonce + self._aead.encrypt(nonce, plain.encode(), None)).decode()

    def open(self, sealed: str) -> str:
        raw = base64.urlsafe_b64decode(sealed.encode())
        return self._aead.decrypt(raw[:12], raw[12:], None).decode()


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The enrolment QR code as inline SVG (no image files, no JavaScript)."""
    return segno.make(uri, error="m").svg_inline(scale=4)


def matching_step(secret: str, code: str, last_step: int, *, now: float | None = None) -> int | None:
    """The time step `code` belongs to (one step of clock drift either way), if not used before."""
    code = code.strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = int((now if now is not None else time.time()) // STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if step > last_step and totp.at(step * STEP_SECONDS) == code:
            return step
    return None
