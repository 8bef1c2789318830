"""Where wjexcel's own diagnostics go: a debug log file, never the clerk's screen.

Modules log with ``logging.getLogger(__name__)``; the package's logger has a
:class:`logging.NullHandler`, so a library caller (the Excel buttons, a script) never
sees Python's last-resort output on stderr (see ``wjexcel/__init__.py``). The command
line calls :func:`configure`: everything is written to ``debug.log`` (in ``.wjexcel/logs``
once a workspace is known, else in the system's temporary folder), and to stderr only
under ``--debug``.

A library that prints to stdout (openpyxl does, on some damaged files) must not break
``--json``: :func:`library_output_to_log` sends whatever is written to stdout while
the library works, by Python or at the file-descriptor level, to the log instead; and
:func:`warnings_to_log` does the same for the warnings a library raises (openpyxl's
"Data Validation extension is not supported" on a form saved by Excel).
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
import sys
import tempfile
import warnings
from contextlib import contextmanager, redirect_stdout
from pathlib import Path

LOGGER = "wjexcel"
LOG_FOLDER = "logs"
"""Inside the workspace's state folder; the Excel buttons record their errors in the same log."""
LOG_FILE = "debug.log"
MAX_LOG_BYTES = 1024 * 1024
"""One log file's size before it is rotated (one older file is kept): the log stays bounded."""
FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"

log = logging.getLogger(__name__)

_file_handler: logging.Handler | None = None


def configure(debug: bool = False) -> None:
    """Send the package's log to the fallback log file, and to stderr when ``debug``.

    Called once by the command line before anything runs; :func:`use_folder` moves the
    file into a workspace once one is opened.
    """
    logging.raiseExceptions = False  # a log that cannot be written must not print a traceback
    root = logging.getLogger(LOGGER)
    root.setLevel(logging.DEBUG)
    for handler in [h for h in root.handlers if getattr(h, "_wjexcel", False)]:
        root.removeHandler(handler)
        handler.close()
    if debug:
        screen = logging.StreamHandler(sys.stderr)
        screen.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        screen._wjexcel = True
        root.addHandler(screen)
    use_folder(temp_folder())


def temp_folder() -> Path:
    """Where the log goes before a workspace is known (or when it has none)."""
    return Path(tempfile.gettempdir()) / "wjexcel"


def use_folder(folder: Path) -> None:
    """Write the debug log to ``folder/debug.log`` from now on (created when first written)."""
    global _file_handler
    root = logging.getLogger(LOGGER)
    path = Path(folder) / LOG_FILE
    if _file_handler is not None:
        if Path(_file_handler.baseFilename) == path.resolve():
            return
        root.removeHandler(_file_handler)
        _file_handler.close()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        _file_handler = None
        return
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_LOG_BYTES, backupCount=1,
                                                   encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler._wjexcel = True
    root.addHandler(handler)
    _file_handler = handler


def log_path() -> Path | None:
    """The debug log file in use, if any (for messages that tell the clerk where it is)."""
    return Path(_file_handler.baseFilename) if _file_handler is not None else None


@contextmanager
def library_output_to_log():
    """Everything written to stdout inside the block goes to the debug log, not the screen.

    Python-level writes are caught by replacing ``sys.stdout``; writes by native code or a
    child process inheriting the descriptor by pointing descriptor 1 at a temporary file.
    """
    try:
        sys.stdout.flush()
    except (AttributeError, OSError, ValueError):
        pass
    saved = _dup_stdout()
    sink = tempfile.TemporaryFile() if saved is not None else None
    if sink is not None:
        os.dup2(sink.fileno(), 1)
    text = io.StringIO()
    try:
        with redirect_stdout(text):
            yield
    finally:
        if sink is not None:
            os.dup2(saved, 1)
            os.close(saved)
            sink.seek(0)
            native = sink.read().decode("utf-8", "replace")
            sink.close()
        else:
            native = ""
        written = text.getvalue() + native
        if written.strip():
            log.warning("output of a library, kept off stdout: %s", written[:4000])


@contextmanager
def warnings_to_log():
    """Warnings shown while the block runs go to the debug log instead of stderr.

    For the command line's entry point only: the filters stay as they are, and the previous
    way of showing warnings is back when the block ends.
    """
    with warnings.catch_warnings():
        warnings.showwarning = _log_warning
        yield


def _log_warning(message, category, filename, lineno, file=None, line=None) -> None:
    log.warning("%s (%s:%s): %s", category.__name__, filename, lineno, message)


def _dup_stdout() -> int | None:
    """A copy of descriptor 1, or None where there is none (a GUI process on Windows)."""
    try:
        return os.dup(1)
    except OSError:
        return None
