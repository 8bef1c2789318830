"""An error nobody foresaw, in each double-click front end (a button, a launcher, 新建工作区), on a real
workspace: the clerk reads one Chinese message naming the debug log; the traceback is only in that log.

The error is made by one library function raising RuntimeError; everything else is real.
"""

from __future__ import annotations

import pytest

from wjexcel import logs
from wjexcel.cycle import actions, init_workspace
from wjexcel.excel import buttons as eb
from wjexcel.excel import launch, wizard
from wjexcel.plan.workbook import workspace_plan

BOOM = "a bug nobody foresaw"
PARAMETERS = [("计划", ""), ("期间", "2022Q3"), ("截止日期", None), ("工作区", "")]


def _broken(*args, **kwargs):
    raise RuntimeError(BOOM)


@pytest.fixture
def workspace(tmp_path):
    return init_workspace(tmp_path / "工作区")


@pytest.fixture
def broken_generate(monkeypatch):
    import wjexcel.forms.outbox

    monkeypatch.setattr(wjexcel.forms.outbox, "generate_forms", _broken)


def _log_of(ws) -> str:
    return (ws.state / logs.LOG_FOLDER / logs.LOG_FILE).read_text(encoding="utf-8")


def _says_internal_error_with_the_log(text: str, ws) -> None:
    log = ws.state / logs.LOG_FOLDER / logs.LOG_FILE
    assert f"程序内部出错，本次操作没有完成。详细情况已记入调试日志“{log}”" in text, text
    assert "Traceback" not in text and BOOM not in text
    assert "Traceback" in _log_of(ws) and f"RuntimeError: {BOOM}" in _log_of(ws)


def test_a_button(workspace, broken_generate):
    shown = []
    done = eb.press("生成填报表", lambda: PARAMETERS, workspace.root,
                    show=lambda status, lines=(): shown.append((status, list(lines))))
    assert isinstance(done, actions.Failure) and done.code == 1
    assert shown[0][0].startswith("正在运行“生成填报表”")
    assert shown[-1] == ("出错，操作没有完成", done.message.splitlines())
    _says_internal_error_with_the_log(done.message, workspace)
    assert actions.last_period(workspace.root) == ""  # nothing done: nothing remembered


def test_a_button_that_works_and_one_on_a_renamed_sheet(workspace):
    shown, renamed = [], []
    done = eb.press("查看报送情况", lambda: PARAMETERS, workspace.root, rename_plan=renamed.append,
                    show=lambda status, lines=(): shown.append((status, list(lines))))
    assert shown[-1][0].startswith("完成") and shown[-1][1] == done and "未报送" in "\n".join(done)
    assert renamed == [str(workspace_plan(workspace).name)]  # the 计划 cell was empty
    wrong = eb.press("Sheet1", lambda: PARAMETERS, workspace.root)
    assert isinstance(wrong, actions.Failure) and wrong.code == 2 and "不要重命名" in wrong.message


def test_a_launcher(workspace, broken_generate, capsys):
    shown = []
    answers = iter(["2022Q3"])
    code = launch.run(["generate", str(workspace.root)], lambda prompt: next(answers), shown.append)
    assert code == 1
    text = "\n".join(shown)
    assert "错误：程序内部出错" in text
    _says_internal_error_with_the_log(text + capsys.readouterr().err, workspace)
    assert actions.last_period(workspace.root) == ""


def test_the_new_workspace_wizard(tmp_path, monkeypatch):
    import wjexcel.cycle.console

    monkeypatch.setattr(wjexcel.cycle.console, "write_console", _broken)
    shown = []
    code = wizard.run([], lambda prompt: "", shown.append, tmp_path)
    assert code == 1
    text = "\n".join(shown)
    assert "错误：程序内部出错" in text
    _says_internal_error_with_the_log(text, init_workspace(tmp_path / "工作区"))


def test_the_wizard_says_when_the_console_cannot_be_written(tmp_path, monkeypatch):
    """A console the installation cannot write (xlwings' macros missing) is the wizard's failure, said as such."""
    import wjexcel.cycle.console
    from wjexcel.errors import EnvironmentProblem

    def no_macros():
        raise EnvironmentProblem("xlwings 安装不完整（读不到 quickstart_standalone.xlsm 中的宏），请重新安装 xlwings。")

    monkeypatch.setattr(wjexcel.cycle.console, "standalone_vba_project", no_macros)
    shown = []
    assert wizard.run([str(tmp_path / "新")], lambda prompt: "", shown.append, tmp_path) == 1
    text = "\n".join(shown)
    assert f"错误：工作区“{(tmp_path / '新').resolve()}”已就绪，但控制台和双击启动文件没有写出：xlwings 安装不完整" in text
    assert (tmp_path / "新" / "计划.xlsx").is_file() and not (tmp_path / "新" / "控制台.xlsm").exists()
