"""A picture of digits to type in, asked of an address after repeated public look-ups.

The answer lives in Redis under a random token for five minutes and can be used once.
"""

from __future__ import annotations

import base64
import io
import secrets
import unicodedata
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont
from redis.asyncio import Redis

from pharmreg.kit.ratelimit import used, within_limit

TTL_SECONDS = 300
_DIGITS = "23456789"  # no 0/1, easily confused with O/l


async def new_captcha(redis: Redis) -> tuple[str, str]:
    """(token, PNG data URI) of a fresh challenge."""
    answer = "".join(secrets.choice(_DIGITS) for _ in range(4))
    token = secrets.token_urlsafe(16)
    await redis.set(f"pharmreg:captcha:{token}", answer, ex=TTL_SECONDS)
    return token, _picture(answer)


async def solved(redis: Redis, token: str, answer: str) -> bool:
    """Whether `answer` matches the challenge of `token`; the challenge is gone either way."""
    if not token or len(token) > 64:
        return False
    key = f"pharmreg:captcha:{token}"
    async with redis.pipeline(transaction=True) as pipe:
        pipe.get(key)
        pipe.delete(key)
        expected, _ = await pipe.execute()
    # Full-width digits (１２３４) from a Chinese input method count as the digits they are.
    typed = unicodedata.normalize("NFKC", answer).strip()[:8]
    return expected is not None and secrets.compare_digest(expected, typed.encode())


def _picture(answer: str) -> str:
    rng = secrets.SystemRandom()
    image = Image.new("RGB", (120, 44), (246, 247, 250))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        draw.line(
            [(rng.randrange(120), rng.randrange(44)), (rng.randrange(120), rng.randrange(44))],
            fill=(rng.randrange(120, 200), rng.randrange(120, 200), rng.randrange(120, 200)),
            width=1,
        )
    font = ImageFont.load_default(size=26)
    for index, digit in enumerate(answer):
        draw.text(
            (12 + index * 26, rng.randrange(2, 10)), digit, font=font, fill=(30, 50, rng.randrange(90, 160))
        )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


@dataclass(frozen=True, slots=True)
class CaptchaGate:
    """A few answered uses per address are free; within `window` seconds after that, each use
    needs the picture's digits (someone checks a few things, a script tries thousands)."""

    name: str
    free: int = 3
    window: int = 600

    def _key(self, address: str) -> str:
        return f"{self.name}-free:{address}"

    async def admits(self, redis: Redis, address: str, token: str, answer: str) -> bool:
        """Counts this use first (so parallel requests cannot all slip in), then lets the first
        `free` of the window through; later ones need the picture solved."""
        if await within_limit(redis, self._key(address), limit=self.free, window_seconds=self.window):
            return True
        return await solved(redis, token, answer)

    async def challenge(self, redis: Redis, address: str) -> tuple[str, str] | None:
        """A new picture when the next use will need one."""
        if await used(redis, self._key(address), window_seconds=self.window) >= self.free:
            return await new_captcha(redis)
        return None
