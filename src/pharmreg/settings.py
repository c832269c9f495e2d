"""The one settings object: built once from the environment and passed to whoever needs it."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import msgspec
from msgspec import Meta

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _doc(env: str, text: str) -> Meta:
    return Meta(description=text, extra={"env": env})


class SettingsError(ValueError):
    """The environment holds a missing or malformed setting."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Runtime configuration; every field names its environment variable."""

    database_url: Annotated[
        str,
        _doc(
            "DATABASE_URL",
            "PostgreSQL URL of the primary server (postgresql:// or postgresql+asyncpg://); "
            "holds the national schema and every tenant placed on 'primary'.",
        ),
    ]
    redis_url: Annotated[str, _doc("REDIS_URL", "Redis URL for sessions, caches, the job queue and pub/sub.")]
    environment: Annotated[
        str,
        _doc("PHARMREG_ENV", "development, test or production; production requires a secret key."),
        Meta(pattern=r"^(development|test|production)$"),
    ] = "development"
    secret_key: Annotated[
        str,
        _doc(
            "PHARMREG_SECRET_KEY",
            "Secret for signing cookies and tokens; required in production (ops/run keeps one "
            "in ./var/secret_key for development).",
        ),
    ] = ""
    placements: Annotated[
        dict[str, str],
        _doc(
            "PHARMREG_PLACEMENTS",
            "Extra PostgreSQL servers for tenants, as 'name=url,name=url'; a tenant whose "
            "placement is not 'primary' lives on the named server.",
        ),
    ] = {}
    db_pool_size: Annotated[
        int, _doc("PHARMREG_DB_POOL_SIZE", "Connections kept per server and process."), Meta(ge=1)
    ] = 10
    db_statement_cache_size: Annotated[
        int,
        _doc(
            "PHARMREG_DB_STATEMENT_CACHE",
            "asyncpg prepared statements cached per connection; schema-qualified SQL needs "
            "one entry per tenant and statement, so keep it above tenants x hot statements.",
        ),
        Meta(ge=0),
    ] = 1000
    tenants_dir: Annotated[
        Path,
        _doc("PHARMREG_TENANTS_DIR", "Tenant catalogue folder (tenant.toml files, reference data)."),
    ] = PROJECT_ROOT / "tenants"
    web_dir: Annotated[Path, _doc("PHARMREG_WEB_DIR", "Folder holding templates/ and static/.")] = (
        PROJECT_ROOT / "web"
    )
    policies_dir: Annotated[
        Path, _doc("PHARMREG_POLICIES_DIR", "Folder holding the Casbin model and the post permissions.")
    ] = PROJECT_ROOT / "policies"
    migrations_dir: Annotated[
        Path,
        _doc("PHARMREG_MIGRATIONS_DIR", "Folder holding the national/ and tenant/ Alembic trees."),
    ] = PROJECT_ROOT / "migrations"
    log_level: Annotated[str, _doc("PHARMREG_LOG_LEVEL", "DEBUG, INFO, WARNING or ERROR.")] = "INFO"
    log_format: Annotated[str, _doc("PHARMREG_LOG_FORMAT", "'json' (one object per line) or 'console'.")] = (
        "json"
    )
    public_url: Annotated[
        str,
        _doc(
            "PHARMREG_PUBLIC_URL",
            "The address the public reaches the platform at (e.g. https://zyys.nmpa.gov.cn); certificates' "
            "QR codes point there, and forms posted from it pass the origin check even when a proxy "
            "forwards them under another host or over plain HTTP. Empty: the address the request came in on.",
        ),
        Meta(pattern=r"^(https?://\S+)?$"),
    ] = ""
    real_name_verifier: Annotated[
        str,
        _doc(
            "PHARMREG_REAL_NAME_VERIFIER",
            "How registration and account disputes verify a person's real name: 'qualification' (name, "
            "ID number and qualification certificate number matched against the national qualification "
            "data), or the name of a 统一身份认证 service added to pharmreg.wiring.REAL_NAME_VERIFIERS.",
        ),
        Meta(pattern=r"^[a-z][a-z0-9_]{0,31}$"),
    ] = "qualification"
    trusted_proxies: Annotated[
        list[str],
        _doc(
            "PHARMREG_TRUSTED_PROXIES",
            "Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto headers are believed, as "
            "comma-separated addresses or networks (e.g. '10.0.0.5,10.1.0.0/24'). The application applies "
            "them itself, whatever the server (uvicorn's own proxy handling is off). Empty (the default): "
            "no proxy is trusted, and a request's address is always the connecting peer's, so a forged "
            "header changes nothing (sign-in brake, captcha gates, query limits, audit log).",
        ),
    ] = []
    outbox_poll_seconds: Annotated[
        float,
        _doc(
            "PHARMREG_OUTBOX_POLL_SECONDS",
            "How often the relay scans every schema for undelivered events; NOTIFY wakes it "
            "sooner, the scan catches what NOTIFY missed.",
        ),
        Meta(gt=0),
    ] = 2.0
    outbox_batch_size: Annotated[
        int, _doc("PHARMREG_OUTBOX_BATCH_SIZE", "Events delivered per transaction."), Meta(ge=1)
    ] = 100
    outbox_max_attempts: Annotated[
        int,
        _doc(
            "PHARMREG_OUTBOX_MAX_ATTEMPTS",
            "Failed deliveries of one event before it is parked for an operator.",
        ),
        Meta(ge=1),
    ] = 10

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from environment variables; `overrides` win over the environment."""
        env = os.environ if environ is None else environ
        raw: dict[str, Any] = {}
        for name, env_name in _ENV_NAMES.items():
            if env_name in env and env[env_name] != "":
                raw[name] = _parse(name, env[env_name])
        raw.update(overrides)
        for required in ("database_url", "redis_url"):
            if required not in raw:
                raise SettingsError(f"{_ENV_NAMES[required]} is not set")
        if raw.get("environment") == "production" and not raw.get("secret_key"):
            raise SettingsError("PHARMREG_SECRET_KEY must be set in production")
        if not raw.get("secret_key"):
            # Stable across processes so that every web worker accepts the others' cookies.
            raw["secret_key"] = "insecure-development-key-" + raw["database_url"]
        try:
            return msgspec.convert(raw, cls, strict=False, dec_hook=_decode)
        except msgspec.ValidationError as exc:
            raise SettingsError(str(exc)) from exc

    @classmethod
    def describe(cls) -> list[tuple[str, str, str]]:
        """(environment variable, default, description) for every field."""
        return [(env, default, text) for env, default, text in _FIELDS.values()]


def _field_docs() -> dict[str, tuple[str, str, str]]:
    """Field name -> (environment variable, shown default, description), read from the Meta."""
    info = msgspec.inspect.type_info(Settings)
    assert isinstance(info, msgspec.inspect.StructType)
    docs: dict[str, tuple[str, str, str]] = {}
    for f in info.fields:
        env = description = ""
        node: Any = f.type
        while isinstance(node, msgspec.inspect.Metadata):
            env = env or (node.extra or {}).get("env", "")
            description = description or (node.extra_json_schema or {}).get("description", "")
            node = node.type
        if f.required:
            default = "(required)"
        elif f.default_factory is not msgspec.NODEFAULT:
            default = repr(f.default_factory())
        else:
            default = str(f.default)
        docs[f.name] = (env, default, description)
    return docs


def _decode(kind: type[Any], value: Any) -> Any:
    if kind is Path and isinstance(value, str | Path):
        return Path(value)
    raise NotImplementedError(kind)


def _parse(name: str, value: str) -> Any:
    if name == "trusted_proxies":
        networks = [item.strip() for item in value.split(",") if item.strip()]
        for network in networks:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise SettingsError(
                    f"PHARMREG_TRUSTED_PROXIES: '{network}' is not an IP address or network"
                ) from None
        return networks
    if name == "placements":
        pairs: dict[str, str] = {}
        for item in value.split(","):
            if not item.strip():
                continue
            key, sep, url = item.partition("=")
            if not sep or not key.strip() or not url.strip():
                raise SettingsError(f"PHARMREG_PLACEMENTS: '{item}' is not name=url")
            pairs[key.strip()] = url.strip()
        return pairs
    return value


_FIELDS = _field_docs()
_ENV_NAMES = {name: env for name, (env, _default, _text) in _FIELDS.items()}
