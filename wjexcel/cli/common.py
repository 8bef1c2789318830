"""What the commands of ``wjexcel`` share: the group, its options, the workspace, quiet calls, JSON."""

from __future__ import annotations

import json
import logging

import click

from wjexcel import __version__, logs
from wjexcel.cli import help as clihelp
from wjexcel.errors import WjexcelError

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
