"""Commands on the workspace itself: init, console, restore, unlock, and the demo."""

from __future__ import annotations

import click

from wjexcel.cli import help as clihelp
from wjexcel.cli.common import _open_ws, _progress, _workspace_option, cli
from wjexcel.errors import WjexcelError


# --- workspace ---------------------------------------------------------------------------
@cli.command()
@click.argument("folder", type=click.Path(file_okay=False))
def init(folder):
    """创建工作区：计划.xlsx、分发/、收回/、汇总/、控制台和双击启动文件。

    已有的计划、密钥和收到的文件不会被覆盖。

    \b
    示例：wjexcel init D:\\科技创新填报
    """
    from wjexcel.cycle import new_workspace, suggested_period
    from wjexcel.plan.workbook import workspace_plan

    made = new_workspace(folder)  # a console that cannot be written does not fail init
    ws, written = made.ws, made.console
    if made.console_problem:
        click.echo(f"提示：控制台工作簿未写出：{made.console_problem}", err=True)
    click.echo(f"工作区已就绪：{ws.root}")
    click.echo(f"  计划：{ws.plan_file.name}（可在 Excel 中修改目标、增加区镇）")
    try:
        period = suggested_period(workspace_plan(ws))
    except WjexcelError:  # a plan left with errors: `plan check` says which
        period = suggested_period(None)
    click.echo(f"  下一步：wjexcel generate -w \"{ws.root}\" -p {period}")
    if written:
        click.echo(f"  控制台和双击启动文件：{'、'.join(p.name for p in written)}")


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
