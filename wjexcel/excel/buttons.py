"""The Excel buttons of the control workbook (控制台.xlsm): the only module that imports xlwings.

xlwings' standalone VBA runs ``import 控制台; 控制台.main()`` for every button, and that
workspace module calls :func:`main` here. Each button sits on its own sheet, named after
its action, so the active sheet says which button was clicked (see :mod:`wjexcel.cycle.console`).

Everything except :func:`main` is plain Python that runs without Excel: reading the
parameter cells, choosing the action, calling the core, turning results and errors into
the Chinese lines written to the 运行结果 area. ``xlwings`` is imported inside
:func:`main` only, so importing this module is cheap and works anywhere.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable, Sequence

from wjexcel.cycle.actions import ACTIONS, Action, Failure, attempt, perform
from wjexcel.cycle.console import (FIRST_PARAMETER_ROW, FIRST_RESULT_ROW, LABEL_COLUMN, PARAMETERS, RESULT_ROWS,
                                   STATUS_ROW, VALUE_COLUMN)
from wjexcel.errors import UsageError, WjexcelError

ACTION_BY_SHEET = {a.title: a for a in ACTIONS}

Progress = Callable[..., None]


def parameter_cells() -> str:
    """The label/value block the buttons read, e.g. ``B4:C7``."""
    last = FIRST_PARAMETER_ROW + len(PARAMETERS) - 1
    return f"{LABEL_COLUMN}{FIRST_PARAMETER_ROW}:{VALUE_COLUMN}{last}"


def result_cells() -> str:
    """The column of cells the result lines are written to."""
    return f"{LABEL_COLUMN}{FIRST_RESULT_ROW}:{LABEL_COLUMN}{FIRST_RESULT_ROW + RESULT_ROWS - 1}"


def action_for_sheet(sheet_name: str) -> Action:
    """The action of the button on ``sheet_name`` (the sheet active when it was clicked)."""
    try:
        return ACTION_BY_SHEET[str(sheet_name).strip()]
    except KeyError:
        names = "、".join(f"“{a.title}”" for a in ACTIONS)
        raise UsageError(
            f"工作表“{sheet_name}”上没有 wjexcel 的按钮。请到 {names} 工作表上点击按钮；"
            "不要重命名这些工作表（改了名可在工作区运行 wjexcel console 重新生成控制台）。"
        ) from None


def parse_parameters(rows: Sequence[Sequence[Any]]) -> dict[str, str]:
    """Turn the label/value rows of the parameter block into ``{plan, period, deadline, workspace}``.

    Rows are matched by their Chinese label, so the order does not matter. Excel turns a
    typed ``2022-09`` into a date and ``2022`` into a float; both are brought back to the
    period text the CLI accepts. Missing or empty values become ``""``.
    """
    by_label = {str(label).strip().rstrip("：:"): value for label, value, *_ in rows if label}
    params = {key: by_label.get(label) for key, label in PARAMETERS}
    return {
        "plan": _text(params["plan"]),
        "period": period_text(params["period"]),
        "deadline": date_text(params["deadline"]),
        "workspace": _text(params["workspace"]),
    }


def period_text(value: Any) -> str:
    """A period cell as ``2022``, ``2022Q3`` or ``2022-09`` (dates and numbers included)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _text(value).upper().replace("Ｑ", "Q").replace(" ", "")


def date_text(value: Any) -> str:
    """A deadline cell as ``YYYY-MM-DD`` when it holds a date, else its text."""
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    return _text(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def workspace_folder(params: dict[str, str], book_folder: Path) -> Path:
    """The workspace named in the 工作区 cell; empty means the workbook's own folder.

    A relative path is taken from the workbook's folder, so a copied workspace keeps working.
    """
    text = params.get("workspace", "")
    if not text or text == ".":
        return book_folder
    path = Path(text)
    return path if path.is_absolute() else book_folder / path


def require_period(params: dict[str, str]) -> str:
    """The period, or a Chinese error telling the clerk what to type."""
    if not params.get("period"):
        raise UsageError("请先在“期间”格填写本次的期间，如 2022（年）、2022Q3（季度）或 2022-09（月份）。")
    return params["period"]


def run_action(action: Action, params: dict[str, str], book_folder: Path,
               progress: Progress | None = None, confirm: Callable[[str], bool] | None = None) -> list[str]:
    """Do what the button does (:func:`wjexcel.cycle.actions.perform`) and return the lines to show.

    ``confirm(question)`` asks the clerk yes or no (a message box in Excel); without it,
    forms generated before are never replaced.
    """
    period = require_period(params)
    done = perform(action, workspace_folder(params, book_folder), period, deadline=params.get("deadline", ""),
                   progress=progress, confirm=confirm)
    return ([f"计划：{params['plan']}"] if params.get("plan") else []) + done.lines


def changed_plan_name(params: dict[str, str], book_folder: Path) -> str | None:
    """The workspace plan's name when the 计划 cell shows another (计划.xlsx was changed since the
    console was written); None when it is right or the plan cannot be read."""
    from wjexcel.plan.workbook import workspace_plan
    from wjexcel.workspace import Workspace

    try:
        name = str(workspace_plan(Workspace.open(workspace_folder(params, book_folder))).name)
    except (WjexcelError, OSError):
        return None
    return name if name != params.get("plan", "") else None


def fit_lines(lines: Sequence[str], limit: int = RESULT_ROWS) -> list[str]:
    """At most ``limit`` lines; the last one says how many were left out."""
    lines = list(lines)
    if len(lines) <= limit:
        return lines
    hidden = len(lines) - limit + 1
    return lines[: limit - 1] + [f"……另有 {hidden} 行未显示，请运行“查看报送情况.bat”或查看汇总表。"]


def press(sheet_name: str, read_parameters: Callable[[], Sequence[Sequence[Any]]], book_folder: Path, *,
          show: Callable[..., None] = lambda status, lines=(): None, progress: Progress | None = None,
          confirm: Callable[[str], bool] | None = None, rename_plan: Callable[[str], None] | None = None,
          ) -> list[str] | Failure:
    """A click on the button of sheet ``sheet_name``, without Excel: the lines shown when it is done,
    or the :class:`~wjexcel.cycle.actions.Failure` shown instead (its traceback, if any, in the debug log).

    ``read_parameters()`` gives the rows of the parameter block, ``show(status, lines)`` writes the
    status cell and the 运行结果 area, ``rename_plan(name)`` the 计划 cell when 计划.xlsx names
    another plan than the one shown.
    """
    started = dt.datetime.now().strftime("%H:%M:%S")

    def work() -> list[str]:
        action = action_for_sheet(sheet_name)
        show(f"正在运行“{action.title}”……（{started} 开始）")
        params = parse_parameters(read_parameters())
        lines = run_action(action, params, book_folder, progress=progress, confirm=confirm)
        show(f"完成（{started} 开始，{dt.datetime.now():%H:%M:%S} 结束）", lines)
        renamed = changed_plan_name(params, book_folder)
        if renamed and rename_plan is not None:
            rename_plan(renamed)
        return lines

    done = attempt(work, folder=book_folder)
    if isinstance(done, Failure):
        show("出错，操作没有完成", done.message.splitlines())
    return done


def main() -> None:
    """Entry point of every button: read the sheet, run its action, write the result back."""
    import xlwings as xw

    book = xw.Book.caller()
    sheet = book.sheets.active
    book_folder = Path(book.fullname).parent

    def show(status: str, lines: Sequence[str] = ()) -> None:
        sheet[f"{VALUE_COLUMN}{STATUS_ROW}"].value = status
        cells = sheet[result_cells()]
        cells.clear_contents()
        fitted = fit_lines(lines)
        if fitted:
            sheet[f"{LABEL_COLUMN}{FIRST_RESULT_ROW}"].options(transpose=True).value = fitted

    def progress(*parts: Any, **_: Any) -> None:
        text = " ".join(str(p) for p in parts if p is not None)
        sheet[f"{VALUE_COLUMN}{STATUS_ROW}"].value = f"正在运行：{text}"
        book.app.status_bar = text

    def rename_plan(name: str) -> None:  # the first sheet holds the value; the others show it by formula
        book.sheets[0][f"{VALUE_COLUMN}{FIRST_PARAMETER_ROW}"].value = name

    try:
        done = press(sheet.name, lambda: sheet[parameter_cells()].value, book_folder, show=show, progress=progress,
                     confirm=lambda question: book.app.alert(question, title="wjexcel", buttons="yes_no") == "yes",
                     rename_plan=rename_plan)
        if isinstance(done, Failure):  # in Chinese, never as a VBA popup
            book.app.alert(done.message, title="wjexcel", mode="critical")
    finally:
        book.app.status_bar = False
