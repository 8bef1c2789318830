"""What Excel checks while a form is typed: data validation on every input, the 填报检查
formula, and the conditional formats that mark blank and wrong entries as 填报检查 counts them."""

from __future__ import annotations

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from wjexcel.forms import layout as L
from wjexcel.plan.model import Indicator

_BLANK_FILL = PatternFill("solid", fgColor="FCE4D6")


_BAD_FILL = PatternFill("solid", fgColor="FFC7CE")


_BAD_FONT = Font(color="9C0006", bold=True)


# --- validation --------------------------------------------------------------------------------
def validation(kind: str, **kw) -> DataValidation:
    """A data validation that shows its prompt and refuses (or warns about) a wrong entry."""
    return DataValidation(type=kind, allow_blank=True, showErrorMessage=True, showInputMessage=True, **kw)


def value_validation(ind: Indicator) -> DataValidation:
    """The validation of an indicator's value cell: percent, count or number."""
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


def text_validation(limit: int, title: str, prompt: str) -> DataValidation:
    """A text of at most ``limit`` characters."""
    return validation("textLength", operator="lessThanOrEqual", formula1=str(limit),
                      promptTitle=title, prompt=prompt,
                      errorTitle="内容过长", error=f"最多 {limit} 个字，请精简。")


def signature_validations() -> dict[str, DataValidation]:
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


def detail_validation(column, choice_range=None) -> DataValidation:
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
        source = choice_range(column.choices) if len(typed) > LIST_LIMIT and choice_range else f'"{typed}"'
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
    """Excel expressions, one per kind of wrong entry, each counting offending cells."""
    col = get_column_letter(L.COL_VALUE)
    first, last = min(rows.values()), max(rows.values())
    rng = f"{col}{first}:{col}{last}"
    terms = [f"SUMPRODUCT(--ISTEXT({rng}))", f'COUNTIF({rng},"<0")']
    for ind in indicators:
        ref = f"{col}{rows[ind.code]}"
        if ind.is_percent:
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


def longest_check_text(count: int) -> str:
    """The longest text the 填报检查 formula can show, to size its row."""
    return f"还有 {count} 项未填写；" + _BAD_TEXT.format(n=count) + f"签章栏还有 {len(L.SIGNATURE_FIELDS)} 项未填写。"


def conditional_formats(ws, indicators, rows, last_data) -> None:
    """Mark blank value cells pale orange and wrong ones red, as the 填报检查 counts them."""
    col = get_column_letter(L.COL_VALUE)
    first = f"{col}{L.FIRST_DATA_ROW}"
    rng = f"{first}:{col}{last_data}"
    ws.conditional_formatting.add(rng, FormulaRule(
        formula=[f"OR(ISTEXT({first}),AND(ISNUMBER({first}),{first}<0))"],
        fill=_BAD_FILL, font=_BAD_FONT, stopIfTrue=True))
    for ind in indicators:
        ref = f"{col}{rows[ind.code]}"
        wrong = []  # every rule 填报检查 counts for this cell (a % sub-item can break both)
        if ind.is_percent:
            wrong.append(f"AND(ISNUMBER({ref}),{ref}>100)")
        if ind.parent and ind.parent in rows:
            parent = f"{col}{rows[ind.parent]}"
            wrong.append(f"AND(ISNUMBER({ref}),ISNUMBER({parent}),{ref}>{parent})")
        if wrong:
            cond = wrong[0] if len(wrong) == 1 else f"OR({','.join(wrong)})"
            ws.conditional_formatting.add(ref, FormulaRule(formula=[cond], fill=_BAD_FILL, font=_BAD_FONT,
                                                           stopIfTrue=True))
    ws.conditional_formatting.add(rng, FormulaRule(formula=[f'LEN(TRIM({first}))=0'], fill=_BLANK_FILL))
