"""The ``wjexcel`` command: a thin click skin over the library.

Each command parses options, calls one public function, and renders its result. Heavy
modules (openpyxl, pandas) are imported inside the commands, so ``wjexcel --help`` and
the Excel buttons start fast. Errors reach the clerk as one Chinese line (exit 1; wrong
usage exit 2); only ``--debug`` shows a traceback. The library's diagnostics go to a debug
log (:mod:`wjexcel.logs`), and whatever a library prints while it works is kept off stdout,
so ``--json`` output is nothing but JSON.
"""

from __future__ import annotations

import json
import logging
import sys

import click

from wjexcel import __version__, clihelp, logs
from wjexcel.errors import DiskProblem, UsageError, WjexcelError, write_refused

log = logging.getLogger(__name__)

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
_Command, _Group = clihelp.Command, clihelp.Group  # Chinese help and usage errors for every command


def _workspace_option(f):
    return click.option("-w", "--workspace", "workspace", type=click.Path(file_okay=False),
                        default=None, help="工作区文件夹（默认：当前文件夹或其上级中的工作区）")(f)


def _period_option(f):
    return click.option("-p", "--period", required=True, type=clihelp.PERIOD,
                        help="期间：年度 2022、季度 2022Q3 或月份 2022-09")(f)


def _json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（UTF-8，供其他程序读取）")(f)


def _open_ws(path):
    """The workspace, whose state folder then holds the debug log."""
    from wjexcel.workspace import Workspace

    ws = Workspace.open(path)
    logs.use_folder(ws.state / logs.LOG_FOLDER)
    return ws


def _quietly(function, *args, **kwargs):
    """Call the library with its stray stdout output sent to the debug log."""
    with logs.library_output_to_log():
        return function(*args, **kwargs)


def workspace_plan(ws):
    from wjexcel.plan.workbook import workspace_plan as load

    return load(ws)


def _echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _progress(action: str):
    from wjexcel.progress import StderrProgress

    return StderrProgress(action)


@click.group(cls=_Group, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", message="wjexcel %(version)s", help="显示版本并退出")
@click.option("--debug", is_flag=True, help="出错时显示详细的调试信息（Python traceback）")
@click.pass_context
def cli(ctx, debug):
    """wjexcel：行动计划填报表的生成、收集、核对与汇总（Excel/WPS，离线可用）。

    \b
    一个周期的工作：
      wjexcel init 工作区             创建工作区（含内置的吴江区科技创新三年行动计划）
      wjexcel generate -p 2022Q3      生成各区镇、各部门的填报表，发出去
      把收回的文件放进“收回”文件夹
      wjexcel run -p 2022Q3           一键收集并汇总，生成任务分解表（红黄绿灯）
    先试一试：wjexcel demo
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    logs.configure(debug)


# --- workspace ---------------------------------------------------------------------------
@cli.command()
@click.argument("folder", type=click.Path(file_okay=False))
def init(folder):
    """创建工作区：计划.xlsx、分发/、收回/、汇总/、控制台和双击启动文件。

    已有的计划、密钥和收到的文件不会被覆盖。

    \b
    示例：wjexcel init D:\\科技创新填报
    """
    from wjexcel.cycle import init_workspace, suggested_period
    from wjexcel.plan.workbook import workspace_plan

    ws = init_workspace(folder)
    written = _write_console(ws)
    click.echo(f"工作区已就绪：{ws.root}")
    click.echo(f"  计划：{ws.plan_file.name}（可在 Excel 中修改目标、增加区镇）")
    try:
        period = suggested_period(workspace_plan(ws))
    except WjexcelError:  # a plan left with errors: `plan check` says which
        period = suggested_period(None)
    click.echo(f"  下一步：wjexcel generate -w \"{ws.root}\" -p {period}")
    if written:
        click.echo(f"  控制台和双击启动文件：{'、'.join(p.name for p in written)}")


def _write_console(ws):
    """Write the control workbook and launchers; a failure here must not fail init."""
    try:
        from wjexcel.cycle.console import write_console
    except ImportError:
        return []
    try:
        return write_console(ws.root)
    except WjexcelError as exc:
        click.echo(f"提示：控制台工作簿未写出：{exc}", err=True)
        return []


def _refresh_console(ws):
    """控制台.xlsm names the plan in use, which may have been changed since it was written."""
    try:
        from wjexcel.cycle.console import refresh_plan_name
    except ImportError:
        return
    refresh_plan_name(ws.root)


@cli.command()
@_workspace_option
@click.option("--period", "-p", default=None, type=clihelp.PERIOD, help="控制台上预先填好的期间")
def console(workspace, period):
    """（重新）写出 Excel 控制台（控制台.xlsm，按钮）和双击启动文件（.bat）。

    \b
    示例：wjexcel console -w D:\\科技创新填报 -p 2022Q3
    """
    from wjexcel.cycle.console import write_console

    ws = _open_ws(workspace)
    for path in write_console(ws.root, period=period):
        click.echo(f"已写出：{ws.relative(path)}")


# --- plan ----------------------------------------------------------------------------------
@cli.group(cls=_Group)
def plan():
    """查看、导出、检查计划（计划.xlsx）。"""


@plan.command("show")
@_workspace_option
@click.option("-f", "--file", "plan_file", type=click.Path(dir_okay=False, exists=True), default=None,
              help="读取指定的计划工作簿（默认：工作区的计划.xlsx；不在工作区时用内置计划）")
@_json_option
def plan_show(workspace, plan_file, as_json):
    """显示计划：任务、指标、各年目标、填报单位。

    \b
    示例：wjexcel plan show
          wjexcel plan show --json > plan.json
    """
    from wjexcel.plan.view import plan_table

    p = _quietly(_load_plan_for_show, workspace, plan_file)
    if as_json:
        _echo_json(p.to_json())
    else:
        click.echo(plan_table(p))


def _load_plan_for_show(workspace, plan_file):
    from wjexcel.errors import WorkspaceError

    if plan_file:
        from wjexcel.plan.workbook import load_plan

        return load_plan(plan_file)
    try:
        return workspace_plan(_open_ws(workspace))
    except WorkspaceError:
        if workspace:
            raise
        from wjexcel.plan.builtin import builtin_plan

        return builtin_plan()


@plan.command("export")
@click.argument("file", type=click.Path(dir_okay=False))
@_workspace_option
@click.option("--builtin", is_flag=True, help="导出内置的吴江区计划（而不是工作区的计划）")
def plan_export(file, workspace, builtin):
    """把计划写成 Excel 工作簿，便于在 Excel 中修改。

    \b
    示例：wjexcel plan export 计划_新.xlsx --builtin
    """
    from wjexcel.plan.workbook import export_plan

    p = _load_plan_for_show(workspace, None) if not builtin else None
    if p is None:
        from wjexcel.plan.builtin import builtin_plan

        p = builtin_plan()
    export_plan(p, file)
    click.echo(f"已写出计划：{file}")


@plan.command("check")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@_json_option
def plan_check(file, as_json):
    """检查计划工作簿，一次列出全部问题（工作表、单元格）。有错误时退出码为 1。

    \b
    示例：wjexcel plan check 计划.xlsx
    """
    from wjexcel.plan.workbook import check_plan_file

    problems = _quietly(check_plan_file, file)
    if as_json:
        _echo_json([p.as_json() | {"severity": p.severity} for p in problems])
    elif not problems:
        click.echo(f"计划检查通过：{file}")
    else:
        for p in problems:
            click.echo(p.located())
    if any(p.is_error for p in problems):
        if not as_json:
            click.echo(f"共 {len(list(problems))} 个问题，请修改后再检查。", err=True)
        sys.exit(1)


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
    from wjexcel.workspace.ledger import VERDICT_LABELS

    earlier = 0
    for v in result.verdicts:
        if v.unchanged and v.submission_id:
            earlier += 0 if v.container else 1  # recorded by an earlier run: only counted below
            continue
        who = f"{v.reporter} {v.period}" if v.reporter else ""
        mark = ""
        label = ("邮件" if v.note.startswith("邮件") else "压缩包") if v.container else "留待下次" if v.deferred else VERDICT_LABELS.get(v.status, v.status)
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
    from wjexcel.collect.status import period_note, reporting_status, status_text
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


@cli.command()
@_workspace_option
@click.option("--yes", "-y", is_flag=True, help="不再询问，直接恢复")
def restore(workspace, yes):
    """恢复台账：用最近一份完好的自动备份替换工作区台账（台账丢失、变成空文件或损坏时使用）。

    每次收集、生成填报表、汇总之前都会自动备份台账（.wjexcel/backups，保留最近 5 份）。
    恢复时原来的台账改名保留，不会删除；备份之后收到的文件仍在“收回”中，再收集一次即可重新入账。

    \b
    示例：wjexcel restore -w D:\\科技创新填报
    """
    from wjexcel.workspace import backup

    ws = _open_ws(workspace)
    good = backup.latest_good(ws)
    if good is None:
        raise WjexcelError(f"无法恢复：{backup.restore_text(ws)}")
    if not yes:
        click.confirm(f"将用 {backup.taken_at(good):%Y-%m-%d %H:%M:%S} 的备份恢复工作区台账（原台账改名保留），"
                      "确定吗？", abort=True)
    click.echo(backup.restore_ledger(ws).summary_text(ws))


@cli.command()
@_workspace_option
@click.option("--yes", "-y", is_flag=True, help="不再询问，直接解除")
def unlock(workspace, yes):
    """解除工作区锁定：程序被强行关闭、电脑死机后锁定没有自动解除时使用。

    会先显示锁定的是谁；本机上仍在运行的 wjexcel 的锁定不会被解除。请确认没有同事正在使用这个工作区。

    \b
    示例：wjexcel unlock -w D:\\科技创新填报
    """
    from wjexcel.workspace import lock as L

    ws = _open_ws(workspace)
    who = L.current_holder(ws.state)
    if who is not None and not yes:
        click.confirm(f"工作区当前的锁定：{who}。确定没有人在用，要解除吗？", abort=True)
    click.echo(L.unlock(ws.state))


@cli.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False))
def demo(folder):
    """演示：用内置计划跑一遍完整周期（生成、模拟收回、收集、汇总），告诉你去哪里看结果。

    \b
    示例：wjexcel demo
          wjexcel demo D:\\演示
    """
    from wjexcel.demo.run import run_demo

    result = run_demo(folder, progress=_progress("演示"))
    click.echo(result.summary_text())


# --- entry point ------------------------------------------------------------------------------
def main(argv=None) -> None:
    """Run the CLI; turn every error into one Chinese line and the right exit code."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    _force_utf8()
    if not debug:
        sys.unraisablehook = _log_unraisable
    try:
        with logs.warnings_to_log():  # a library's UserWarning is for the debug log, not the clerk
            cli.main(args=argv, prog_name="wjexcel", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("已取消。", err=True)
        sys.exit(1)
    except click.exceptions.UsageError as exc:
        if clihelp.is_bare_group(exc):  # ``wjexcel`` alone: its help, not an error
            click.echo(exc.format_message())
            sys.exit(0)
        clihelp.in_chinese(exc).show()
        sys.exit(2)
    except UsageError as exc:
        click.echo(f"错误：{exc}", err=True)
        sys.exit(2)
    except WjexcelError as exc:
        if debug:
            raise
        click.echo(f"错误：{exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("已中断。", err=True)
        sys.exit(1)
    except Exception as exc:  # the last line of defence: never a traceback for a clerk
        if debug:
            raise
        refused = write_refused(exc) if isinstance(exc, OSError) else None
        if refused:  # a folder that cannot be written (read-only, no permission, disk full)
            log.warning("write refused: %r", exc)
            click.echo(f"错误：{refused}", err=True)
            sys.exit(1)
        log.exception("unexpected error in wjexcel %s", " ".join(argv if argv is not None else sys.argv[1:]))
        where = logs.log_path()
        click.echo("错误：程序内部出错，本次操作没有完成。" + (f"详细情况已记入调试日志“{where}”，" if where else "")
                   + "请把它发给维护人员（加 --debug 重新运行可在屏幕上看到详情）。", err=True)
        sys.exit(1)


def _log_unraisable(unraisable) -> None:
    """An error Python cannot raise (a half-written zip's ``ZipFile.__del__`` on a full disk)
    goes to the debug log, never to the clerk's screen as a traceback."""
    log.warning("ignored in %r: %s", unraisable.object, unraisable.exc_value,
                exc_info=(unraisable.exc_type, unraisable.exc_value, unraisable.exc_traceback))


def _force_utf8() -> None:
    """Chinese output on a Windows console (cp936) or a pipe must not crash."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(encoding="utf-8", errors="replace")
            except (ValueError, OSError):
                pass
