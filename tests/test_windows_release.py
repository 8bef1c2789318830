"""The Windows release, built here and run under Wine as a clerk on a Chinese PC would use it.

One session builds the zip (``scripts/build_windows.py``, which downloads from the package
index), unpacks it into a folder whose name has Chinese characters and a space, and starts
one Wine prefix in the zh_CN.UTF-8 locale (the code page of a Chinese Windows). The tests
then double-click what a clerk double-clicks: ``新建工作区.bat``, the workspace's launchers
(a typed period, then Enter alone), ``wjexcel.bat`` and ``演示.bat``, and move the folders
about the way a USB drive does.

Wine 8.0 (Debian 12) lacks two things every Windows 10 has; the workarounds live here only,
never in the product:

* ``ucrtbase.crealf``, which numpy 2 calls while it is imported: the unpacked copy gets
  numpy < 2 instead of the shipped numpy, with pandas < 3 (pandas 3 requires numpy 2) and
  pytz (which pandas 2 requires);
* ``bcryptprimitives.dll`` (``ProcessPrng``), which python-calamine's Rust runtime imports:
  a stand-in, compiled here with mingw-w64 around ``RtlGenRandom``, goes into the prefix.

And two Wine quirks that a real console does not have: Python's standard streams must be
pipes (a regular file or /dev/null as a standard handle makes its start fail with WinError
6), and Wine's cmd decodes a .bat in the ANSI code page (GBK) whatever ``chcp`` says, so the
Chinese that a .bat echoes itself comes out garbled; what Python prints (UTF-8) does not.
Assertions therefore read Python's output, exit codes and files.

Without Wine (or the zh_CN locale, or mingw-w64) the Wine tests skip; with
``WJEXCEL_REQUIRE_WINE=1`` (CI) they fail instead. The build alone needs osslsigncode.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import wjexcel

ROOT = Path(__file__).resolve().parent.parent
REQUIRE = os.environ.get("WJEXCEL_REQUIRE_WINE") == "1"
TIMEOUT = 900  # seconds: a guard against a hung Wine process, never an assertion
RELEASE = f"wjexcel-{wjexcel.__version__}-win64"
CHINESE_FOLDER = "测试 目录"
LAUNCHER_PYTHON = r'set "PY=%~dp0..\python\python.exe"'

STAND_IN_PRNG = r"""
#include <windows.h>
#include <ntsecapi.h>
/* Wine 8.0 has no bcryptprimitives.dll; Windows 8 and later export ProcessPrng from it. */
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size)
{
    while (size) {
        ULONG chunk = size > 0x40000000 ? 0x40000000 : (ULONG)size;
        if (!RtlGenRandom(data, chunk)) return FALSE;
        data += chunk;
        size -= chunk;
    }
    return TRUE;
}
"""

IMPORTS = r"""
import importlib, io, pkgutil, sys
import wjexcel
ours = [m.name for m in pkgutil.walk_packages(wjexcel.__path__, "wjexcel.") if not m.name.endswith("__main__")]
theirs = ["openpyxl", "xlsxwriter", "click", "defusedxml", "olefile", "sqlite3", "python_calamine",
          "win32api", "win32com.client", "pythoncom", "pywintypes", "numpy", "pandas", "xlwings"]
for name in ours + theirs:
    importlib.import_module(name)
import python_calamine, xlsxwriter, xlwings
buffer = io.BytesIO()
book = xlsxwriter.Workbook(buffer, {"in_memory": True})
book.add_worksheet("指标填报").write(0, 0, "期间")
book.close()
buffer.seek(0)
rows = python_calamine.CalamineWorkbook.from_filelike(buffer).get_sheet_by_name("指标填报").to_python()
assert rows == [["期间"]], rows
print("IMPORTED", len(ours), len(theirs), sys.version.split()[0], xlwings.__version__)
"""


def unavailable(reason: str):
    if REQUIRE:
        pytest.fail(f"WJEXCEL_REQUIRE_WINE=1 but {reason}")
    pytest.skip(reason)


def windows_path(path: Path) -> str:
    return "Z:" + str(path).replace("/", "\\")


# --- the build ---------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def release_zip(tmp_path_factory) -> Path:
    """The zip, built once per session by the real script."""
    if not shutil.which("osslsigncode"):
        unavailable("osslsigncode (needed to build the Windows release) is not installed")
    out = tmp_path_factory.mktemp("dist")
    script = ROOT / "scripts" / "build_windows.py"
    done = subprocess.run([sys.executable, str(script), "--out", str(out), "--python", "3.11"],
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr
    print(done.stdout)
    return out / f"{RELEASE}.zip"


def test_the_zip_holds_the_release(release_zip):
    with zipfile.ZipFile(release_zip) as archive:
        names = set(archive.namelist())
        pth = archive.read(f"{RELEASE}/python/python311._pth").decode("utf-8").splitlines()
        requirements = archive.read(f"{RELEASE}/python/wjexcel-requirements.txt").decode("utf-8")
        infos = {i.filename: i for i in archive.infolist()}
    top = {n.split("/")[1] for n in names if n.count("/") == 1}
    assert top == {"新建工作区.bat", "演示.bat", "wjexcel.bat", "使用说明.txt"}
    assert all(n.startswith(f"{RELEASE}/") for n in names)  # one folder when unpacked
    assert infos[f"{RELEASE}/新建工作区.bat"].flag_bits & 0x800  # names marked UTF-8
    assert "import site" in pth and "#import site" not in pth
    site = f"{RELEASE}/python/Lib/site-packages/"
    for needed in ("wjexcel/__main__.py", "xlwings/quickstart_standalone.xlsm", "win32com/client/__init__.py",
                   "pywin32_system32/pywintypes311.dll", "pywin32.pth", "python_calamine/__init__.py",
                   "openpyxl/__init__.py", "pandas/__init__.py", "numpy/__init__.py", "click/__init__.py"):
        assert site + needed in names, needed
    assert any(n.startswith(site + f"wjexcel-{wjexcel.__version__}.dist-info/") for n in names)
    assert not any(n.startswith(site + "bin/") for n in names)
    assert "pywin32==" in requirements and "xlwings==0.37.8" in requirements and "--hash=sha256:" in requirements
    assert f"{RELEASE}/python/python.exe" in names and f"{RELEASE}/python/python311.dll" in names


# --- Wine --------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def wine(tmp_path_factory) -> dict:
    """The environment of one Wine prefix (zh_CN.UTF-8, Windows 10, the stand-in DLL)."""
    if not shutil.which("wine"):
        unavailable("Wine is not installed")
    locales = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.lower().split()
    if "zh_cn.utf8" not in locales:
        unavailable("the zh_CN.UTF-8 locale is not generated (locale-gen)")
    compiler = shutil.which("x86_64-w64-mingw32-gcc")
    if not compiler:
        unavailable("mingw-w64 (x86_64-w64-mingw32-gcc) is not installed")
    prefix = tmp_path_factory.mktemp("wineprefix")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(WINEPREFIX=str(prefix), WINEDEBUG="-all", LANG="zh_CN.UTF-8", LC_ALL="zh_CN.UTF-8",
               WINEDLLOVERRIDES="mscoree=;mshtml=")  # no Mono or Gecko installer
    subprocess.run(["wineboot", "-i"], env=env, input=b"", capture_output=True, timeout=TIMEOUT, check=True)
    subprocess.run(["wine", "reg", "add", r"HKCU\Software\Wine", "/v", "Version", "/d", "win10", "/f"],
                   env=env, input=b"", capture_output=True, timeout=TIMEOUT, check=True)
    source = prefix / "prng.c"
    source.write_text(STAND_IN_PRNG, encoding="ascii")
    subprocess.run([compiler, "-O2", "-shared", "-s", "-o",
                    str(prefix / "drive_c" / "windows" / "system32" / "bcryptprimitives.dll"),
                    str(source), "-ladvapi32"], check=True, capture_output=True, timeout=TIMEOUT)
    yield env
    subprocess.run(["wineserver", "-k"], env=env, capture_output=True, timeout=TIMEOUT)


def run_wine(wine: dict, args: list[str], cwd: Path, typed: str = "", **env: str) -> tuple[int, str]:
    """Run a Windows program; ``typed`` is what the keyboard sends. Returns (exit code, output)."""
    done = subprocess.run(["wine", *args], cwd=cwd, env={**wine, **env}, input=typed.encode("ascii"),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT)
    return done.returncode, done.stdout.decode("utf-8", errors="replace")


def double_click(wine: dict, bat: Path, typed: str = "", *dropped: str) -> tuple[int, str]:
    """What a double-click does: cmd runs the .bat in its folder; Enter ends every answer."""
    return run_wine(wine, ["cmd", "/c", bat.name, *dropped], bat.parent, typed)


def unpack(release_zip: Path, parent: Path) -> Path:
    """Unpack the release under ``parent``, with Wine's numpy/pandas workaround."""
    parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(release_zip) as archive:
        archive.extractall(parent)
    site = parent / RELEASE / "python" / "Lib" / "site-packages"
    for path in site.iterdir():
        if path.name.split("-")[0].split(".")[0] in ("numpy", "pandas"):
            shutil.rmtree(path)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile",
                    "--only-binary", ":all:", "--platform", "win_amd64", "--python-version", "3.11",
                    "--implementation", "cp", "--target", str(site), "numpy<2", "pandas<3", "pytz"],
                   check=True, capture_output=True, timeout=TIMEOUT)
    shutil.rmtree(site / "bin", ignore_errors=True)
    return parent / RELEASE


@pytest.fixture(scope="session")
def release(release_zip, wine, tmp_path_factory) -> Path:
    return unpack(release_zip, tmp_path_factory.mktemp("wine") / CHINESE_FOLDER)


@pytest.fixture(scope="session")
def workspace(release, wine) -> tuple[Path, str]:
    """新建工作区.bat double-clicked, Enter pressed: (the workspace, what the window showed)."""
    code, out = double_click(wine, release / "新建工作区.bat", "\r\n\r\n")
    assert code == 0, out
    return release / "工作区", out


@pytest.mark.wine
def test_the_interpreter_imports_everything_the_tool_loads(release, wine):
    code, out = run_wine(wine, [str(release / "python" / "python.exe"), "-c", IMPORTS], release)
    assert code == 0, out
    assert "IMPORTED" in out and " 3.11." in out and "0.37.8" in out


@pytest.mark.wine
def test_wjexcel_bat_is_the_command_line(release, wine):
    code, out = run_wine(wine, ["cmd", "/c", "wjexcel.bat", "--version"], release)
    assert (code, out.strip()) == (0, f"wjexcel {wjexcel.__version__}")
    code, out = run_wine(wine, ["cmd", "/c", "wjexcel.bat", "status", "-p", "2099", "-w", "无此目录"], release)
    assert code == 1 and "不是 wjexcel 工作区" in out


@pytest.mark.wine
def test_new_workspace_bat_makes_a_workspace_beside_it(workspace):
    root, out = workspace
    assert f"已新建工作区：{windows_path(root)}" in out
    for name in ("计划.xlsx", "控制台.xlsm", "控制台.py", "一键汇总.bat", "生成填报表.bat", "查看报送情况.bat"):
        assert (root / name).is_file(), name
    launcher = (root / "生成填报表.bat").read_bytes().decode("utf-8").split("\r\n")
    assert LAUNCHER_PYTHON in launcher  # the bundled Python, relative to the workspace


@pytest.mark.wine
def test_a_launcher_with_a_typed_period_then_with_enter_alone(workspace, wine):
    root, _ = workspace
    code, out = double_click(wine, root / "生成填报表.bat", "2022Q3\r\n\r\n")
    assert code == 0, out
    assert len(list((root / "分发" / "2022Q3").rglob("*.xlsx"))) >= 19
    assert (root / ".wjexcel" / "last_period.txt").read_bytes() == b"2022Q3\r\n"
    code, out = double_click(wine, root / "查看报送情况.bat", "\r\n\r\n")
    assert code == 0, out
    assert "直接按回车键，使用上次的期间 2022Q3。" in out and "无法识别" not in out
    assert "2022年第三季度" in out and "未报送" in out


@pytest.mark.wine
def test_returned_forms_are_collected(workspace, wine, release):
    root, _ = workspace
    forms = sorted(p for p in (root / "分发" / "2022Q3").glob("2022Q3_*.xlsx"))
    assert len(forms) >= 18
    from wjexcel.demo.fill import fill_form
    from wjexcel.plan.builtin import builtin_plan

    typed = {i.name: 1 for i in builtin_plan().indicators}  # a form with nothing typed would be returned
    for form in forms:
        fill_form(form, root / "收回" / form.name, typed)
    # Read by two worker processes, started as Windows starts them (a fresh python.exe each).
    code, out = run_wine(wine, ["cmd", "/c", "wjexcel.bat", "collect", "-w", windows_path(root)], release,
                         WJEXCEL_WORKERS="2")
    assert code in (0, 1), out
    log = (root / ".wjexcel" / "logs" / "debug.log").read_text(encoding="utf-8")
    assert "2 worker processes" in log and "working alone" not in log and "doing its job here" not in log
    code, out = run_wine(wine, ["cmd", "/c", "wjexcel.bat", "status", "-p", "2022Q3", "--json",
                                "-w", windows_path(root)], release)
    assert code == 0, out
    assert out.count('"status": "已报送"') == len(forms)


@pytest.mark.wine
def test_the_workspace_survives_a_move_and_a_new_drive_letter_and_is_repaired(release_zip, wine, tmp_path):
    prefix = Path(wine["WINEPREFIX"])
    first = unpack(release_zip, tmp_path / "甲 地")
    code, out = double_click(wine, first / "新建工作区.bat", "\r\n")
    assert code == 0, out
    # The whole folder moves: the absolute path the launchers recorded is gone.
    (tmp_path / "甲 地").rename(tmp_path / "乙 地")
    moved = tmp_path / "乙 地" / RELEASE
    for letter, typed in (("e:", "2022\r\n\r\n"), ("f:", "\r\n\r\n")):  # the USB drive gets another letter
        drive = prefix / "dosdevices" / letter
        drive.symlink_to(tmp_path / "乙 地")
        bat = f"{letter.upper()}\\{RELEASE}\\工作区\\查看报送情况.bat"
        code, out = run_wine(wine, ["cmd", "/c", bat], tmp_path, typed)
        drive.unlink()
        assert code == 0, out
        assert "2022年" in out and "未报送" in out
    # Only the workspace moves (the release stays): the launcher cannot find Python and says so…
    (moved / "工作区").rename(tmp_path / "乙 地" / "工作区")
    alone = tmp_path / "乙 地" / "工作区"
    code, out = double_click(wine, alone / "查看报送情况.bat", "\r\n\r\n")
    assert code == 1, out
    # It names the Python it last used and the repair (Wine garbles the .bat's own Chinese in places).
    assert f"{RELEASE}\\python\\python.exe" in out and "新建工作区.bat" in out
    # …and 新建工作区.bat, given the workspace (dropped on it), repairs it.
    code, out = double_click(wine, moved / "新建工作区.bat", "", windows_path(alone))
    assert code == 0 and f"已修复工作区：{windows_path(alone)}" in out, out
    code, out = double_click(wine, alone / "查看报送情况.bat", "\r\n\r\n")
    assert code == 0 and "使用上次的期间 2022" in out, out


@pytest.mark.wine
def test_the_demo(release, wine):
    code, out = double_click(wine, release / "演示.bat", "\r\n")
    assert code == 0, out
    assert "2022年第三季度汇总完成" in out
    assert len(list((release / "wjexcel演示" / "汇总").glob("*_2022Q3_汇总_*.xlsx"))) == 1
    assert any((release / "wjexcel演示" / "汇总" / "退回" / "2022Q3").iterdir())
