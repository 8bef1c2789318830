"""What Excel checks while a form is typed: data validation on every input, the 填报检查
formula, and the conditional formats that mark blank and wrong entries as 填报检查 counts them."""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from wjexcel.forms import layout as L
from wjexcel.forms.grid import Sheet
from wjexcel.plan.model import MILESTONE_STATES, Indicator

_BLANK = {"bg_color": "#FCE4D6"}
_BAD = {"bg_color": "#FFC7CE", "font_color": "#9C0006", "bold": True}
_OVER = {"font_color": "#C00000", "bold": True}

_TITLE_LIMIT, _MESSAGE_LIMIT = 32, 255
"""Excel's longest validation title and message (UTF-16 units); longer ones make it repair the file."""

_TYPES = {"decimal": "decimal", "whole": "integer", "list": "list", "date": "date", "textLength": "length"}
_OPERATORS = {"between": "between", "greaterThanOrEqual": ">=", "lessThanOrEqual": "<=", "equal": "=="}


# --- validation --------------------------------------------------------------------------------
def validation(kind: str, *, operator: str | None = None, formula1: str | None = None,
               formula2: str | None = None, promptTitle: str = "", prompt: str = "",  # noqa: N803
               errorTitle: str = "", error: str = "", errorStyle: str = "stop") -> dict:  # noqa: N803
    """A data validation (as XlsxWriter options) that shows its prompt and refuses (or warns
    about) a wrong entry. Arguments use Excel's own names for the settings."""
    options = {"validate": _TYPES[kind], "ignore_blank": True, "show_input": True, "show_error": True,
               "input_title": _clip(promptTitle, _TITLE_LIMIT), "input_message": _clip(prompt, _MESSAGE_LIMIT),
               "error_title": _clip(errorTitle, _TITLE_LIMIT), "error_message": _clip(error, _MESSAGE_LIMIT),
               "error_type": {"stop": "stop", "warning": "warning", "information": "information"}[errorStyle]}
    if kind == "list":
        options["source"] = formula1
    else:
        options["criteria"] = _OPERATORS[operator]
        if formula2 is None:
            options["value"] = _formula(formula1)
        else:
            options["minimum"], options["maximum"] = _formula(formula1), _formula(formula2)
    return options


def _formula(text: str):
    """A validation bound: a number as a number, anything else as a formula."""
    try:
        return int(text)
    except ValueError:
        return f"={text}"


def _clip(text: str, limit: int) -> str:
    """``text`` cut to Excel's limit (counted in UTF-16 units, as Excel counts)."""
    if len(text.encode("utf-16-le")) // 2 <= limit:
        return text
    while len(text.encode("utf-16-le")) // 2 > limit - 1:
        text = text[:-1]
    return text + "…"


NEGATIVE_BOUND = 10 ** 12
"""The widest a 可为负数 value cell allows either way (no indicator of a district plan reaches it)."""


def value_kind(ind: Indicator) -> str:
    """Which validation a value cell gets (rows of one kind share one): a 节点任务's state, a
    percent, a count or a number, each of the last two either never negative or 可为负数."""
    if ind.is_milestone:
        return "state"
    kind = "pct" if ind.is_percent else ("whole" if ind.unit.strip() in L.COUNT_UNITS else "dec")
    return f"{kind}-neg" if ind.negative_allowed else kind


def value_validation(ind: Indicator) -> dict:
    """The validation of an indicator's value cell: a 节点任务's state (a strict dropdown),
    percent, count or number; negatives only where the plan says 可为负数."""
    if ind.is_milestone:
        return validation(
            "list", formula1=list(MILESTONE_STATES), promptTitle="选择进展状态",
            prompt=f"节点任务：从下拉列表选择 {'、'.join(MILESTONE_STATES)}；进展情况写在右边的“情况说明”格。",
            errorTitle="请从列表选择", error=f"只能选择 {'、'.join(MILESTONE_STATES)} 之一。")
    if ind.negative_allowed:
        bound = str(NEGATIVE_BOUND)
        what = "百分数的数值" if ind.is_percent else f"数字（单位：{ind.unit}）"
        return validation(
            "decimal", operator="between", formula1=f"-{bound}", formula2=bound,
            promptTitle="可填负数", prompt=f"只填{what}，下降时填负数，如 -1.2；不带单位。",
            errorTitle="应为数字", error=f"请填写{what}，可以是负数，不要带文字。")
    if ind.is_percent:
        return validation(
            "decimal", operator="between", formula1="0", formula2="100",
            promptTitle="填写百分数数值", prompt=f"{ind.name}：单位为 %，填 0-100 之间的数值，如 3.68% 填 3.68。",
            errorTitle="数值不对", error="请填写 0 到 100 之间的数字（不带 % 号）。")
    if ind.unit.strip() in L.COUNT_UNITS:
        return validation(
            "whole", operator="greaterThanOrEqual", formula1="0",
            promptTitle=f"填写整数（{ind.unit}）", prompt=f"{ind.name}：只填整数，不带单位；没有填 0。",
            errorTitle="应为整数", error=f"请填写不小于 0 的整数（单位：{ind.unit}），不要带文字。")
    return validation(
        "decimal", operator="greaterThanOrEqual", formula1="0",
        promptTitle=f"填写数字（{ind.unit}）", prompt=f"{ind.name}：只填数字，不带单位；没有填 0。",
        errorTitle="应为数字", error=f"请填写不小于 0 的数字（单位：{ind.unit}），不要带文字。")


def text_validation(limit: int, title: str, prompt: str) -> dict:
    """A text of at most ``limit`` characters."""
    return validation("textLength", operator="lessThanOrEqual", formula1=str(limit),
                      promptTitle=title, prompt=prompt,
                      errorTitle="内容过长", error=f"最多 {limit} 个字，请精简。")


def signature_validations() -> dict[str, dict]:
    """One validation per signature field (keys of ``L.SIGNATURE_FIELDS``)."""
    return {
        "unit": text_validation(60, "填报单位", "填写单位全称，打印后在此处加盖公章。"),
        "filled_by": text_validation(30, "填报人", "填写填报人姓名。"),
        "phone": text_validation(30, "联系电话", "填写手机或座机号码。"),
        "filled_on": validation("date", operator="between", formula1="DATE(2000,1,1)",
                                formula2="DATE(2100,12,31)", errorStyle="warning",
                                promptTitle="填报日期", prompt="填写日期，如 2022-10-08。",
                                errorTitle="日期格式", error="请按 2022-10-08 的格式填写日期。"),
        "reviewer": text_validation(30, "审核人", "填写审核人（分管负责人）姓名。"),
    }


LIST_LIMIT = 255
"""Excel refuses a list validation whose typed list is longer (it then “repairs” the file)."""


def detail_validation(column, choice_range=None) -> dict:
    """The validation of a 明细 column, by its type.

    ``choice_range(choices)`` gives a cell range holding a long list of choices (Excel takes
    at most :data:`LIST_LIMIT` characters typed into the validation itself).
    """
    if column.type == "uscc":
        return validation("textLength", operator="equal", formula1="18",
                          promptTitle="统一社会信用代码", prompt="18位统一社会信用代码，字母大写，不要加空格。",
                          errorTitle="位数不对", error="统一社会信用代码应为18位，请核对。")
    if column.type == "choice":
        typed = ",".join(column.choices)
        long = len(typed.encode("utf-16-le")) // 2 > LIST_LIMIT
        source = "=" + choice_range(column.choices) if long and choice_range else list(column.choices)
        return validation("list", formula1=source,
                          promptTitle=column.name[:32], prompt="请从下拉列表中选择。",
                          errorTitle="请从列表选择", error="只能选择下拉列表中的选项。")
    if column.type == "number":
        return validation("decimal", operator="greaterThanOrEqual", formula1="0",
                          promptTitle=column.name[:32], prompt="只填数字，不带单位。",
                          errorTitle="应为数字", error="请填写不小于 0 的数字。")
    if column.type == "integer":
        return validation("whole", operator="greaterThanOrEqual", formula1="0",
                          promptTitle=column.name[:32], prompt="只填整数。",
                          errorTitle="应为整数", error="请填写不小于 0 的整数。")
    if column.type == "date":
        return validation("date", operator="between", formula1="DATE(2000,1,1)", formula2="DATE(2100,12,31)",
                          errorStyle="warning", promptTitle=column.name[:32], prompt="填写日期，如 2022-10-08。",
                          errorTitle="日期格式", error="请按 2022-10-08 的格式填写日期。")
    return text_validation(200, column.name[:32], f"填写{column.name}。")


# --- 填报检查 and conditional formats ---------------------------------------------------------------
_BAD_TEXT = "有 {n} 项填写有误（标红：不是数字、负数、百分比超过100或其中项大于总数）；"


def _bad_terms(indicators, rows) -> list[str]:
    """Excel expressions, one per kind of wrong entry, each counting offending cells.

    Text is wrong in a value cell but right in a 节点任务's state cell (wrong there: anything
    but the states); a negative is wrong except where 可为负数."""
    col = get_column_letter(L.COL_VALUE)
    first, last = min(rows.values()), max(rows.values())
    rng = f"{col}{first}:{col}{last}"
    text, negative = f"SUMPRODUCT(--ISTEXT({rng}))", f'COUNTIF({rng},"<0")'
    for ind in indicators:
        ref = f"{col}{rows[ind.code]}"
        if ind.is_milestone:
            text += f"-ISTEXT({ref})"
        elif ind.negative_allowed:
            negative += f'-COUNTIF({ref},"<0")'
    terms = [text, negative]
    for ind in indicators:
        ref = f"{col}{rows[ind.code]}"
        if ind.is_milestone:
            terms.append(f"IF({_state_wrong(ref)},1,0)")
        if ind.is_percent and not ind.negative_allowed:
            terms.append(f'COUNTIF({ref},">100")')
        if ind.parent and ind.parent in rows:
            parent = f"{col}{rows[ind.parent]}"
            terms.append(f"IF(AND(ISNUMBER({ref}),ISNUMBER({parent})),IF({ref}>{parent},1,0),0)")
    return terms


def check_formula(indicators, rows, last_data, sign_cells) -> str:
    """The 填报检查 formula: what is still blank or wrong, or that the form is ready."""
    col = get_column_letter(L.COL_VALUE)
    rng = f"{col}{L.FIRST_DATA_ROW}:{col}{last_data}"
    blank = f"COUNTBLANK({rng})"
    bad = "(" + "+".join(_bad_terms(indicators, rows)) + ")"
    sign_blank = "(" + "+".join(f"COUNTBLANK({ref})" for ref in sign_cells.values()) + ")"
    before, after = _BAD_TEXT.split("{n}")
    return (
        f'=IF({blank}+{bad}+{sign_blank}=0,"√ 全部 {len(indicators)} 项指标和签章栏已填写，未发现问题，可以报送。",'
        f'IF({blank}>0,"还有 "&{blank}&" 项未填写；","")'
        f'&IF({bad}>0,"{before}"&{bad}&"{after}","")'
        f'&IF({sign_blank}>0,"签章栏还有 "&{sign_blank}&" 项未填写。",""))'
    )


def blank_check_text(count: int) -> str:
    """What the 填报检查 formula shows on a blank form (its result stored until Excel recalculates)."""
    return f"还有 {count} 项未填写；签章栏还有 {len(L.SIGNATURE_FIELDS)} 项未填写。"


def longest_check_text(count: int) -> str:
    """The longest text the 填报检查 formula can show, to size its row."""
    return f"还有 {count} 项未填写；" + _BAD_TEXT.format(n=count) + f"签章栏还有 {len(L.SIGNATURE_FIELDS)} 项未填写。"


def _state_wrong(ref: str) -> str:
    """Excel: a 节点任务's state cell holds something other than blank or one of the states."""
    states = ",".join(f'{ref}="{s}"' for s in MILESTONE_STATES)
    return f'AND(LEN(TRIM({ref}))>0,NOT(OR({states})))'


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Consecutive rows as (first, last) runs."""
    out: list[list[int]] = []
    for n in sorted(numbers):
        if out and out[-1][1] == n - 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return [(a, b) for a, b in out]


def mark_overrun(sheet: Sheet, row: int, col: int) -> None:
    """A cap's 已用 share over 100% shows red: the value is not wrong, the cap is spent."""
    ref = f"{get_column_letter(col)}{row}"
    sheet.conditional.append(((row, col, row, col), {
        "type": "formula", "criteria": f"=AND(ISNUMBER({ref}),{ref}>1)", "format": _OVER}))


def conditional_formats(sheet: Sheet, indicators, rows, last_data) -> None:
    """Mark blank value cells pale orange and wrong ones red, as the 填报检查 counts them."""
    col = get_column_letter(L.COL_VALUE)
    special = {rows[i.code] for i in indicators if i.is_milestone or i.negative_allowed}
    plain = [r for r in range(L.FIRST_DATA_ROW, last_data + 1) if r not in special]
    for top, bottom in _runs(plain):
        first = f"{col}{top}"
        sheet.conditional.append(((top, L.COL_VALUE, bottom, L.COL_VALUE), {
            "type": "formula", "criteria": f"=OR(ISTEXT({first}),AND(ISNUMBER({first}),{first}<0))",
            "format": _BAD, "stop_if_true": True}))
    for ind in indicators:
        ref = f"{col}{rows[ind.code]}"
        wrong = []  # every rule 填报检查 counts for this cell (a % sub-item can break both)
        if ind.is_milestone:
            wrong.append(_state_wrong(ref))
        elif ind.negative_allowed:
            wrong.append(f"ISTEXT({ref})")
        if ind.is_percent and not ind.negative_allowed:
            wrong.append(f"AND(ISNUMBER({ref}),{ref}>100)")
        if ind.parent and ind.parent in rows:
            parent = f"{col}{rows[ind.parent]}"
            wrong.append(f"AND(ISNUMBER({ref}),ISNUMBER({parent}),{ref}>{parent})")
        if wrong:
            cond = wrong[0] if len(wrong) == 1 else f"OR({','.join(wrong)})"
            cell = (rows[ind.code], L.COL_VALUE, rows[ind.code], L.COL_VALUE)
            sheet.conditional.append((cell, {"type": "formula", "criteria": f"={cond}", "format": _BAD,
                                             "stop_if_true": True}))
    first = f"{col}{L.FIRST_DATA_ROW}"
    rng = (L.FIRST_DATA_ROW, L.COL_VALUE, last_data, L.COL_VALUE)
    sheet.conditional.append((rng, {"type": "formula", "criteria": f"=LEN(TRIM({first}))=0", "format": _BLANK}))
