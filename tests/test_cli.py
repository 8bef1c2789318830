"""The command line: Chinese help with examples, exit codes, JSON contracts, fast start-up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from wjexcel.cli import cli
from wjexcel.plan.workbook import workspace_plan

ROOT = Path(__file__).resolve().parents[1]


def _commands(group=cli, prefix=(), *, groups=False):
    """Every command's words (``("plan", "check")``); with ``groups``, each group's too (``()`` first)."""
    import click

    if groups:
        yield prefix
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, prefix + (name,), groups=groups)
        else:
            yield prefix + (name,)


def run_main(args, cwd=ROOT):
    """Run ``main`` like the console script; return (exit code, stdout, stderr)."""
    proc = subprocess.run([sys.executable, "-m", "wjexcel", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=cwd)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize("command", list(_commands()), ids=lambda c: " ".join(c))
def test_every_command_has_chinese_help_with_an_example(command):
    result = CliRunner().invoke(cli, [*command, "-h"])
    assert result.exit_code == 0, result.output
    assert "用法：" in result.output
    assert "示例" in result.output
    assert "显示帮助并退出" in result.output


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in _commands():
        if command[0] in ("plan", "console", "demo", "consolidate", "collect", "init"):
            continue  # described by their group or their own section below
        assert f"wjexcel {' '.join(command)}" in readme, command
    for word in ("wjexcel demo", "wjexcel init", "wjexcel plan check", "wjexcel run", "wjexcel status"):
        assert word in readme


def test_help_does_not_import_pandas_or_openpyxl():
    code = ("import sys\nfrom wjexcel.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print('LOADED', sorted(m for m in ('pandas', 'openpyxl', 'xlsxwriter', 'xlwings') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT).stdout
    assert "LOADED []" in out


def test_usage_errors_exit_2_in_chinese():
    code, out, err = run_main(["status"])
    assert code == 2
    assert "缺少必需的选项 -p/--period" in err
    code, out, err = run_main(["nosuch"])
    assert code == 2 and "没有命令“nosuch”" in err
    code, out, err = run_main(["status", "-p", "2022年三季度", "-w", str(ROOT)])
    assert code in (1, 2) and "Traceback" not in err


def test_errors_are_one_chinese_line_exit_1(tmp_path):
    code, out, err = run_main(["status", "-p", "2022", "-w", str(tmp_path)])
    assert code == 1
    assert "不是 wjexcel 工作区" in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_bad_period_is_explained(make_workspace):
    ws = make_workspace()
    code, out, err = run_main(["status", "-p", "2022Q5", "-w", str(ws.root)])
    assert code == 2
    assert "期间“2022Q5”无法识别" in err


def test_plan_show_json_contract(tmp_path):
    result = CliRunner().invoke(cli, ["plan", "show", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert set(data) >= {"name", "years", "reporters", "indicators"}
    assert data["years"] == [2021, 2022, 2023]
    kinds = {r["name"]: r["kind"] for r in data["reporters"]}
    assert kinds["七都镇"] == "district" and kinds["统计局"] == "department"
    ind = {i["code"]: i for i in data["indicators"]}
    assert set(ind["4-2"]) >= {"code", "task", "name", "unit", "kind", "parent", "targets", "reporter_targets",
                               "responsible_units", "source_unit"}
    assert ind["4-2"]["targets"]["2021"] == {"value": 1200, "op": ">"}
    assert ind["4-2"]["targets"]["2023"] == {"value": 1600, "op": ">="}
    assert ind["3-2"]["parent"] == "3-1"
    assert ind["6-1"]["targets"]["2022"]["value"] == 3.68
    assert ind["1-1"]["reporter_targets"]["汾湖高新区（黎里镇）"] == {"2021-2023": 6}
    assert ind["6-1"]["source_unit"] == "统计局"
    assert ind["4-2"]["task"] == "高新技术企业扩容计划"


def test_editing_a_target_in_the_plan_workbook_changes_plan_show(make_workspace):
    from openpyxl import load_workbook

    ws = make_workspace()
    before = json.loads(CliRunner().invoke(cli, ["plan", "show", "--json", "-w", str(ws.root)]).output)
    assert {i["code"]: i for i in before["indicators"]}["4-2"]["targets"]["2022"]["value"] == 1400
    wb = load_workbook(ws.plan_file)
    sheet = wb["指标"]
    header = [c.value for c in sheet[1]]
    col = header.index("2022年目标") + 1
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "4-2")
    sheet.cell(row, col).value = 1450
    wb.save(ws.plan_file)
    after = json.loads(CliRunner().invoke(cli, ["plan", "show", "--json", "-w", str(ws.root)]).output)
    assert {i["code"]: i for i in after["indicators"]}["4-2"]["targets"]["2022"]["value"] == 1450
    text = CliRunner().invoke(cli, ["plan", "show", "-w", str(ws.root)]).output
    assert "1450" in text and "有效高新技术企业" in text


def test_plan_check_names_the_cell_of_a_target_typed_as_words(make_workspace):
    from openpyxl import load_workbook

    ws = make_workspace()
    wb = load_workbook(ws.plan_file)
    sheet = wb["指标"]
    header = [c.value for c in sheet[1]]
    col = header.index("2023年目标") + 1
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "2-1")
    sheet.cell(row, col).value = "十家"
    wb.save(ws.plan_file)
    code, out, err = run_main(["plan", "check", str(ws.plan_file)])
    assert code == 1
    assert f"指标 › {sheet.cell(row, col).coordinate}" in out
    assert "十家" in out
    # Every other command refuses the broken plan with a Chinese line, not a traceback.
    code, out, err = run_main(["status", "-p", "2022", "-w", str(ws.root)])
    assert code == 1 and "Traceback" not in err and "计划" in err


def test_init_makes_a_complete_movable_workspace(tmp_path):
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "a")])
    assert result.exit_code == 0, result.output
    root = tmp_path / "a"
    for name in ("计划.xlsx", "分发", "收回", "汇总", ".wjexcel/signing.key", "控制台.xlsm", "一键汇总.bat"):
        assert (root / name).exists(), name
    key = (root / ".wjexcel/signing.key").read_text()
    # init again never replaces the key or the plan
    CliRunner().invoke(cli, ["init", str(root)])
    assert (root / ".wjexcel/signing.key").read_text() == key
    moved = tmp_path / "b"
    root.rename(moved)
    from wjexcel.workspace import Workspace

    ws = Workspace.open(moved / "收回")  # nearest parent that is a workspace
    assert ws.root == moved.resolve()
    assert ws.signing_key() == bytes.fromhex(key)
    assert len(workspace_plan(ws).reporters) == 19


def test_check_a_blank_form_says_what_is_missing(tmp_path, make_workspace, forms_of):
    ws = make_workspace("2022")
    form = forms_of(ws)["七都镇"]
    code, out, err = run_main(["check", str(form), "-w", str(ws.root)])
    assert code == 1, err  # nothing typed at all: collect would return it, so check says so
    assert "签名核验通过" in out
    assert "没有填写任何指标数值" in out and "共 1 处错误" in out
    assert "提示：指标填报 › F" in out  # the same place format as collect
    data = json.loads(CliRunner().invoke(cli, ["check", str(form), "--json", "-w", str(ws.root)]).stdout)
    assert data[0]["blank"] == 15 and data[0]["status"] == "error" and data[0]["reporter"] == "七都镇"
    assert [e["code"] for e in data[0]["errors"]] == ["form.no_values"]
    # Outside a workspace the signature is not checked, and it says so.
    outside = subprocess.run([sys.executable, "-m", "wjexcel", "check", str(form)], capture_output=True,
                             text=True, encoding="utf-8", cwd=tmp_path)
    assert outside.returncode == 1 and "未核验签名" in outside.stdout


def test_run_writes_the_report_and_exits_1_when_a_file_was_returned(make_workspace, forms_of):
    from wjexcel.demo.fill import fill_form
    from wjexcel.periods import Period

    ws = make_workspace("2022Q3")
    form = forms_of(ws)["七都镇"]
    plan = workspace_plan(ws)
    values = {i.code: 5 for i in plan.indicators_for(plan.reporter("七都镇"), Period.parse("2022Q3"))}
    fill_form(form, ws.inbox / "七都镇.xlsx", values, names={i.code: i.name for i in plan.indicators})
    (ws.inbox / "junk.xlsx").write_text("不是表格", encoding="utf-8")
    code, out, err = run_main(["run", "-p", "2022Q3", "-w", str(ws.root)])
    assert code == 1 and "接收 1 个，退回 1 个" in out, out + err
    assert "未报送 17 家" in out and "汇总表：" in out  # 统计局 has no quarterly form
    assert list((ws.root / "汇总").glob("*2022Q3_汇总_*.xlsx"))


def test_a_period_with_nothing_in_says_so_first_and_writes_no_report(make_workspace):
    """No forms generated, or none received: status says so on its first line; consolidate and
    run write no report (there is nothing to report) and exit 1 with the reason."""
    from wjexcel.forms.outbox import generate_forms

    ws = make_workspace()
    code, out, err = run_main(["status", "-p", "2022Q3", "-w", str(ws.root)])
    assert code == 0 and out.splitlines()[0] == "注意：2022年第三季度尚未生成填报表，也没有收到任何报送。"
    code, out, err = run_main(["consolidate", "-p", "2022Q3", "-w", str(ws.root)])
    assert code == 1 and err.strip().splitlines()[-1] == (
        "错误：2022年第三季度尚未生成填报表，也没有收到任何报送。没有可汇总的内容，未写出汇总表；收到填报表后再汇总。")
    generate_forms(ws, "2022Q3")
    code, out, err = run_main(["status", "-p", "2022Q3", "-w", str(ws.root)])
    assert code == 0 and out.splitlines()[0] == "注意：2022年第三季度尚未收到任何报送（已生成填报表 18 份）。"
    code, out, err = run_main(["run", "-p", "2022Q3", "-w", str(ws.root)])
    assert code == 1 and "未写出汇总表" in out and "尚未收到任何报送（已生成填报表 18 份）" in out
    assert not list(ws.reports.glob("*.xlsx"))
    (ws.inbox / "junk.xlsx").write_text("不是表格", encoding="utf-8")  # a file, but not one of this period's
    code, out, err = run_main(["run", "-p", "2022Q3", "-w", str(ws.root)])
    assert code == 1 and "退回 1 个" in out and "junk.xlsx" in out and "未写出汇总表" in out
    assert not list(ws.reports.glob("*.xlsx"))
    code, out, err = run_main(["status", "-p", "2022Q3", "-w", str(ws.root)])  # a file came: not "nothing received"
    assert code == 0 and out.splitlines()[0] == (
        "注意：2022年第三季度尚未收到任何单位的报送（已生成填报表 18 份）；另有 1 个收到的文件认不出是哪家单位的，"
        "已退回，原因见收集结果。")


def test_run_lists_only_the_files_it_returned_now(make_workspace):
    """The summary counts this run's returns; its list must name the same files, not one
    returned by an earlier run that still lies in 收回."""
    ws = make_workspace()
    (ws.inbox / "上次的.xlsx").write_text("不是表格", encoding="utf-8")
    code, out, err = run_main(["run", "-p", "2022Q3", "-w", str(ws.root)])
    assert code == 1 and "退回 1 个" in out and "上次的.xlsx" in out
    (ws.inbox / "这次的.xlsx").write_text("也不是表格", encoding="utf-8")
    code, out, err = run_main(["run", "-p", "2022Q3", "-w", str(ws.root)])
    assert code == 1 and "退回 1 个" in out, out
    returned = next(line for line in out.splitlines() if line.startswith("被退回的文件："))
    assert "这次的.xlsx" in returned and "上次的.xlsx" not in returned


def _unwritable(folder):
    """Make ``folder`` refuse new files (root ignores permissions; the immutable attribute
    stops even root); return the way back."""
    import os

    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
            pytest.skip("cannot make a folder immutable here")
        return lambda: subprocess.run(["chattr", "-i", str(folder)], check=True)
    folder.chmod(0o555)
    return lambda: folder.chmod(0o755)


def test_a_read_only_workspace_says_it_cannot_write(make_workspace):
    """Where the workspace cannot be written, the clerk reads 无法写入（没有写入权限） and the
    folder, never 没有读取权限 or 程序内部出错."""
    ws = make_workspace("2022")
    for folder, args in ((ws.state, ["generate", "-y", "-p", "2022"]),  # the lock file
                         (ws.outbox / "2022", ["generate", "-y", "-p", "2022"]),  # the forms' folder
                         (ws.state, ["collect"])):
        undo = _unwritable(folder)
        try:
            code, out, err = run_main([*args, "-w", str(ws.root)])
        finally:
            undo()
        assert code == 1, err
        assert "无法写入" in err and "没有写入权限" in err and f"“{folder}”" in err, err
        assert "读取" not in err and "内部出错" not in err and len(err.strip().splitlines()) == 1
    fresh = make_workspace(name="新工作区")  # no ledger yet: SQLite cannot create it
    undo = _unwritable(fresh.state)
    try:
        code, out, err = run_main(["status", "-p", "2022", "-w", str(fresh.root)])
    finally:
        undo()
    assert code == 1 and f"无法写入“{fresh.state}”（没有写入权限）" in err and "损坏" not in err, err


def test_an_unexpected_error_is_one_chinese_line_naming_the_log(tmp_path, monkeypatch, capsys):
    """An error that is not wjexcel's own (here the library's generate_forms raising RuntimeError) is one
    line naming the workspace's debug log, which holds the traceback; exit code 1."""
    import wjexcel.forms.outbox
    from wjexcel import logs
    from wjexcel.cli import main
    from wjexcel.cycle import init_workspace

    def broken(*args, **kwargs):
        raise RuntimeError("a bug nobody foresaw")

    ws = init_workspace(tmp_path / "ws")
    monkeypatch.setattr(wjexcel.forms.outbox, "generate_forms", broken)
    monkeypatch.setattr(sys, "unraisablehook", sys.unraisablehook)  # main replaces it
    with pytest.raises(SystemExit) as done:
        main(["generate", "-p", "2022Q3", "-w", str(ws.root)])
    err = capsys.readouterr().err
    log = ws.state / logs.LOG_FOLDER / logs.LOG_FILE
    assert done.value.code == 1
    assert err.strip() == (f"错误：程序内部出错，本次操作没有完成。详细情况已记入调试日志“{log}”，"
                           "请把它发给维护人员（加 --debug 重新运行可在屏幕上看到详情）。")
    text = log.read_text(encoding="utf-8")
    assert "wjexcel generate -p 2022Q3" in text and "Traceback" in text and "RuntimeError: a bug nobody foresaw" in text
