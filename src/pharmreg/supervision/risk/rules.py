"""The risk rules (空挂与频繁变更) as plain data: what each looks for, its settings with their
defaults and bounds, and the pure checks of a settings form. Rules flag, never block."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    label: str
    default: int
    minimum: int
    maximum: int
    unit: str


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    label: str
    # What the rule flags, for the settings page (with the parameters in braces).
    description: str
    params: tuple[Param, ...] = ()


RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule(
            "frequent_changes",
            "频繁变更执业单位",
            "同一人在最近 {months} 个月内变更执业单位（含跨省转入、注销后在另一单位重新注册）"
            "达到 {min_changes} 次及以上",
            (
                Param("min_changes", "变更次数下限", 3, 2, 50, "次"),
                Param("months", "统计期间", 12, 1, 60, "个月"),
            ),
        ),
        Rule(
            "unit_licence",
            "执业单位许可证失效",
            "有效注册所在执业单位的许可证已过期超过 {grace_days} 天，或已被吊销、停业整顿、注销",
            (Param("grace_days", "过期宽限", 0, 0, 365, "天"),),
        ),
        Rule(
            "unit_scope",
            "执业单位类型与执业范围不符",
            "有效注册的执业范围不在其执业单位类型允许的范围内（按全国默认对照表，见下表）",
        ),
        Rule(
            "crowded_retail",
            "零售单位执业药师异常集中",
            "同一零售药店有效注册的执业药师超过 {max_pharmacists} 人",
            (Param("max_pharmacists", "人数上限", 5, 1, 1000, "人"),),
        ),
        Rule(
            "renewal_cluster",
            "围绕许可证换证注册后注销",
            "在执业单位许可证换发日之前 {days_before} 天内注册（首次注册或转入）、"
            "换发日之后 {days_after} 天内注销或转出；"
            "换发日按现许可证有效期届满日倒推 {licence_years} 年计",
            (
                Param("days_before", "换证前天数", 30, 0, 365, "天"),
                Param("days_after", "换证后天数", 60, 0, 365, "天"),
                Param("licence_years", "许可证有效期", 5, 1, 10, "年"),
            ),
        ),
        Rule(
            "retirement_age",
            "远超退休年龄仍在执业",
            "有效注册的执业药师按出生年份计已满 {min_age} 周岁",
            (Param("min_age", "年龄下限", 70, 50, 120, "岁"),),
        ),
    )
}

# Which practice scopes each unit type allows, as the national default of the registration rules
# (a province may configure its own; the national rule measures against this table).
UNIT_TYPE_SCOPES: dict[str, frozenset[str]] = {
    "retail_chain_store": frozenset({"distribution"}),
    "retail": frozenset({"distribution"}),
    "wholesale": frozenset({"distribution"}),
    "logistics": frozenset({"distribution"}),
    "online_platform": frozenset({"distribution"}),
    "prescription_review": frozenset({"distribution", "use"}),
    "manufacturer": frozenset({"production"}),
    "mah": frozenset({"production"}),
    "medical": frozenset({"use"}),
}

STATES = {"open": "待处理", "sent": "待省级核实", "dismissed": "已排除", "confirmed": "已确认"}
RESOLVED = frozenset({"dismissed", "confirmed"})
EVENT_LABELS = {
    "detected": "规则发现",
    "evidence": "发现新情况",
    "reopened": "因新情况重新打开",
    "sent": "转省级核实",
    "dismissed": "核实排除",
    "confirmed": "核实确认",
}
OUTCOMES = {"dismissed": "排除（不属于挂证或违规）", "confirmed": "确认（将依职权注销）"}
SCOPE_LABELS = {"production": "药品生产", "distribution": "药品经营", "use": "药品使用"}
UNIT_STATUS_LABELS = {"active": "正常", "suspended": "停业整顿", "revoked": "许可证吊销", "closed": "已注销"}


@dataclass(frozen=True, slots=True)
class RuleSettings:
    rule: Rule
    enabled: bool
    values: Mapping[str, int]

    def __getitem__(self, name: str) -> int:
        return self.values[name]

    @property
    def description(self) -> str:
        return self.rule.description.format(**self.values)


def settings_of(rule: Rule, enabled: bool | None, stored: Mapping[str, Any] | None) -> RuleSettings:
    """A rule's settings from its stored row (or none): stored values within bounds, else defaults."""
    values: dict[str, int] = {}
    for param in rule.params:
        value = (stored or {}).get(param.name)
        ok = isinstance(value, int) and param.minimum <= value <= param.maximum
        values[param.name] = value if ok and isinstance(value, int) else param.default
    return RuleSettings(rule, True if enabled is None else enabled, values)


class RuleSettingsError(ValueError):
    """A settings form refused: field -> message (Chinese)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(errors.values()))
        self.errors = errors


def check_settings(rule_name: str, form: Mapping[str, str]) -> tuple[Rule, bool, dict[str, int]]:
    """(rule, enabled, values) from a settings form, or RuleSettingsError naming each bad field."""
    rule = RULES.get(rule_name)
    if rule is None:
        raise RuleSettingsError({"": "未知的风险规则"})
    errors: dict[str, str] = {}
    values: dict[str, int] = {}
    for param in rule.params:
        raw = (form.get(param.name) or "").strip()
        try:
            value = int(raw)
        except ValueError:
            errors[param.name] = f"{param.label}请填写整数"
            continue
        if value < 0:
            errors[param.name] = f"{param.label}不能为负数"
        elif not param.minimum <= value <= param.maximum:
            errors[param.name] = f"{param.label}应在 {param.minimum} 至 {param.maximum}{param.unit}之间"
        else:
            values[param.name] = value
    if form.get("enabled", "") not in ("0", "1"):
        errors["enabled"] = "请选择启用或停用"
    if errors:
        raise RuleSettingsError(errors)
    return rule, form["enabled"] == "1", values
