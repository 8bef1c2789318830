"""LibreOffice helper for tests: convert (re-save, print) many files per soffice start.

Every call uses a private profile (``-env:UserInstallation``), so it never touches or waits
for a user's LibreOffice, and runs in its own process group, so a hung soffice is killed
with everything it started. Starting soffice takes seconds: pass many files per call.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

FILTERS = {
    "xlsx": "xlsx:Calc MS Excel 2007 XML",
    "xls": "xls:MS Excel 97",
    "pdf": "pdf:calc_pdf_Export",
    "ods": "ods",
}
_PROFILE = Path(tempfile.gettempdir()) / f"wjx_lo_tests_{os.getpid()}"


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(files, fmt: str, outdir, *, timeout: int = 300) -> list[Path]:
    """Convert ``files`` to ``fmt`` (``xlsx``, ``xls``, ``pdf``, ``ods`` or a full filter) in one run.

    Returns the output paths, in the order of ``files`` (each ``<outdir>/<stem>.<ext>``).
    """
    exe = soffice_path()
    if exe is None:
        raise RuntimeError("soffice not found")
    files = [Path(f) for f in files]
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    args = [exe, f"-env:UserInstallation={_PROFILE.as_uri()}", "--headless", "--norestore", "--nologo",
            "--convert-to", FILTERS.get(fmt, fmt), "--outdir", str(outdir), *map(str, files)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    ext = fmt.split(":")[0]
    outputs = [outdir / f"{f.stem}.{ext}" for f in files]
    missing = [p.name for p in outputs if not p.exists()]
    if missing:
        raise RuntimeError(f"soffice did not produce {missing}: {err.decode(errors='replace')[-500:]}")
    return outputs
