"""Every word of the command line a clerk reads is Chinese: help, usage lines, usage errors.

Click's own vocabulary (``Usage:``, ``[required]``, ``Missing option``, ``Did you mean``)
must never reach the screen, for the commands that exist and for any command added later
with ``@cli.command()`` (the group makes it of the Chinese class).
"""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from wjexcel.cli import help as clihelp
from wjexcel.cli import cli
from tests.test_cli import _commands, run_main


CLICK_WORDS = re.compile(
    r"\b(Usage|Options?|Commands?|Arguments?|Positional|Error|Invalid|invalid|[Rr]equired|[Dd]efault|Try|"
    r"Show this message|Did you mean|does not exist|Missing|missing|No such|requires|argument|value|extra|"
    r"Aborted|not one of|is not|TEXT|PATH|PATHS|FILE|FILES|FOLDER|DIRECTORY|INTEGER|FLOAT|COMMAND|ARGS|"
    r"OPTIONS|dynamic|env var)\b|\.\.\.")
FLAGS = re.compile(r"(?<!\w)--?[A-Za-z][\w-]*")


def english_of_click(text: str) -> list[str]:
    """Click's English words in ``text``, once option spellings (``--period``) are set aside."""
    return [m.group(0) for m in CLICK_WORDS.finditer(FLAGS.sub(" ", text))]


@pytest.mark.parametrize("command", list(_commands(groups=True)), ids=lambda c: " ".join(c) or "wjexcel")
def test_every_help_is_chinese(command):
    result = CliRunner().invoke(cli, [*command, "-h"], prog_name="wjexcel")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"用法：wjexcel {' '.join(command)}".replace("  ", " ").rstrip() + " [选项]")
    assert "选项：" in result.output and "显示帮助并退出" in result.output
    assert english_of_click(result.output) == [], result.output


def test_the_usage_line_of_a_group_and_the_notes_after_an_option():
    top = CliRunner().invoke(cli, ["-h"], prog_name="wjexcel").output
    assert top.splitlines()[0] == "用法：wjexcel [选项] 命令 [参数]…"
    assert "命令：" in top
    status = CliRunner().invoke(cli, ["status", "-h"], prog_name="wjexcel").output
    assert re.search(r"-p, --period 期间 +期间：.*\[必填\]", status), status
    check = CliRunner().invoke(cli, ["check", "-h"], prog_name="wjexcel").output
    assert check.splitlines()[0] == "用法：wjexcel check [选项] 文件…"
    assert re.search(r"-w, --workspace 文件夹 +工作区文件夹", check)


def test_the_bare_command_shows_its_help_not_an_error():
    code, out, err = run_main([])
    assert code == 0 and out.startswith("用法：wjexcel [选项] 命令 [参数]…") and err == ""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, workspace_templates):
    return workspace_templates.copy(tmp_path_factory.mktemp("ws") / "ws")


USAGE_ERRORS = {
    "missing argument": (["check"], "缺少参数 文件…"),
    "missing option": (["status"], "缺少必需的选项 -p/--period"),
    "missing option value": (["status", "-p"], "选项 -p 后面缺少值（期间）"),
    "flag given a value": (["status", "--json=是", "-p", "2022"], "选项 --json 后面不用写值"),
    "unknown option": (["status", "--peroid", "2022Q3"], "没有选项 --peroid。您是不是要 --period？"),
    "unknown command": (["genrate"], "没有命令“genrate”。您是不是要 generate？"),
    "unknown subcommand": (["plan", "shwo"], "没有命令“shwo”。您是不是要 show？"),
    "no command": (["--debug"], "缺少命令"),
    "file that does not exist": (["check", "不存在.xlsx"], "找不到文件“不存在.xlsx”"),
    "file where a folder is wanted": (["init", "README.md"], "“README.md”是文件，这里要的是文件夹"),
    "bad period": (["status", "-p", "2022Q5", "-w", "{ws}"], "选项 -p/--period：期间“2022Q5”无法识别"),
    "bad period for the console": (["console", "-p", "2022年第五季度"], "选项 --period/-p：期间“2022年第五季度”无法识别"),
    "extra argument": (["generate", "-p", "2022Q3", "多余", "-w", "{ws}"], "多余的参数：多余"),
}


@pytest.mark.parametrize("case", list(USAGE_ERRORS))
def test_usage_errors_are_chinese_and_exit_2(case, workspace):
    args, expected = USAGE_ERRORS[case]
    code, out, err = run_main([a.replace("{ws}", str(workspace.root)) for a in args])
    assert code == 2, (out, err)
    assert f"错误：{expected}" in err
    assert err.splitlines()[0].startswith("用法：wjexcel")
    assert english_of_click(err) == [] and "Traceback" not in err, err


def test_a_period_in_the_tools_own_words_is_accepted(workspace):
    code, out, err = run_main(["status", "-p", "2022年第三季度", "-w", str(workspace.root)])
    assert code == 0, err
    assert "2022年第三季度" in out


def _later_group():
    """A group with a command added the way another command would be, with click's own types."""

    @click.group(cls=clihelp.Group, context_settings={"help_option_names": ["-h", "--help"]})
    def group():
        """组。"""

    @group.command()
    @click.option("--kind", type=click.Choice(["年报", "季报"]), required=True, help="种类")
    @click.option("--deadline", type=click.DateTime(["%Y-%m-%d"]), default="2022-10-08", show_default=True,
                  help="截止日期")
    @click.option("--copies", type=int, default=2, show_default=True, help="份数")
    @click.argument("target", type=click.Path(exists=True, dir_okay=False), required=False)
    def report(kind, deadline, copies, target):
        """报告。"""
        click.echo(f"{kind} {deadline:%Y-%m-%d} {copies}")

    return group


@pytest.mark.parametrize("args, expected", [
    (["report", "--kind", "月报"], "选项 --kind：“月报”不是可选的值，请从 年报、季报 中选一个"),
    (["report", "--kind", "年报", "--deadline", "10月8日"], "选项 --deadline：“10月8日”不是日期，请写成 2022-10-08 这样"),
    (["report", "--kind", "年报", "--copies", "两"], "选项 --copies：“两”不是整数"),
    (["report", "--kind", "年报", "没有这个文件.xlsx"], "找不到文件“没有这个文件.xlsx”"),
    (["report"], "缺少必需的选项 --kind"),
])
def test_a_command_added_later_with_clicks_own_types_is_chinese_too(args, expected):
    result = CliRunner().invoke(_later_group(), args, prog_name="wjexcel")
    assert result.exit_code == 2, result.output
    assert f"错误：{expected}" in result.output
    assert english_of_click(result.output) == [], result.output


def test_help_of_a_command_added_later():
    out = CliRunner().invoke(_later_group(), ["report", "-h"], prog_name="wjexcel").output
    assert out.splitlines()[0] == "用法：wjexcel report [选项] [文件]"
    assert re.search(r"--kind \[年报\|季报\] +种类  \[必填\]", out), out
    assert "截止日期  [默认：2022-10-08]" in out and "份数  [默认：2]" in out
    assert english_of_click(out) == [], out
    assert CliRunner().invoke(_later_group(), ["report", "--kind", "季报"]).output == "季报 2022-10-08 2\n"


def test_importing_the_module_changes_no_other_program_of_click():
    """A plain click command in the same process still speaks click's English."""

    @click.command()
    @click.option("--name", required=True)
    def plain(name):
        pass

    assert clihelp.Formatter is not click.Context.formatter_class
    result = CliRunner().invoke(plain, ["--help"])
    assert "Usage:" in result.output and "[required]" in result.output
    assert "Missing option" in CliRunner().invoke(plain, []).output


def test_a_clerk_answering_in_chinese_is_understood(workspace):
    """Regenerating asks first; 是 and 否 are answers, not 'Error: invalid input'."""
    from wjexcel.forms.outbox import generate_forms

    generate_forms(workspace, "2022")
    kept = CliRunner().invoke(cli, ["generate", "-p", "2022", "-w", str(workspace.root)], input="否\n")
    assert kept.exit_code == 0 and "已取消，原有填报表保持不变。" in kept.output
    again = CliRunner().invoke(cli, ["generate", "-p", "2022", "-w", str(workspace.root)], input="好\n是\n")
    assert again.exit_code == 0, again.output
    assert "请输入 y（是）或 n（否）" in again.output and "已取消" not in again.output
    assert english_of_click(again.output) == []
