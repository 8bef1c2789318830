"""Shared fixtures for tests that drive real programs."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import openpyxl
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

    The package's own converter (``wjexcel.collect.office.convert``) with one private profile for
    the session, so it neither touches nor waits for a user's LibreOffice.
    """
    from wjexcel.collect.office import convert as office_convert

    profile = tmp_path_factory.mktemp("lo_profile")

    def convert(files, fmt: str, outdir) -> list[Path]:
        return office_convert(files, fmt, outdir, profile_dir=profile)

    return convert


@pytest.fixture(scope="session")
def xlsx_bomb(tmp_path_factory) -> Path:
    """A ~2 MB xlsx whose first sheet inflates to 1 GiB (streamed, never on disk)."""
    folder = tmp_path_factory.mktemp("bomb")
    plain = folder / "plain.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "表头"
    wb.save(plain)
    bomb = folder / "bomb.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info.filename, src.read(info))
        with out.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            block = b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>' * 16384
            for _ in range(1024 * 1024 * 1024 // len(block) + 1):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    plain.unlink()
    return bomb


@pytest.fixture
def encrypted_xlsx(tmp_path) -> Path:
    """An xlsx encrypted with password 1234, as Excel's 用密码进行加密 makes it."""
    from msoffcrypto.format.ooxml import OOXMLFile  # test extra only

    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    locked = tmp_path / "locked.xlsx"
    with open(plain, "rb") as src, open(locked, "wb") as out:
        OOXMLFile(src).encrypt("1234", out)
    plain.unlink()
    return locked
