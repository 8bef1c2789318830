"""Shared fixtures for tests that drive real programs."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from datetime import date
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


class WorkspaceTemplates:
    """Workspaces made once per session — ``init``, then the forms of some periods generated —
    and copied whole for every test that asks (each gets its own copy; a template is never
    handed out itself, so no test can change another's start).

    ``copy(dest, *periods, plan=None, reporters=None, deadline=None, edit=None, key="default")``:

    - ``periods``: the periods whose forms are generated (none: a workspace just initialised);
    - ``plan``: the plan the workspace is made with (default: the built-in plan);
    - ``edit``: ``edit(ws)`` changes the workspace's 计划.xlsx (as a person would) before any form
      is generated; a module-level function, so templates can be shared;
    - ``reporters``: the units that get forms — names for every period, or ``{period: names}``
      (default: every unit of the plan);
    - ``deadline``: the 截止日期 recorded for every period generated;
    - ``key``: workspaces made under different labels have different signing keys (a second,
      unrelated workspace); the same label gives the same key.
    """

    def __init__(self, folder: Path):
        self._folder = folder
        self._made: dict[str, tuple[Path, dict]] = {}
        self._forms: dict[Path, dict[str, dict[str, Path]]] = {}

    def copy(self, dest, *periods: str, plan=None, reporters=None, deadline: date | None = None,
             edit=None, key: str = "default"):
        from wjexcel.workspace import Workspace

        template, forms = self._template(periods, plan, reporters, deadline, edit, key)
        dest = Path(dest)
        shutil.copytree(template, dest, symlinks=True)
        root = dest.resolve()
        self._forms[root] = {p: {who: root / rel for who, rel in by.items()} for p, by in forms.items()}
        return Workspace(root)

    def forms(self, ws, period: str | None = None) -> dict[str, Path]:
        """``{reporter: form}`` generated for ``period`` (default: the only period) in a copy."""
        by_period = self._forms[Path(ws.root).resolve()]
        if period is None:
            (period,) = by_period
        return dict(by_period[period])

    def _template(self, periods, plan, reporters, deadline, edit, key):
        units = ({p: sorted(names) for p, names in reporters.items()} if isinstance(reporters, dict)
                 else sorted(reporters) if reporters is not None else None)
        label = json.dumps([periods, plan.to_json() if plan is not None else None, units,
                            deadline and deadline.isoformat(),
                            edit and f"{edit.__module__}.{edit.__qualname__}", key],
                           ensure_ascii=False, sort_keys=True)
        if label not in self._made:
            self._made[label] = self._make(self._folder / f"t{len(self._made)}" / "ws", periods, plan, reporters,
                                           deadline, edit)
        return self._made[label]

    @staticmethod
    def _make(root: Path, periods, plan, reporters, deadline, edit):
        from wjexcel.cycle import init_workspace
        from wjexcel.forms.outbox import generate_forms
        from wjexcel.plan.workbook import workspace_plan

        ws = init_workspace(root, plan)
        if edit is not None:
            edit(ws)
        forms: dict[str, dict[str, str]] = {}
        for period in periods:
            wanted = reporters.get(period) if isinstance(reporters, dict) else reporters
            subset = None
            if wanted is not None:
                subset = workspace_plan(ws)  # the same plan, sending only to these units
                subset.reporters = [r for r in subset.reporters if r.name in wanted]
            done = generate_forms(ws, period, plan=subset, deadline=deadline)
            forms[period] = {f.reporter: str(Path(f.path).relative_to(ws.root)) for f in done.forms}
        return ws.root, forms


@pytest.fixture(scope="session")
def workspace_templates(tmp_path_factory) -> WorkspaceTemplates:
    """The session's :class:`WorkspaceTemplates`; module-scoped fixtures copy from it directly."""
    return WorkspaceTemplates(tmp_path_factory.mktemp("workspace_templates"))


@pytest.fixture
def make_workspace(workspace_templates, tmp_path):
    """``make_workspace(*periods, name="ws", **options) -> Workspace``: a workspace of this test's own
    under ``tmp_path / name``, initialised and with the forms of ``periods`` generated (the options
    of :meth:`WorkspaceTemplates.copy`)."""

    def make(*periods: str, name: str = "ws", **options):
        return workspace_templates.copy(tmp_path / name, *periods, **options)

    return make


@pytest.fixture(scope="session")
def forms_of(workspace_templates):
    """``forms_of(ws, period=None) -> {reporter: form path}`` for a workspace made by the factory."""
    return workspace_templates.forms
