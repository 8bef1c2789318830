"""What a workspace's double-click launchers run: ask for the period, then do the action.

``一键汇总.bat`` and its siblings (written by :mod:`wjexcel.cycle.console`) find Python and
run ``python -m wjexcel.excel.launch ACTION WORKSPACE [PATH...]``. The period is asked
here rather than with cmd's ``set /p``: cmd cannot tell Enter from a blank or stray line
end (under Wine ``set /p`` even returns a bare line feed), and a mistyped period would be
remembered as "the last one". Here Enter alone takes the last period, a typed one is
checked at once (and asked again when it is not a period), and only a period the action
accepted is remembered, in its canonical form.

The action itself is the command line's (``wjexcel run/generate/status --period P -w
WORKSPACE``), so a launcher prints and exits exactly as the command does.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

from wjexcel.errors import PeriodError
from wjexcel.cycle.actions import ACTIONS, remember_period

ACTION_BY_KEY = {a.key: a for a in ACTIONS}
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


def run(argv: list[str], ask: Callable[[str], str], say: Callable[[str], None]) -> int:
    """``argv`` = ACTION WORKSPACE [PATH...]; returns the exit code (the command's, or 2)."""
    from wjexcel.cli import main as cli_main
    from wjexcel.cycle.actions import last_period

    if len(argv) < 2 or argv[0] not in ACTION_BY_KEY:
        say(f"用法：python -m wjexcel.excel.launch {{{'|'.join(ACTION_BY_KEY)}}} 工作区 [文件夹...]")
        return 2
    action, root, paths = ACTION_BY_KEY[argv[0]], Path(argv[1]), argv[2:]
    say(f"【{action.title}】{action.explanation}")
    period = ask_period(last_period(root), ask, say)
    if period is None:
        return 2
    say("")
    try:
        cli_main([action.key, "--period", period, "-w", str(root), *paths])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    if code in (0, 1):  # done (1: done, with problems in the inputs, or failed with a message)
        remember_period(root, period)
    return code


def main() -> None:
    from wjexcel.cli import _force_utf8

    _force_utf8()
    sys.exit(run(sys.argv[1:], input, print))


if __name__ == "__main__":
    main()
