"""The ``wjexcel`` command: a thin click skin over the library.

Each command parses options, calls one public function, and renders its result. Heavy
modules (openpyxl, pandas) are imported inside the commands, so ``wjexcel --help`` and
the Excel buttons start fast. Errors reach the clerk as one Chinese line (exit 1; wrong
usage exit 2); only ``--debug`` shows a traceback. The library's diagnostics go to a debug
log (:mod:`wjexcel.logs`), and whatever a library prints while it works is kept off stdout,
so ``--json`` output is nothing but JSON. An unexpected error is said as every front end says
it (:func:`wjexcel.cycle.actions.clerk_message`).

The group and what the commands share are in :mod:`~wjexcel.cli.common`, the commands in
``workspace_commands``, ``plan_commands`` and ``cycle_commands``, click in Chinese in
:mod:`~wjexcel.cli.help`. Only ``wjexcel/__main__.py`` (and the ``wjexcel`` console script)
imports this package.
"""

from __future__ import annotations

import logging
import sys

import click

from wjexcel import logs
from wjexcel.cli import cycle_commands, plan_commands, workspace_commands  # noqa: F401 - they add the commands to the group
from wjexcel.cli import help as clihelp
from wjexcel.cli.common import cli
from wjexcel.cycle.actions import clerk_message, force_utf8, record_error
from wjexcel.errors import UsageError, WjexcelError

log = logging.getLogger(__name__)
DEBUG_HINT = "（加 --debug 重新运行可在屏幕上看到详情）"


def main(argv=None) -> None:
    """Run the CLI; turn every error into one Chinese line and the right exit code."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    force_utf8()
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
        recorded = record_error(exc, doing="wjexcel " + " ".join(argv if argv is not None else sys.argv[1:]))
        click.echo(f"错误：{clerk_message(exc, recorded, hint=DEBUG_HINT)}", err=True)
        sys.exit(1)


def _log_unraisable(unraisable) -> None:
    """An error Python cannot raise (a half-written zip's ``ZipFile.__del__`` on a full disk)
    goes to the debug log, never to the clerk's screen as a traceback."""
    log.warning("ignored in %r: %s", unraisable.object, unraisable.exc_value,
                exc_info=(unraisable.exc_type, unraisable.exc_value, unraisable.exc_traceback))
