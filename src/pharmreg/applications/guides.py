"""Guides (办事指南): the national text of each matter, with each province's own overrides."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pharmreg.applications.materials import Material, materials_for

_LIST_FIELDS = ("conditions", "refusal", "legal_basis")


@dataclass(frozen=True, slots=True)
class Guide:
    matter: str
    title: str
    conditions: tuple[str, ...]
    refusal: tuple[str, ...]
    faq: tuple[tuple[str, str], ...]
    legal_basis: tuple[str, ...]
    fees: str
    handling: str
    time_limits: str
    remedy: str
    materials: tuple[Material, ...]
    overridden: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class GuideBook:
    national: dict[str, dict[str, Any]]
    provinces: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def guide(
        self, matter: str, province: str | None = None, edited: Mapping[str, Any] | None = None
    ) -> Guide | None:
        """The national text, then the province's file, then what its administrators edited."""
        base = self.national.get(matter)
        if base is None or matter == "common":
            return None
        common = self.national.get("common", {})
        own = {**(self.provinces.get(province or "", {}) or {}).get(matter, {}), **(edited or {})}
        merged = {**common, **base, **own}
        return Guide(
            matter=matter,
            title=str(merged.get("title", matter)),
            conditions=tuple(merged.get("conditions", ())),
            refusal=tuple(merged.get("refusal", ())),
            faq=tuple((str(q), str(a)) for q, a in merged.get("faq", ())),
            legal_basis=tuple(merged.get("legal_basis", ())),
            fees=str(merged.get("fees", "不收费")),
            handling=str(merged.get("handling", "")),
            time_limits=str(merged.get("time_limits", "")),
            remedy=str(merged.get("remedy", "")),
            materials=materials_for(matter),
            overridden=tuple(sorted(own)),
        )


def load_guides(tenants_dir: Path) -> GuideBook:
    """Read tenants/national/guides.toml and every tenants/<slug>/guides.toml."""
    national = tomllib.loads((tenants_dir / "national" / "guides.toml").read_text(encoding="utf-8"))
    provinces = {}
    for path in sorted(tenants_dir.glob("*/guides.toml")):
        if path.parent.name != "national":
            provinces[path.parent.name] = tomllib.loads(path.read_text(encoding="utf-8"))
    for table in [national, *provinces.values()]:
        for matter in table.values():
            for name in _LIST_FIELDS:
                if name in matter and not isinstance(matter[name], list):
                    raise ValueError(f"guides: {name} must be a list")
    return GuideBook(national, provinces)


EDITABLE = {
    "conditions": "申请条件（每行一条）",
    "refusal": "不予注册的情形（每行一条）",
    "time_limits": "办理时限说明",
    "handling": "办理方式",
    "faq": "常见问题（每行一条：问题｜答案）",
}


def parse_guide_form(values: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """A province's edits as stored (only the fields filled in), and every problem by field."""
    edited: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, label in EDITABLE.items():
        text = values.get(name, "").replace("\r\n", "\n").strip()
        if not text:
            continue
        if len(text) > 4000:
            errors[name] = f"{label.split('（')[0]}不能超过 4000 字"
            continue
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        if name in ("conditions", "refusal"):
            edited[name] = lines[:30]
        elif name == "faq":
            pairs = [line.replace("|", "｜").split("｜", 1) for line in lines]
            if any(len(pair) != 2 or not pair[0].strip() or not pair[1].strip() for pair in pairs):
                errors[name] = "常见问题每行写作“问题｜答案”"
            else:
                edited[name] = [[q.strip(), a.strip()] for q, a in pairs][:30]
        else:
            edited[name] = text
    return edited, errors
