"""Write a file so that a failure never destroys the one already there.

openpyxl and XlsxWriter truncate their target before writing: a crash or a full disk
half-way would leave a broken workbook where a good one was. Every output of wjexcel
is written to a temporary file in the same folder, re-opened to verify it, given
ordinary permissions and only then moved over the old one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def replace_file(target, build: Callable[[Path], None], verify: Callable[[Path], None] | None = None) -> Path:
    """Build ``target`` via ``build(tmp_path)``, ``verify(tmp_path)``, then move it into place.

    Exceptions from ``build``/``verify`` and from the final move (``PermissionError`` when
    the target is open in Excel/WPS on Windows) propagate; the temporary file is always
    removed and the old target is untouched unless the move succeeded.
    """
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    fd, name = tempfile.mkstemp(prefix=".~wjx_", suffix=target.suffix, dir=folder)
    os.close(fd)
    tmp = Path(name)
    try:
        build(tmp)
        if verify is not None:
            verify(tmp)
        os.chmod(tmp, _umask_mode())  # mkstemp makes 0600; outputs are ordinary files
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
