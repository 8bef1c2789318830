import shutil
import zipfile

import openpyxl
import pytest

from wjexcel import filetypes
from wjexcel.filetypes import sniff


@pytest.fixture
def xlsx(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "填报单位"
    path = tmp_path / "form.xlsx"
    wb.save(path)
    return path


def test_xlsx_is_found_by_content_whatever_the_name(xlsx, tmp_path):
    for name in ("form.xls", "form.et", "form.txt", "form"):
        renamed = tmp_path / name
        shutil.copy(xlsx, renamed)
        kind = sniff(renamed)
        assert (kind.kind, kind.readable) == (filetypes.XLSX, True)


def test_xlsm_by_vba_part(xlsx, tmp_path):
    xlsm = tmp_path / "macro.xlsx"
    with zipfile.ZipFile(xlsx) as src, zipfile.ZipFile(xlsm, "w") as out:
        for info in src.infolist():
            out.writestr(info, src.read(info))
        out.writestr("xl/vbaProject.bin", b"\x00" * 32)
    assert sniff(xlsm).kind == filetypes.XLSM


def test_encrypted_xlsx(encrypted_xlsx):
    kind = sniff(encrypted_xlsx)
    assert kind.kind == filetypes.ENCRYPTED and not kind.readable
    assert kind.message == "文件已加密，请取消密码后另存为 .xlsx 再发送"


@pytest.mark.parametrize(
    "content, kind, fragment",
    [
        (b"", filetypes.EMPTY, "空的"),
        (b"<html><body><table><tr><td>12</td></tr></table></body></html>", filetypes.HTML, "网页"),
        (b'\xef\xbb\xbf<!DOCTYPE html>\n<html lang="zh">', filetypes.HTML, "网页"),
        ("单位,指标,数值\n甲镇,企业数,12\n".encode("gb18030"), filetypes.TEXT, "文本文件"),
        ("单位,指标,数值\n甲镇,企业数,12\n".encode("utf-8"), filetypes.TEXT, "文本文件"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", filetypes.OTHER, "PDF"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", filetypes.OTHER, "图片"),
        (bytes(range(256)) * 4, filetypes.OTHER, "无法识别"),
        (filetypes.OLE_MAGIC + b"\x00" * 600, filetypes.CORRUPT, "损坏"),
    ],
)
def test_not_workbooks(tmp_path, content, kind, fragment):
    path = tmp_path / "returned.xlsx"
    path.write_bytes(content)
    result = sniff(path)
    assert result.kind == kind and not result.readable
    assert fragment in result.message


def test_truncated_xlsx_is_corrupt(xlsx, tmp_path):
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(xlsx.read_bytes()[: xlsx.stat().st_size // 2])
    result = sniff(cut)
    assert result.kind == filetypes.CORRUPT and "损坏" in result.message


def test_zip_of_forms_is_an_archive(xlsx, tmp_path):
    archive = tmp_path / "各镇.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(xlsx, "甲镇.xlsx")
    result = sniff(archive)
    assert result.kind == filetypes.ZIP and not result.readable


def test_ods_is_readable(tmp_path):
    ods = tmp_path / "form.xls"
    with zipfile.ZipFile(ods, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<x/>")
    assert sniff(ods).kind == filetypes.ODS and sniff(ods).readable


def test_ole_without_workbook_stream_is_et_or_unknown(encrypted_xlsx, tmp_path):
    """A valid OLE file whose streams are neither a workbook nor encryption."""
    data = encrypted_xlsx.read_bytes()
    for name in ("EncryptionInfo", "EncryptedPackage"):
        encoded = name.encode("utf-16-le")
        data = data.replace(encoded, ("Z" * len(name)).encode("utf-16-le"))
    et = tmp_path / "form.et"
    et.write_bytes(bytes(data))
    result = sniff(et)
    assert result.kind == filetypes.OLE_OTHER and not result.readable
    assert "WPS" in result.message and "另存为" in result.message


@pytest.mark.soffice
def test_real_xls_from_libreoffice(xlsx, tmp_path, soffice_convert):
    (xls,) = soffice_convert([xlsx], "xls", tmp_path / "out")
    renamed = tmp_path / "form.xlsx"
    shutil.copy(xls, renamed)
    result = sniff(renamed)
    assert result.kind == filetypes.XLS and result.readable
