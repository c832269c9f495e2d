"""Turn msgspec's validation messages into Chinese sentences that name the field."""

from __future__ import annotations

import re

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Object missing required field `(?P<field>[^`]+)`"), "缺少必填字段 {field}"),
    (re.compile(r"Object contains unknown field `(?P<field>[^`]+)`"), "包含未知字段 {field}"),
    (re.compile(r"Expected `(?P<want>[^`]+)` matching regex"), "格式不正确"),
    (re.compile(r"Expected `(?P<want>[^`]+)` of length >= (?P<n>\d+)"), "长度不能少于 {n}"),
    (re.compile(r"Expected `(?P<want>[^`]+)` of length <= (?P<n>\d+)"), "长度不能超过 {n}"),
    (re.compile(r"Expected `(?P<want>[^`]+)` >= (?P<n>[\d.]+)"), "不能小于 {n}"),
    (re.compile(r"Expected `(?P<want>[^`]+)` <= (?P<n>[\d.]+)"), "不能大于 {n}"),
    (
        re.compile(r"Expected `(?P<want>[^`]+)`, got `(?P<got>[^`]+)`"),
        "类型应为{want}，实际为{got}",
    ),
    (re.compile(r"Invalid enum value"), "取值不在允许范围内"),
]

_TYPES = {
    "str": "文本",
    "int": "整数",
    "float": "数字",
    "bool": "布尔值",
    "array": "列表",
    "object": "对象",
    "null": "空值",
}


def _type_name(name: str) -> str:
    return " 或 ".join(_TYPES.get(part.strip(), part.strip()) for part in name.split("|"))


def describe_validation_error(message: str) -> str:
    """'Expected `str`, got `int` - at `$.name`' -> '字段 name：类型应为文本，实际为整数'."""
    text, _sep, location = message.partition(" - at `")
    path = location.rstrip("`").removeprefix("$").lstrip(".")
    for pattern, template in _PATTERNS:
        match = pattern.search(text)
        if match is None:
            continue
        values = {k: _type_name(v) for k, v in match.groupdict().items()}
        if "field" in values:
            values["field"] = f"{path}.{values['field']}" if path else values["field"]
            return template.format(**values)
        sentence = template.format(**values)
        return f"字段 {path}：{sentence}" if path else sentence
    return f"字段 {path}：内容不符合要求" if path else "内容不符合要求"
