"""Bytes written through a temporary file and checked before they replace anything."""

from __future__ import annotations

import io
import zipfile

import pytest

from wjexcel.atomic import verify_zip, write_bytes
from wjexcel.errors import WjexcelError


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("a.xml", "<a/>")
    return buffer.getvalue()


def test_bytes_that_fail_verification_leave_the_old_file(tmp_path):
    target = tmp_path / "表.xlsx"
    target.write_bytes(b"old form")
    check = lambda tmp: verify_zip(tmp, target.name)  # noqa: E731
    with pytest.raises(WjexcelError, match="表.xlsx.*写入后校验失败"):
        write_bytes(target, _zip()[:-30], check)
    assert target.read_bytes() == b"old form" and [p.name for p in tmp_path.iterdir()] == ["表.xlsx"]
    write_bytes(target, _zip(), check)
    assert target.read_bytes() == _zip()
