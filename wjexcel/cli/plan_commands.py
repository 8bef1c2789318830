"""``wjexcel plan``: show, export and check the plan (计划.xlsx)."""

from __future__ import annotations

import sys

import click

from wjexcel.cli.common import _Group, _echo_json, _json_option, _open_ws, _quietly, _workspace_option, cli



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

    from wjexcel.plan.workbook import load_plan, workspace_plan

    if plan_file:
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
