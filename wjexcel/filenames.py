"""File names that arrive garbled: zip members from Chinese Windows, undecodable names on disk.

Windows' built-in zip tool (and WinRAR, 360压缩) writes member names in the PC's code page,
GBK, without the UTF-8 flag; Python then reads them as cp437 mojibake. A file saved from
such a zip onto a Linux disk has a name that is not UTF-8 at all. Both are turned back
into the Chinese a clerk typed, here and nowhere else.
"""

from __future__ import annotations

import zipfile
from pathlib import PurePosixPath

UTF8_FLAG = 0x800
"""General-purpose bit 11 of a zip entry: its name is UTF-8."""


def decode_gbk_mojibake(name: str) -> str:
    """A cp437-decoded name back to its GBK (GB18030) original, if it is one; else unchanged."""
    try:
        return name.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return name


def zip_member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its sender typed it, with forward slashes and no leading slash."""
    name = info.filename
    if not info.flag_bits & UTF8_FLAG:
        name = decode_gbk_mojibake(name)
    return name.replace("\\", "/").lstrip("/")


def printable_part(part: str) -> str:
    """One path component as text: undecodable bytes read as GB18030, else replaced."""
    try:
        part.encode("utf-8")
        return part
    except UnicodeEncodeError:
        raw = part.encode("utf-8", "surrogateescape")
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError:
            return raw.decode("utf-8", "replace")


def printable_name(text: str) -> str:
    """A relative path as text, each component decoded on its own, so one GBK file name
    does not garble the (UTF-8) folder names around it."""
    return "/".join(printable_part(p) for p in PurePosixPath(text).parts) if text else text
