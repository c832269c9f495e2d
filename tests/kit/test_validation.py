"""msgspec messages become Chinese sentences naming the field."""

from typing import Annotated

import msgspec
import pytest

from pharmreg.kit.validation import describe_validation_error


class Sample(msgspec.Struct, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(pattern=r"^\d{6}$")]
    count: int = 0


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({}, "缺少必填字段 code"),
        ({"code": "12"}, "字段 code：格式不正确"),
        ({"code": "123456", "count": "x"}, "字段 count：类型应为整数，实际为文本"),
        ({"code": "123456", "extra": 1}, "包含未知字段 extra"),
    ],
)
def test_messages(document: dict[str, object], expected: str) -> None:
    with pytest.raises(msgspec.ValidationError) as caught:
        msgspec.convert(document, Sample)
    assert describe_validation_error(str(caught.value)) == expected


def test_unknown_message_still_names_the_field() -> None:
    assert describe_validation_error("Something odd - at `$.a.b`") == "字段 a.b：内容不符合要求"
