"""Uploaded CSV and .xlsx tables: encodings, disguised files, headers, blank lines, limits."""

import codecs
import io
import re
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from pharmreg.kit.tabular import Column, Row, TabularError, read_table

COLUMNS = (
    Column("id_number", ("身份证号", "证件号码", "id_number")),
    Column("name", ("姓名", "name")),
    Column("registered_on", ("注册日期",), required=False),
    Column("level", ("学历代码",), required=False),
)


def table(data: bytes, filename: str, **limits: int) -> list[Row]:
    return list(read_table(data, filename, COLUMNS, **limits))


def xlsx(*rows: tuple[object, ...], gap_before: int = 0) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    if gap_before:
        # Rows never written are missing from the file, as Excel leaves untouched rows out.
        sheet.cell(row=sheet.max_row + gap_before + 1, column=1, value="11010519491231002X")
        sheet.cell(row=sheet.max_row, column=2, value="王五")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_utf8_csv_with_bom() -> None:
    text = "\ufeff ID_Number ,*姓名,备注\r\n11010519491231002X, 张三 ,x\r\n110105194912310021,李四,\r\n"
    rows = table(text.encode("utf-8"), "名单.CSV")
    assert rows == [
        Row(2, {"id_number": "11010519491231002X", "name": "张三"}),
        Row(3, {"id_number": "110105194912310021", "name": "李四"}),
    ]


def test_gb18030_csv_as_excel_in_china_saves_it() -> None:
    text = "证件号码,姓　名,注册日期\n11010519491231002X,欧阳　娜娜,2024/3/5\n"
    rows = table(text.encode("gb18030"), "list.csv")
    assert rows == [
        Row(2, {"id_number": "11010519491231002X", "name": "欧阳　娜娜", "registered_on": "2024/3/5"})
    ]


def test_utf16_tab_separated_text() -> None:
    data = codecs.BOM_UTF16_LE + "身份证号\t姓名\n11010519491231002X\t张三\n".encode("utf-16-le")
    assert table(data, "list.csv") == [Row(2, {"id_number": "11010519491231002X", "name": "张三"})]


def test_blank_lines_are_skipped_and_line_numbers_kept() -> None:
    text = '\n身份证号,姓名\n\n11010519491231002X,"张\n三"\n , \n110105194912310021,李四\n,,\n'
    rows = table(text.encode(), "list.csv")
    # The header is on line 2; the quoted cell spans lines 4-5; line 6 holds only spaces.
    assert [(row.line, row.values["name"]) for row in rows] == [(4, "张\n三"), (7, "李四")]


def test_xlsx_dates_numbers_and_row_numbers() -> None:
    data = xlsx(
        ("身份证号", "姓名", "注册日期", "学历代码", "备注"),
        ("11010519491231002X", " 张三 ", date(2024, 3, 5), 3, None),
        (None, None, None, None, "只有备注的行"),
        ("110105194912310021", "李四", datetime(2024, 3, 5, 14, 30), 2.0, None),
        ("11010519491231003X", "赵六", None, 2.5),
        gap_before=2,
    )
    rows = table(data, "名单.xlsx")
    assert rows == [
        Row(
            2,
            {"id_number": "11010519491231002X", "name": "张三", "registered_on": "2024-03-05", "level": "3"},
        ),
        Row(
            4,
            {
                "id_number": "110105194912310021",
                "name": "李四",
                "registered_on": "2024-03-05 14:30:00",
                "level": "2",
            },
        ),
        Row(5, {"id_number": "11010519491231003X", "name": "赵六", "registered_on": "", "level": "2.5"}),
        Row(8, {"id_number": "11010519491231002X", "name": "王五", "registered_on": "", "level": ""}),
    ]


def test_an_id_number_typed_as_a_number_is_refused() -> None:
    # openpyxl, like Excel, keeps 15 significant digits: 1.1010519491231E+17 is what the file holds.
    data = xlsx(("身份证号", "姓名"), ("110105194912310021", "张三"), (110105194912310021, "李四"))
    with pytest.raises(TabularError, match="第3行 A 列是超过15位的数字"):
        table(data, "list.xlsx")


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "list.csv",
            "不是 CSV 或 Excel（.xlsx）表格（看起来是PNG 图片）",
        ),
        (b"%PDF-1.7\n1 0 obj\n", "list.xlsx", "看起来是PDF 文档"),
        (b"\x00\x01\x02binary", "list.csv", "文件内容不是 CSV 或 Excel（.xlsx）表格"),
        (b"\x81\x30\xff\xff\x80", "list.csv", "文件内容不是 CSV 或 Excel（.xlsx）表格"),
        ("身份证号,姓名\n1,2\n".encode(), "list.xlsx", "扩展名是 .xlsx，但内容是 CSV 文本"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "list.xlsx", "旧版 Excel（.xls）"),
        (b"a,b\n", "list.xls", "旧版 Excel（.xls）"),
        (b"a,b\n", "list.txt", "只能导入 CSV（.csv）或 Excel（.xlsx）文件"),
        (b"a,b\n", "list", "只能导入 CSV（.csv）或 Excel（.xlsx）文件"),
        (b"PK\x03\x04broken", "list.xlsx", "文件已损坏"),
    ],
)
def test_disguised_or_unsupported_files_are_refused(data: bytes, filename: str, message: str) -> None:
    with pytest.raises(TabularError, match=re.escape(message)):
        read_table(data, filename, COLUMNS)


def test_a_zip_that_is_not_a_workbook() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "身份证号,姓名\n")
    with pytest.raises(TabularError, match="看起来是ZIP 压缩包"):
        read_table(buffer.getvalue(), "list.xlsx", COLUMNS)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(TabularError, match="看起来是Word 文档"):
        read_table(buffer.getvalue(), "list.xlsx", COLUMNS)


def test_a_workbook_named_csv_is_refused() -> None:
    with pytest.raises(TabularError, match=r"扩展名是 \.csv，但内容是 Excel（\.xlsx）表格"):
        read_table(xlsx(("身份证号", "姓名")), "list.csv", COLUMNS)


def test_missing_columns_are_listed_together() -> None:
    with pytest.raises(TabularError) as raised:
        read_table("注册日期,备注\n2024-01-01,x\n".encode(), "list.csv", COLUMNS)
    assert str(raised.value) == "缺少必需的列：身份证号、姓名。请检查表头（第1行）"


def test_two_columns_for_one_field_are_refused() -> None:
    with pytest.raises(TabularError) as raised:
        read_table("身份证号,姓名,证件号码\n1,2,3\n".encode(), "list.csv", COLUMNS)
    assert (
        str(raised.value)
        == "表头（第1行）中有重复的列：“身份证号”、“证件号码”都表示身份证号。每项只能保留一列"
    )


@pytest.mark.parametrize(
    "data", [b"", "身份证号,姓名\n".encode(), "\n\n身份证号,姓名\n , \n".encode(), b"\n\n"]
)
def test_no_data_rows(data: bytes) -> None:
    with pytest.raises(TabularError, match=r"^文件中没有数据行$"):
        read_table(data, "list.csv", COLUMNS)


def test_header_only_xlsx() -> None:
    with pytest.raises(TabularError, match=r"^文件中没有数据行$"):
        read_table(xlsx(("身份证号", "姓名")), "list.xlsx", COLUMNS)


def test_limits() -> None:
    data = "身份证号,姓名\n1,甲\n2,乙\n3,丙\n".encode()
    with pytest.raises(TabularError, match=r"文件大小超过上限（16 字节）"):
        read_table(data, "list.csv", COLUMNS, max_bytes=16)
    with pytest.raises(TabularError, match="文件大小超过上限（50 MB）"):
        read_table(bytes(50 * 1024 * 1024 + 1), "list.csv", COLUMNS)
    assert len(table(data, "list.csv", max_rows=3)) == 3
    rows = read_table(data, "list.csv", COLUMNS, max_rows=2)
    assert next(rows).line == 2  # whole-file checks passed; the count is only known further down
    with pytest.raises(TabularError, match=r"数据行数超过上限（2行）"):
        list(rows)


def test_a_broken_quote_does_not_swallow_the_rest() -> None:
    data = '身份证号,姓名\n1,甲\n2,"乙\n3,丙\n'.encode()
    with pytest.raises(TabularError, match="第3行起的内容无法按 CSV 格式读取"):
        table(data, "list.csv")


def test_column_definitions_must_be_unambiguous() -> None:
    with pytest.raises(ValueError, match="names both"):
        read_table(b"a\n1\n", "list.csv", [Column("a", ("编号",)), Column("b", (" 编号 ",))])
    with pytest.raises(ValueError, match="defined twice"):
        read_table(b"a\n1\n", "list.csv", [Column("a", ("甲",)), Column("a", ("乙",))])


def test_a_broken_workbook_is_refused_as_a_whole() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "not xml")
    with pytest.raises(TabularError, match="Excel 文件无法打开"):
        read_table(buffer.getvalue(), "list.xlsx", COLUMNS)


def test_a_workbook_that_unpacks_far_beyond_the_limit_is_refused() -> None:
    data = xlsx(("身份证号", "姓名"), *[("a" * 30_000, "b")] * 40)
    with pytest.raises(TabularError, match="解压后内容过大"):
        read_table(data, "list.xlsx", COLUMNS, max_bytes=len(data))
