"""The commands of the reporting cycle: generate, drafts, check, collect, status, consolidate, report, run."""

from __future__ import annotations

import sys

import click

from wjexcel.cli import help as clihelp
from wjexcel.cli.common import (_echo_json, _json_option, _open_ws, _period_option, _progress, _quietly,
                                _refresh_console, _workspace_option, _write_console, cli)
from wjexcel.errors import DiskProblem



# --- the cycle -----------------------------------------------------------------------------
@cli.command()
@_workspace_option
@_period_option
@click.option("-y", "--yes", is_flag=True, help="已生成过时不再询问，直接替换（旧表移入“旧版”文件夹，仍然有效）")
@click.option("--deadline", type=click.DateTime(["%Y-%m-%d"]), default=None, metavar="日期",
              help="本期报送截止日期，如 2022-10-10（默认：今天加计划中的“报送期限（天）”）")
def generate(workspace, period, yes, deadline):
    """为每个区镇和责任单位生成本期填报表，另附分发清单、打包好的压缩包和每个单位的邮件草稿。

    \b
    示例：wjexcel generate -p 2022Q3
          wjexcel generate -p 2022Q3 --deadline 2022-10-10
    """
    from wjexcel.errors import FormsExistError
    from wjexcel.forms.outbox import generate_forms

    ws = _open_ws(workspace)
    due = deadline.date() if deadline else None
    try:
        result = generate_forms(ws, period, force=yes, progress=_progress("生成填报表"), deadline=due)
    except FormsExistError as exc:
        click.echo(str(exc))
        if not clihelp.confirm("确定重新生成吗？", default=False):
            click.echo("已取消，原有填报表保持不变。")
            return
        result = generate_forms(ws, period, force=True, progress=_progress("生成填报表"), deadline=due)
    click.echo(result.summary_text())
    _refresh_console(ws)


@cli.command()
@_workspace_option
@_period_option
def drafts(workspace, period):
    """打开本期的邮件草稿文件夹（分发/期间/邮件）：每个单位一封，已附好填报表，双击用 Outlook 打开即可发送。

    \b
    示例：wjexcel drafts -p 2022Q3
    """
    from wjexcel.forms.outbox import open_drafts

    ws = _open_ws(workspace)
    click.echo(open_drafts(ws, period))


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@_workspace_option
@_json_option
def check(files, workspace, as_json):
    """检查填好的填报表（不记录）。在工作区内还会核验签名。有错误时退出码为 1。

    \b
    示例：wjexcel check 七都镇_2022Q3.xlsx
    """
    from wjexcel.collect.check import check_files
    from wjexcel.errors import WorkspaceError

    try:
        _open_ws(workspace)  # only to keep the debug log in the workspace
    except WorkspaceError:
        if workspace:
            raise
    results = _quietly(check_files, files, workspace)
    if as_json:
        _echo_json([r.as_json() for r in results])
    else:
        for r in results:
            click.echo(r.text())
    if any(r.has_errors for r in results):
        sys.exit(1)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@_workspace_option
@_json_option
def collect(paths, workspace, as_json):
    """收集收回的文件（默认“收回”文件夹；也可指定文件、文件夹、压缩包），逐个核对并入账。

    本次有文件被退回时退出码为 1；退回表写入“汇总/退回/期间”。

    \b
    示例：wjexcel collect
          wjexcel collect D:\\邮件附件 --json
    """
    from wjexcel.collect.collector import collect as do_collect

    ws = _open_ws(workspace)
    try:
        result = _quietly(do_collect, ws, list(paths) or None, progress=_progress("收集"))
    except DiskProblem as exc:  # not even begun (the lock file could not be written)
        if as_json:
            _echo_json([])
        click.echo(f"错误：{exc}", err=True)
        sys.exit(1)
    if as_json:
        _echo_json([v.as_json() for v in result.verdicts])
    else:
        _print_verdicts(result)
        click.echo(result.summary_text())
    if result.stopped:  # the clerk's disk or folder: one Chinese line, the JSON above stays JSON
        click.echo(f"错误：{result.stopped}", err=True)
        sys.exit(1)
    if result.new_rejected:
        sys.exit(1)


def _print_verdicts(result) -> None:
    earlier = 0
    for v in result.verdicts:
        if v.unchanged and v.submission_id:
            earlier += 0 if v.container else 1  # recorded by an earlier run: only counted below
            continue
        who = f"{v.reporter} {v.period}" if v.reporter else ""
        mark = ""
        label = ("邮件" if v.note.startswith("邮件") else "压缩包") if v.container else v.status.label
        click.echo(f"[{label}] {v.file} {who}{mark}")
        for p in v.errors:
            click.echo(f"    错误：{p.located(with_file=False)}")
        for p in v.warnings[:5]:
            click.echo(f"    提示：{p.located(with_file=False)}")
        if len(v.warnings) > 5:
            click.echo(f"    ……另有 {len(v.warnings) - 5} 条提示")
        if v.note and not v.errors and not v.deferred:
            click.echo(f"    {v.note}")
    if earlier:
        click.echo(f"（另有 {earlier} 个文件此前已收录，本次无变化；用 wjexcel status 查看报送情况）")


@cli.command()
@_workspace_option
@_period_option
@_json_option
def status(workspace, period, as_json):
    """查看报送情况：已报送、未报送、已退回，并给出可直接发送的催报文字。

    \b
    示例：wjexcel status -p 2022Q3
    """
    from wjexcel.plan.workbook import workspace_plan
    from wjexcel.report.status import period_note, reporting_status, status_text
    from wjexcel.periods import Period

    ws = _open_ws(workspace)
    plan_ = workspace_plan(ws)
    period = Period.parse(period)
    statuses = _quietly(reporting_status, ws, period, plan_)
    if as_json:
        _echo_json([s.as_json() for s in statuses])
        return
    click.echo(status_text(plan_, period, statuses, note=period_note(ws, period, statuses)))


@cli.command()
@_workspace_option
@_period_option
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="输出文件（默认：汇总/<计划简称>_<期间>_汇总_<日期>.xlsx）")
@click.option("--final", is_flag=True,
              help="定稿：把本次汇总表记为报送的版本（文件名带“定稿”，今后不再改动；之后再汇总另存新表并附“更正说明”）")
@_json_option
def consolidate(workspace, period, output, final, as_json):
    """汇总：生成任务分解表（红黄绿灯）、区镇进度、报送情况、问题清单等。

    本期还没有收到任何填报表（也无法从其他期间取数）时不生成汇总表，说明原因，退出码为 1。

    \b
    示例：wjexcel consolidate -p 2022Q3
          wjexcel consolidate -p 2022Q3 --final    （报送领导前定稿）
    """
    from wjexcel.report.consolidate import consolidate as do_consolidate

    ws = _open_ws(workspace)
    result = _quietly(do_consolidate, ws, period, output, progress=_progress("汇总"), final=final)
    if final:
        _rewrite_console_for_final(ws)
    if as_json:
        _echo_json(result.to_json())
    else:
        click.echo(result.summary_text())


def _rewrite_console_for_final(ws) -> None:
    """The control workbook shows which periods are 定稿: write it again where the workspace has one."""
    from wjexcel.cycle.console import WORKBOOK_NAME

    if (ws.root / WORKBOOK_NAME).is_file():
        _write_console(ws)


@cli.command()
@_workspace_option
@_period_option
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="输出文件（默认：汇总/<计划简称>_<期间>_进展情况报告.docx）")
@_json_option
def report(workspace, period, output, as_json):
    """只写出进展情况报告（Word 公文草稿，.docx），不生成汇总表。

    报告按 GB/T 9704 公文格式排版：总体情况、主要指标完成情况、存在问题、下步打算，
    附任务分解表；数字与汇总表一致。报送前请补充灰底的【请补充】段落，核对发文单位和日期。
    汇总（consolidate、run）时也会同时写出这份报告。

    \b
    示例：wjexcel report -p 2022Q3
    """
    from wjexcel.report.consolidate import consolidate as do_consolidate

    ws = _open_ws(workspace)
    result = _quietly(do_consolidate, ws, period, document=output, workbook=False, progress=_progress("进展情况报告"))
    if as_json:
        _echo_json(result.to_json())
    else:
        click.echo("\n".join(result.document_lines()))


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@_workspace_option
@_period_option
def run(paths, workspace, period):
    """一键汇总：收集“收回”文件夹（或指定路径）中的文件，然后生成汇总表。

    汇总表照常生成；本次有文件被退回时退出码为 1（与 collect 相同）。
    本期还没有收到任何填报表时不生成汇总表，说明原因，退出码为 1。

    \b
    示例：wjexcel run -p 2022Q3
    """
    from wjexcel.cycle import run_cycle

    ws = _open_ws(workspace)
    result = _quietly(run_cycle, ws, period, list(paths) or None, progress=_progress("一键汇总"))
    click.echo(result.summary_text())
    _refresh_console(ws)
    if result.collected.new_rejected or result.consolidated is None:
        sys.exit(1)
