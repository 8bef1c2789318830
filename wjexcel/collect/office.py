"""LibreOffice, when the machine has it: headless conversion of many files in one start.

wjexcel never needs LibreOffice to collect or consolidate; it uses it to turn an old
``.xls`` into an ``.xlsx`` for a 退回 copy and for the user guide's pictures. Each start
costs seconds, so callers pass every file at once, and a private profile keeps it from
touching (or waiting on) the user's own LibreOffice.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from wjexcel.errors import WjexcelError

TIMEOUT_SECONDS = 300


def find_soffice() -> str | None:
    """The LibreOffice executable, or None."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in (r"C:\Program Files\LibreOffice\program\soffice.exe",
                      r"C:\Program Files (x86)\LibreOffice\program\soffice.exe"):
        if os.path.exists(candidate):
            return candidate
    return None


FILTERS = {
    "xlsx": "xlsx:Calc MS Excel 2007 XML",
    "xls": "xls:MS Excel 97",
    "pdf": "pdf:calc_pdf_Export",
}


def convert(files, fmt: str, outdir, *, profile_dir=None, timeout: float = TIMEOUT_SECONDS) -> list[Path]:
    """Convert ``files`` to ``fmt`` (``xlsx``, ``xls``, ``pdf``, ``ods`` or a full filter) into ``outdir``.

    One LibreOffice start for all files. Returns the converted paths in the order of
    ``files``; raises WjexcelError when LibreOffice is missing, hangs (it is killed with
    everything it started), or produces nothing for a file.
    """
    soffice = find_soffice()
    if soffice is None:
        raise WjexcelError("本机没有安装 LibreOffice，无法转换文件格式。")
    files = [Path(f).resolve() for f in files]
    outdir = Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    own_profile = profile_dir is None
    profile = Path(profile_dir or tempfile.mkdtemp(prefix="wjx_lo_profile_"))
    cmd = [soffice, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--norestore",
           "--nolockcheck", "--nologo", "--convert-to", FILTERS.get(fmt, fmt), "--outdir", str(outdir),
           *map(str, files)]
    try:
        _run(cmd, timeout)
    finally:
        if own_profile:
            shutil.rmtree(profile, ignore_errors=True)
    ext = fmt.split(":")[0]
    out = [outdir / f"{f.stem}.{ext}" for f in files]
    missing = [p.name for p in out if not p.exists()]
    if missing:
        raise WjexcelError(f"LibreOffice 未能转换：{'、'.join(missing)}")
    return out


def _run(cmd: list[str], timeout: float) -> None:
    """Run soffice in its own process group so a hang is killed with all it started."""
    posix = os.name == "posix"
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                            start_new_session=posix)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        if posix:
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            proc.kill()
        proc.wait()
        raise WjexcelError(f"LibreOffice 转换超时（{timeout:.0f} 秒），已中止。") from exc
