"""Shared fixtures for tests that drive real programs."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def soffice() -> str:
    """Path of LibreOffice's soffice; skips, or fails when WJEXCEL_REQUIRE_SOFFICE=1."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        if os.environ.get("WJEXCEL_REQUIRE_SOFFICE") == "1":
            pytest.fail("WJEXCEL_REQUIRE_SOFFICE=1 but LibreOffice (soffice) is not on PATH")
        pytest.skip("LibreOffice (soffice) is not installed")
    return exe


@pytest.fixture(scope="session")
def soffice_convert(soffice, tmp_path_factory):
    """``convert(files, fmt, outdir) -> [Path]``: one headless soffice call for many files.

    Uses a private profile so it neither touches nor waits for a user's LibreOffice.
    """
    profile = tmp_path_factory.mktemp("lo_profile")

    def convert(files, fmt: str, outdir) -> list[Path]:
        outdir = Path(outdir)
        files = [Path(f) for f in files]
        subprocess.run(
            [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
             "--convert-to", fmt, "--outdir", str(outdir), *map(str, files)],
            check=True, capture_output=True, timeout=300,
        )
        ext = fmt.split(":")[0]
        outputs = [outdir / f"{f.stem}.{ext}" for f in files]
        missing = [p.name for p in outputs if not p.exists()]
        assert not missing, f"soffice did not produce {missing}"
        return outputs

    return convert
