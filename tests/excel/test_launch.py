"""The period dialogue behind the launchers (.bat) and the action they run, on a real workspace.

Under Wine the same module runs from the release's launchers (tests/test_windows_release.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from wjexcel.cycle import actions
from wjexcel.excel import launch
from wjexcel.cycle import init_workspace

SOURCE_ROOT = Path(__file__).resolve().parents[2]


class Clerk:
    """Types ``answers`` one per prompt, then closes the input (EOF); records what was shown."""

    def __init__(self, *answers: str):
        self.answers = list(answers)
        self.shown: list[str] = []
        self.prompts = 0

    def ask(self, prompt: str) -> str:
        self.prompts += 1
        self.shown.append(prompt)
        if not self.answers:
            raise EOFError
        return self.answers.pop(0)

    def say(self, text: str) -> None:
        self.shown.append(text)

    @property
    def text(self) -> str:
        return "\n".join(self.shown)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    return init_workspace(tmp_path_factory.mktemp("launch") / "工作区")


@pytest.fixture
def root(workspace):
    (workspace.state / actions.LAST_PERIOD_FILE).unlink(missing_ok=True)
    return workspace.root


def remembered(root: Path) -> bytes | None:
    path = root / ".wjexcel" / actions.LAST_PERIOD_FILE
    return path.read_bytes() if path.exists() else None


def test_a_typed_period_runs_the_action_and_is_remembered_canonically(root):
    clerk = Clerk(" 2022q3 ")
    assert launch.run(["status", str(root)], clerk.ask, clerk.say) == 0
    assert "【查看报送情况】" in clerk.text and "直接按回车键" not in clerk.text  # nothing to reuse yet
    assert "未报送" in clerk.text
    assert remembered(root) == b"2022Q3\r\n"


@pytest.mark.parametrize("answer", ["", "   ", "\r", "\n", None], ids=["enter", "blanks", "cr", "lf", "eof"])
def test_enter_alone_reuses_the_last_period(root, answer):
    actions.remember_period(root, "2022Q3")
    clerk = Clerk() if answer is None else Clerk(answer)
    assert launch.run(["status", str(root)], clerk.ask, clerk.say) == 0
    assert "直接按回车键，使用上次的期间 2022Q3。" in clerk.text
    assert "无法识别" not in clerk.text
    assert "2022年第三季度" in clerk.text  # the 催报 text names the period used
    assert remembered(root) == b"2022Q3\r\n"


def test_a_wrong_period_is_asked_again_and_never_remembered(root):
    actions.remember_period(root, "2022")
    clerk = Clerk("2022Q5", "2022-09")
    assert launch.run(["status", str(root)], clerk.ask, clerk.say) == 0
    assert "期间“2022Q5”无法识别" in clerk.text and "请重新输入" in clerk.text
    assert clerk.prompts == 2
    assert remembered(root) == b"2022-09\r\n"


def test_three_wrong_periods_cancel(root):
    clerk = Clerk("x", "y", "z", "2022")
    assert launch.run(["status", str(root)], clerk.ask, clerk.say) == 2
    assert clerk.prompts == 3 and "操作取消" in clerk.text
    assert remembered(root) is None


def test_enter_without_a_last_period_cancels(root):
    clerk = Clerk("")
    assert launch.run(["generate", str(root)], clerk.ask, clerk.say) == 2
    assert "没有输入期间，操作取消。" in clerk.text
    assert not any((root / "分发").iterdir())


def test_a_period_the_command_refuses_is_not_remembered(root):
    actions.remember_period(root, "2022")
    clerk = Clerk("2030")
    assert launch.run(["generate", str(root)], clerk.ask, clerk.say) == 2
    assert "错误：" in clerk.text and "不在计划年度" in clerk.text
    assert remembered(root) == b"2022\r\n"


def test_wrong_usage():
    clerk = Clerk()
    assert launch.run(["sumup", "."], clerk.ask, clerk.say) == 2
    assert "用法" in clerk.text and clerk.prompts == 0


def test_the_module_reads_a_real_standard_input(root):
    # What the launcher runs: `python -m wjexcel.excel.launch status <workspace>`, Enter typed.
    actions.remember_period(root, "2022Q3")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(SOURCE_ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-m", "wjexcel.excel.launch", "status", str(root)], input="\r\n",
                          capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "使用上次的期间 2022Q3" in done.stdout and "2022年第三季度" in done.stdout


def test_generating_again_asks_first(tmp_path):
    root = init_workspace(tmp_path / "工作区").root
    assert launch.run(["generate", str(root)], Clerk("2022Q3").ask, Clerk().say) == 0
    forms = sorted(p.name for p in (root / "分发" / "2022Q3").iterdir())
    kept = Clerk("", "n")  # Enter: the last period; then no
    assert launch.run(["generate", str(root)], kept.ask, kept.say) == 0
    assert "已生成过" in kept.text and "已取消，原有填报表保持不变。" in kept.text
    assert sorted(p.name for p in (root / "分发" / "2022Q3").iterdir()) == forms
    replaced = Clerk("", "是")
    assert launch.run(["generate", str(root)], replaced.ask, replaced.say) == 0
    assert "原有文件已移到：旧版_" in replaced.text


def test_one_click_with_nothing_received_exits_1_and_says_why(root):
    clerk = Clerk("2022Q3")
    assert launch.run(["run", str(root)], clerk.ask, clerk.say) == 1
    assert "【一键汇总】" in clerk.text and "没有可汇总的内容，未写出汇总表" in clerk.text
    assert remembered(root) == b"2022Q3\r\n"  # the action was done


def test_a_folder_dropped_on_one_click_is_collected_instead_of_the_inbox(tmp_path):
    import datetime as dt

    from wjexcel.demo.fill import fill_form
    from wjexcel.forms.outbox import generate_forms

    ws = init_workspace(tmp_path / "工作区")
    generate_forms(ws, "2022Q3")
    form = next(ws.outbox.rglob("*七都镇*.xlsx"))
    dropped = tmp_path / "邮件附件"
    fill_form(form, dropped / form.name, {"新建、改建政府主导运营的科创载体面积": 0.5},
              signer={"填报人": "王芳", "填报日期": dt.date(2022, 10, 8)})
    clerk = Clerk("2022Q3")
    assert launch.run(["run", str(ws.root), str(dropped)], clerk.ask, clerk.say) == 0, clerk.text
    assert "本次新收到 1 个，接收 1 个" in clerk.text and any(line.startswith("汇总表：") for line in clerk.shown)
    assert not any(ws.inbox.iterdir())
