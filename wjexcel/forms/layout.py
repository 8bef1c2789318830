"""Where things sit on a form: sheet names, columns, labels, metadata keys.

Shared by the template script, the generator (``wjexcel.forms.build``), the signature
(``wjexcel.forms.signing``) and the reader (``wjexcel.collect.formread``), so the four agree by
construction. Rows are not fixed here: each form records its own row map in the
hidden metadata sheet.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

FORMAT_VERSION = "1"

GUIDE_SHEET = "填报说明"
MAIN_SHEET = "指标填报"
DETAIL_TEMPLATE_SHEET = "明细模板"
META_SHEET = "_wjexcel"
CHOICES_SHEET = "_选项"  # hidden: dropdown lists too long to type into a validation

MANIFEST_PREFIX = "分发清单"
OLD_FOLDER_PREFIX = "旧版_"

# Columns of 指标填报 (1-based) and their headers.
COL_NO, COL_TASK, COL_NAME, COL_UNIT, COL_TARGET, COL_VALUE, COL_RATE, COL_REMARK = range(1, 9)
LAST_COL = COL_REMARK
HEADERS = ["序号", "工作任务", "指标名称", "单位", "本年目标", "截至本期完成", "完成率", "情况说明"]

# Fixed rows at the top of 指标填报 (the template's own layout; see docs/template.md).
TITLE_ROW = 1
SUBTITLE_ROW = 2
CHECK_ROW = 3
HEADER_ROW = 4
FIRST_DATA_ROW = 5

# Signature block: (key, label); the input is the cell right of the label.
SIGNATURE_FIELDS = [
    ("unit", "填报单位（盖章）"),
    ("filled_by", "填报人"),
    ("phone", "联系电话"),
    ("filled_on", "填报日期"),
    ("reviewer", "审核人"),
]
SIGN_LABEL_COL = COL_TASK

# 明细 sheets: title row, note row, header row, then input rows.
DETAIL_TITLE_ROW = 1
DETAIL_NOTE_ROW = 2
DETAIL_HEADER_ROW = 3
DETAIL_FIRST_ROW = 4
DETAIL_INPUT_ROWS = 200
DETAIL_PRINT_ROWS = 25  # input rows in a 明细 sheet's print area; the rest print on request

# Minimum row heights (points) on 指标填报: indicator rows, and signature rows with room to write by hand.
DATA_ROW_HEIGHT = 22
SIGN_ROW_HEIGHT = 26

# Units whose values are counts (whole numbers).
COUNT_UNITS = {"家", "个", "场", "项", "人", "次", "件"}

# Keys of the metadata sheet (column A key, column B value).
META_MARKER = "wjexcel_form"
SIGNATURE_KEY = "signature"
SIGNATURE_ALG_KEY = "signature_alg"

# Defined names in the template whose cells give the generator its styles.
STYLE_NAMES = {
    "wjx_title": "标题",
    "wjx_subtitle": "副标题",
    "wjx_check_label": "填报检查标签",
    "wjx_check": "填报检查结果",
    "wjx_header": "表头",
    "wjx_cell": "普通单元格",
    "wjx_task": "工作任务",
    "wjx_name": "指标名称",
    "wjx_sub_name": "其中项名称",
    "wjx_target": "本年目标",
    "wjx_input": "填报单元格",
    "wjx_rate": "完成率",
    "wjx_remark": "情况说明",
    "wjx_sign_label": "签章栏标签",
    "wjx_sign_input": "签章栏填写",
    "wjx_note": "表尾提示",
    "wjx_detail_title": "明细标题",
    "wjx_detail_note": "明细说明",
    "wjx_detail_header": "明细表头",
    "wjx_detail_input": "明细填写",
}
TEMPLATE_VERSION_NAME = "wjx_template_version"

TEMPLATE_FILE = "report_template.xlsx"

# The farthest a form reaches: the reader reads this much of every sheet, and a layout that
# points beyond it is damaged (or forged), whatever its signature says.
MAX_FORM_ROW = DETAIL_FIRST_ROW + DETAIL_INPUT_ROWS + 100
MAX_FORM_COL = 40
_A1 = re.compile(r"([A-Z]{1,2})([0-9]{1,4})")


@dataclass(frozen=True)
class MainLayout:
    """Where 指标填报 keeps its values: columns, each indicator's row, and its extent."""

    sheet: str
    name_col: int
    value_col: int
    remark_col: int
    rows: dict[str, int]
    last_row: int
    last_col: int


@dataclass(frozen=True)
class DetailLayout:
    """One 明细 sheet: its input rows and its columns, left to right."""

    sheet: str
    header_row: int
    first_row: int
    last_row: int
    first_col: int
    columns: tuple[str, ...]

    @property
    def last_col(self) -> int:
        return self.first_col + len(self.columns) - 1


@dataclass(frozen=True)
class FormLayout:
    """The row map a form records about itself in its metadata (``layout``)."""

    main: MainLayout
    signature: dict[str, str]  # signature field -> A1 reference of its input cell
    details: dict[str, DetailLayout]
    sheets: tuple[str, ...]


def parse_layout(text) -> FormLayout:
    """Read the ``layout`` metadata, checking every number lies within a form's reach.

    Raises:
        ValueError: The text is not a layout the generator writes (damaged or forged).
    """
    try:
        data = json.loads(text if isinstance(text, str) else "")
    except RecursionError as exc:
        raise ValueError("nested too deeply") from exc
    main = _mapping(data, "main")
    rows = _mapping(main, "rows")
    parsed_main = MainLayout(
        _text(main, "sheet", MAIN_SHEET), _col(main, "name_col"), _col(main, "value_col"),
        _col(main, "remark_col"), {str(code): _row_value(row) for code, row in rows.items()},
        _row(main, "last_row"), _col(main, "last_col"))
    signature = {}
    for key, ref in _mapping(data, "signature", {}).items():
        match = _A1.fullmatch(ref) if isinstance(ref, str) else None
        if match is None:
            raise ValueError(f"signature cell {key!r}")
        _row_value(int(match.group(2)))
        signature[str(key)] = ref
    details = {}
    for code, info in _mapping(data, "details", {}).items():
        if not isinstance(info, dict):
            raise ValueError(f"details {code!r}")
        columns = info.get("columns")
        if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns) or not columns:
            raise ValueError(f"columns of {code!r}")
        detail = DetailLayout(_text(info, "sheet"), _row(info, "header_row"), _row(info, "first_row"),
                              _row(info, "last_row"), _col(info, "first_col"), tuple(columns))
        if detail.first_row > detail.last_row or detail.last_col > MAX_FORM_COL:
            raise ValueError(f"extent of {code!r}")
        details[str(code)] = detail
    sheets = data.get("sheets", [])
    if not isinstance(sheets, list) or not all(isinstance(x, str) for x in sheets):
        raise ValueError("sheets")
    return FormLayout(parsed_main, signature, details, tuple(sheets))


def _mapping(data, key, default=None) -> dict:
    value = data.get(key, default) if isinstance(data, dict) else None
    if not isinstance(value, dict):
        raise ValueError(key)
    return value


def _text(data: dict, key: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or not value:
        raise ValueError(key)
    return value


def _row_value(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_FORM_ROW:
        raise ValueError(f"row {value!r}")
    return value


def _row(data: dict, key: str) -> int:
    return _row_value(data.get(key))


def _col(data: dict, key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_FORM_COL:
        raise ValueError(f"{key} {value!r}")
    return value


def template_path() -> Path:
    """The report template: ``<repo>/templates/`` in a checkout, ``wjexcel/templates/`` installed."""
    checkout = Path(__file__).resolve().parents[2] / "templates" / TEMPLATE_FILE
    if checkout.is_file():
        return checkout
    try:
        installed = resources.files("wjexcel.templates") / TEMPLATE_FILE
        if installed.is_file():
            return Path(str(installed))
    except (ModuleNotFoundError, FileNotFoundError):
        pass
    from wjexcel.errors import EnvironmentProblem

    raise EnvironmentProblem(
        f"找不到填报表模板 {TEMPLATE_FILE}：安装不完整，请重新安装 wjexcel。"
    )
