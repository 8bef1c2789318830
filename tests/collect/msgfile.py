"""Outlook ``.msg`` files for the tests, written here from the published formats.

There is no OLE writer in olefile, so :func:`compound_file` is a minimal writer of the
Compound File Binary format ([MS-CFB], version 3: 512-byte sectors, a mini stream for
streams under 4096 bytes, red-black sibling trees kept balanced and all black), and
:func:`msg_file` lays out a message as [MS-OXMSG] does: ``__substg1.0_XXXXYYYY`` streams for
string and binary properties, ``__properties_version1.0`` for the fixed-size ones, one
``__attach_version1.0_#XXXXXXXX`` storage per attachment, an attached mail as a storage
``__substg1.0_3701000D``. Nothing here is copied from another project; the files are made
fresh in every test, none is checked in.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from datetime import datetime, timezone

SECTOR, MINI, CUTOFF = 512, 64, 4096
FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
STORAGE, STREAM, ROOT = 1, 2, 5


@dataclass
class _Node:
    name: str
    kind: int
    data: bytes = b""
    children: dict = field(default_factory=dict)
    id: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    start: int = END


def _key(name: str):
    return len(name), name.upper()


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A compound file holding ``streams`` (``"storage/stream"`` paths → bytes)."""
    root = _Node("Root Entry", ROOT)
    for path, data in streams.items():
        node = root
        *folders, leaf = path.split("/")
        for folder in folders:
            node = node.children.setdefault(folder, _Node(folder, STORAGE))
        node.children[leaf] = _Node(leaf, STREAM, data)
    order, queue = [], [root]
    while queue:  # ids breadth first
        node = queue.pop(0)
        node.id = len(order)
        order.append(node)
        queue.extend(sorted(node.children.values(), key=lambda n: _key(n.name)))
    for node in order:
        node.child = _tree(sorted(node.children.values(), key=lambda n: _key(n.name)))

    sectors: list[bytes] = []
    fat: list[int] = []

    def alloc(data: bytes) -> int:
        if not data:
            return END
        n = math.ceil(len(data) / SECTOR)
        start = len(sectors)
        for i in range(n):
            sectors.append(data[i * SECTOR:(i + 1) * SECTOR].ljust(SECTOR, b"\x00"))
            fat.append(start + i + 1 if i < n - 1 else END)
        return start

    directory_size = math.ceil(len(order) * 128 / SECTOR) * SECTOR
    first_dir = alloc(b"\x00" * directory_size)
    mini, minifat = bytearray(), []
    for node in order:
        if node.kind == STREAM and 0 < len(node.data) < CUTOFF:
            n = math.ceil(len(node.data) / MINI)
            node.start = len(mini) // MINI
            minifat.extend(node.start + i + 1 if i < n - 1 else END for i in range(n))
            mini += node.data.ljust(n * MINI, b"\x00")
    root.start = alloc(bytes(mini))
    first_minifat = alloc(b"".join(struct.pack("<I", x) for x in minifat))
    for node in order:
        if node.kind == STREAM and len(node.data) >= CUTOFF:
            node.start = alloc(node.data)
    fat_count = 0
    while math.ceil((len(sectors) + fat_count) / (SECTOR // 4)) > fat_count:
        fat_count += 1
    assert fat_count <= 109, "this writer keeps to the header's 109 FAT sectors (files up to ~7 MB)"
    fat_sectors = list(range(len(sectors), len(sectors) + fat_count))
    fat.extend([FATSECT] * fat_count)
    fat.extend([FREE] * (fat_count * SECTOR // 4 - len(fat)))
    table = b"".join(struct.pack("<I", x) for x in fat)
    sectors.extend(table[i * SECTOR:(i + 1) * SECTOR] for i in range(fat_count))

    entries = b"".join(_entry(node, len(mini) if node.kind == ROOT else len(node.data)) for node in order)
    entries += _blank_entry() * ((directory_size - len(order) * 128) // 128)
    for i in range(directory_size // SECTOR):
        sectors[first_dir + i] = entries[i * SECTOR:(i + 1) * SECTOR]

    difat = fat_sectors + [FREE] * (109 - len(fat_sectors))
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\x00" * 16, 0x3E, 3,
                         0xFFFE, 9, 6, b"\x00" * 6, 0, fat_count, first_dir, 0, CUTOFF,
                         first_minifat if minifat else END, math.ceil(len(minifat) * 4 / SECTOR), END, 0)
    header += b"".join(struct.pack("<I", x) for x in difat)
    return header + b"".join(sectors)


def _tree(nodes: list[_Node]) -> int:
    """A balanced binary search tree of siblings; its root's id."""
    if not nodes:
        return NOSTREAM
    mid = len(nodes) // 2
    nodes[mid].left = _tree(nodes[:mid])
    nodes[mid].right = _tree(nodes[mid + 1:])
    return nodes[mid].id


def _entry(node: _Node, size: int) -> bytes:
    name = node.name.encode("utf-16-le") + b"\x00\x00"
    start = node.start if node.kind != STORAGE else 0
    return struct.pack("<64sHBBIII16sIQQIII", name, len(name), node.kind, 1, node.left, node.right, node.child,
                       b"\x00" * 16, 0, 0, 0, start, size if node.kind != STORAGE else 0, 0)


def _blank_entry() -> bytes:
    return struct.pack("<64sHBBIII16sIQQIII", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, b"\x00" * 16, 0, 0, 0,
                       0, 0, 0)


# --- Outlook messages ------------------------------------------------------------------------
PR_CLIENT_SUBMIT_TIME = 0x00390040
PR_MESSAGE_DELIVERY_TIME = 0x0E060040
PR_ATTACH_METHOD = 0x37050003


@dataclass
class Message:
    """What a .msg says: subject, sender, sent time, body, attachments (name, bytes) or messages."""

    subject: str
    sender_name: str = ""
    sender_email: str = ""
    sent: datetime | None = None
    body: str = ""
    attachments: list = field(default_factory=list)  # (name, bytes) or (name, Message)
    unicode: bool = True  # False: Outlook 2002-style ANSI strings (GBK on a Chinese PC)


def _filetime(moment: datetime) -> bytes:
    moment = moment if moment.tzinfo else moment.astimezone()
    delta = moment.astimezone(timezone.utc) - datetime(1601, 1, 1, tzinfo=timezone.utc)
    return struct.pack("<Q", (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10)


def _property(tag: int, value: bytes) -> bytes:
    return struct.pack("<II", tag, 0x2) + value.ljust(8, b"\x00")


def _strings(where: str, tags: dict[str, str], unicode: bool) -> dict[str, bytes]:
    out = {}
    for tag, text in tags.items():
        if text:
            if unicode:
                out[f"{where}__substg1.0_{tag}001F"] = text.encode("utf-16-le")
            else:
                out[f"{where}__substg1.0_{tag}001E"] = text.encode("gbk") + b"\x00"
    return out


def _message_streams(msg: Message, where: str, header: int) -> dict[str, bytes]:
    streams = _strings(where, {"0037": msg.subject, "0C1A": msg.sender_name, "5D01": msg.sender_email,
                               "1000": msg.body}, msg.unicode)
    props = b"\x00" * header
    if msg.sent is not None:
        props += _property(PR_CLIENT_SUBMIT_TIME, _filetime(msg.sent))
        props += _property(PR_MESSAGE_DELIVERY_TIME, _filetime(msg.sent))
    streams[f"{where}__properties_version1.0"] = props
    for n, (name, content) in enumerate(msg.attachments):
        storage = f"{where}__attach_version1.0_#{n:08X}/"
        if isinstance(content, Message):
            streams.update(_strings(storage, {"3001": name}, True))
            streams[f"{storage}__properties_version1.0"] = b"\x00" * 8 + _property(PR_ATTACH_METHOD,
                                                                                  struct.pack("<i", 5))
            streams.update(_message_streams(content, f"{storage}__substg1.0_3701000D/", 24))
        else:
            streams.update(_strings(storage, {"3707": name, "3704": name[:8]}, msg.unicode))
            streams[f"{storage}__substg1.0_37010102"] = content
            streams[f"{storage}__properties_version1.0"] = b"\x00" * 8 + _property(PR_ATTACH_METHOD,
                                                                                  struct.pack("<i", 1))
    return streams


def msg_file(msg: Message) -> bytes:
    """The .msg file of ``msg``, as Outlook saves a mail dragged out of it."""
    streams = _message_streams(msg, "", 32)
    streams["__nameid_version1.0/__substg1.0_00020102"] = b""
    return compound_file(streams)
