"""What a workspace's double-click launchers run: ask for the period, then do the action.

``一键汇总.bat`` and its siblings (written by :mod:`wjexcel.cycle.console`) find Python and
run ``python -m wjexcel.excel.launch ACTION WORKSPACE [PATH...]``. The period is asked
here rather than with cmd's ``set /p``: cmd cannot tell Enter from a blank or stray line
end (under Wine ``set /p`` even returns a bare line feed), and a mistyped period would be
remembered as "the last one". Here Enter alone takes the last period, a typed one is
checked at once (and asked again when it is not a period), and only a period the action
accepted is remembered, in its canonical form.

The action is the button's (:func:`wjexcel.cycle.actions.perform`): a launcher shows what the
button shows and exits as the command line's ``wjexcel run/generate/status/drafts`` would
(0 done, 1 done with files returned or not done, 2 no usable period); any error is one
Chinese message (:func:`wjexcel.cycle.actions.attempt`), never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

from wjexcel.cycle.actions import ACTION_BY_KEY
from wjexcel.errors import PeriodError

TRIES = 3
HINT = "请输入期间，例如 2022（全年）、2022Q3（第三季度）、2022-09（9月）。"


def ask_period(last: str, ask: Callable[[str], str], say: Callable[[str], None]) -> str | None:
    """The period the clerk means, in canonical form; ``None`` when none was given.

    Enter alone (or only blanks, or the end of input) takes ``last``; a typed period is
    parsed at once and asked again, up to three times, when it is not one.
    """
    from wjexcel.periods import Period

    say(HINT)
    if last:
        say(f"直接按回车键，使用上次的期间 {last}。")
    for _ in range(TRIES):
        try:
            text = ask("期间：").strip()
        except EOFError:
            text = ""
        if not text:
            if last:
                return last
            say("没有输入期间，操作取消。")
            return None
        try:
            return Period.parse(text).code
        except PeriodError as exc:
            say(f"{exc}请重新输入。")
    say("期间仍不正确，操作取消。")
    return None


def confirm(question: str, ask: Callable[[str], str], say: Callable[[str], None]) -> bool:
    """Yes or no from the clerk (是/否, y/n); the end of input or a third unclear answer is no."""
    say(question)
    for _ in range(TRIES):
        try:
            answer = ask("（y=是，n=否）：").strip().lower()
        except EOFError:
            return False
        if answer in ("y", "yes", "是", "是的", "确定"):
            return True
        if answer in ("n", "no", "否", "不", ""):
            return False
        say("请输入 y（是）或 n（否）。")
    return False


def run(argv: list[str], ask: Callable[[str], str], say: Callable[[str], None]) -> int:
    """``argv`` = ACTION WORKSPACE [PATH...]; returns the exit code (the command line's)."""
    from wjexcel import logs
    from wjexcel.cycle.actions import Failure, attempt, last_period, perform
    from wjexcel.progress import StderrProgress
    from wjexcel.workspace import STATE

    if len(argv) < 2 or argv[0] not in ACTION_BY_KEY:
        say(f"用法：python -m wjexcel.excel.launch {{{'|'.join(ACTION_BY_KEY)}}} 工作区 [文件夹...]")
        return 2
    action, root, paths = ACTION_BY_KEY[argv[0]], Path(argv[1]), argv[2:]
    if (root / STATE).is_dir():  # the workspace's debug log, as the command line keeps it
        logs.use_folder(root / STATE / logs.LOG_FOLDER)
    say(f"【{action.title}】{action.explanation}")
    period = ask_period(last_period(root), ask, say)
    if period is None:
        return 2
    say("")
    progress = StderrProgress(action.title)
    try:
        done = attempt(lambda: perform(action, root, period, paths=paths, progress=progress,
                                       confirm=lambda question: confirm(question, ask, say)), folder=root)
    finally:
        progress.stop()
    if isinstance(done, Failure):
        say(f"错误：{done.message}")
        return done.code
    for line in done.lines:
        say(line)
    if action.key in ("generate", "run"):  # the control workbook names the plan in use
        from wjexcel.cycle.console import refresh_plan_name

        refresh_plan_name(root)
    return done.code


def main() -> None:
    from wjexcel import logs
    from wjexcel.cycle.actions import force_utf8

    force_utf8()
    logs.configure()
    try:
        with logs.warnings_to_log():  # a library's UserWarning is for the debug log, not the clerk
            code = run(sys.argv[1:], input, print)
    except KeyboardInterrupt:
        print("已中断。")
        code = 1
    sys.exit(code)


if __name__ == "__main__":
    main()
