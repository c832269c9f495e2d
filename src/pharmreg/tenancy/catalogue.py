"""Read and check the tenant catalogue: ``tenants/<slug>/tenant.toml``."""

from __future__ import annotations

import hashlib
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import msgspec

from pharmreg.kit.codes import CodeError, check_division_code, division_level
from pharmreg.kit.validation import describe_validation_error
from pharmreg.tenancy.schemas import TenantConfig


class CatalogueError(ValueError):
    """The catalogue has problems; each names its file and field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    config: TenantConfig
    sha256: str
    path: Path


def read_entry(path: Path, root: Path | None = None) -> CatalogueEntry:
    """Parse and check one tenant.toml; raises CatalogueError naming the problem."""
    shown = path.relative_to(root) if root else path
    try:
        raw = path.read_bytes()
        document = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise CatalogueError([f"{shown}：文件不是 UTF-8 编码"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError([f"{shown}：TOML 语法错误（{exc}）"]) from None
    try:
        config = msgspec.convert(document, TenantConfig)
    except msgspec.ValidationError as exc:
        raise CatalogueError([f"{shown}：{describe_validation_error(str(exc))}"]) from None
    problems = [f"{shown}：{p}" for p in _check_one(config, path.parent.name)]
    if problems:
        raise CatalogueError(problems)
    return CatalogueEntry(config=config, sha256=hashlib.sha256(raw).hexdigest(), path=path)


def _check_one(config: TenantConfig, folder: str) -> list[str]:
    problems = []
    if config.slug != folder:
        problems.append(f"slug “{config.slug}”与目录名“{folder}”不一致")
    try:
        check_division_code(config.division_code)
    except CodeError as exc:
        problems.append(f"字段 division_code：{exc}")
    else:
        if division_level(config.division_code) != 1:
            problems.append("字段 division_code：应为省级代码（后四位为0000）")
    if config.kind == "province" and not config.territory:
        problems.append("字段 territory：省级租户至少需要一个辖区代码")
    for code in config.territory:
        try:
            check_division_code(code)
        except CodeError as exc:
            problems.append(f"字段 territory：{code} {exc}")
    if len(set(config.hosts)) != len(config.hosts):
        problems.append("字段 hosts：存在重复的主机名")
    return problems


def load_catalogue(directory: Path) -> list[CatalogueEntry]:
    """Every tenant of the catalogue, checked one by one and against each other."""
    paths = sorted(directory.glob("*/tenant.toml"))
    if not paths:
        raise CatalogueError([f"{directory}：未找到任何 tenant.toml"])
    entries: list[CatalogueEntry] = []
    problems: list[str] = []
    for path in paths:
        try:
            entries.append(read_entry(path, directory.parent))
        except CatalogueError as exc:
            problems.extend(exc.problems)
    problems.extend(_check_together(entries))
    if problems:
        raise CatalogueError(problems)
    return entries


def _check_together(entries: list[CatalogueEntry]) -> list[str]:
    problems = []
    nationals = [e for e in entries if e.config.kind == "national"]
    if len(nationals) != 1:
        problems.append(f'目录中应恰好有一个全国级租户（kind = "national"），实际为 {len(nationals)} 个')
    for label, values in (
        ("division_code", [e.config.division_code for e in entries]),
        ("hosts", [h for e in entries for h in e.config.hosts]),
        ("territory", [t for e in entries for t in e.config.territory]),
    ):
        for value, count in Counter(values).items():
            if count > 1:
                owners = [e.config.slug for e in entries if value in _field(e.config, label)]
                problems.append(f"字段 {label}：“{value}”同时出现在 {', '.join(owners)}")
    return problems


def _field(config: TenantConfig, label: str) -> list[str]:
    value = getattr(config, label)
    return value if isinstance(value, list) else [value]
