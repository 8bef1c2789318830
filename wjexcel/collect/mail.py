"""Mails as mail clients save them: ``.eml`` (MIME) and Outlook ``.msg``, read into attachments.

Clerks drag mails out of Outlook (a ``.msg``, an OLE compound file) or export them from
Foxmail and web mail (``.eml``). This module is pure and bounded: the bytes of one mail in,
a :class:`Mail` out (subject, sender, the time it was sent, its attachments), or a
:class:`MailError` with a Chinese message. What each attachment is, is decided by the
collector exactly as for a file dropped in 收回.

Attachment names are where mail clients disagree: RFC 2231 (``filename*=utf-8''…``, split
into ``filename*0*``…), RFC 2047 words (``=?gb2312?B?…?=``, often inside quotes and split
across lines, which the standard forbids and Outlook and Foxmail do anyway), raw GBK bytes,
or plain UTF-8. The standard library reads the first ones; what it cannot read (it gives
U+FFFD for raw bytes) is decoded here from the raw header, UTF-8 first, then GB18030.

Bounds: at most :data:`MAX_ATTACHMENTS` attachments in one mail, :data:`MAX_PARTS` MIME
parts or OLE entries looked at, and :data:`MAX_DEPTH` mails inside mails; the mail itself
is no bigger than the collector's file limit, so nothing decoded here can be bigger either.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import PurePosixPath

from wjexcel.errors import FormError
from wjexcel.problems import Code

EML, MSG = "eml", "msg"
MAX_ATTACHMENTS = 100
"""Most attachments one mail may carry: a reporter sends one form, perhaps a few files more."""
MAX_PARTS = 2000
"""Most MIME parts (or OLE entries) looked at in one mail, attached mails included."""
MAX_DEPTH = 3
"""A mail may carry a mail, which may carry one more; deeper is not looked into."""
_MAIL_HEADERS = {b"from", b"to", b"date", b"subject", b"message-id", b"mime-version", b"received",
                 b"return-path", b"content-type", b"x-mailer", b"delivered-to", b"reply-to", b"cc",
                 b"x-unsent", b"x-originating-ip", b"sender", b"thread-topic", b"x-qq-mid"}
_HEADER_LINE = re.compile(rb"^([A-Za-z0-9][A-Za-z0-9_-]{0,60}):")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CHARSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "euc-cn": "gb18030",
             "gb_2312-80": "gb18030", "x-unknown": "gb18030", "unknown-8bit": "gb18030"}


class MailError(FormError):
    """A mail that cannot be read, or must not be read further (a mail bomb)."""


@dataclass(frozen=True)
class Attachment:
    """One attachment: its name as the sender gave it, its bytes, and, for an attached mail,
    that mail already read."""

    name: str
    data: bytes
    mail: Mail | None = None


@dataclass(frozen=True)
class Mail:
    """One mail: ``kind`` is :data:`EML` or :data:`MSG`; ``sent_at`` is local time (naive)."""

    kind: str
    subject: str
    sender: str
    sent_at: datetime | None
    attachments: tuple[Attachment, ...] = ()
    body: str = ""
    skipped: tuple[str, ...] = field(default=())  # attachments not taken, and why (Chinese)

    @property
    def title(self) -> str:
        """``邮件“关于报送…”``: how messages name the mail."""
        return f"邮件“{self.subject}”" if self.subject else "邮件（无主题）"

    def describe(self) -> str:
        """``邮件“关于报送…”（发件人 王晓明 <wang@…>，2022-10-08 09:12 发出）``."""
        facts = [f"发件人 {self.sender}" if self.sender else "", f"{self.sent_at:%Y-%m-%d %H:%M} 发出"
                 if self.sent_at else ""]
        facts = [f for f in facts if f]
        return self.title + (f"（{'，'.join(facts)}）" if facts else "")


def sniff(data: bytes) -> str | None:
    """:data:`EML`, :data:`MSG` or None, from the bytes alone."""
    if data.startswith(_OLE_MAGIC):
        return MSG if "__properties_version1.0".encode("utf-16-le") in data[:1 << 20] or _is_msg(data) else None
    head = data[:8192].lstrip(b"\xef\xbb\xbf\r\n")
    if not head or not _HEADER_LINE.match(head):
        return None
    names = set()
    for line in head.split(b"\n"):
        line = line.rstrip(b"\r")
        if not line:
            break
        m = _HEADER_LINE.match(line)
        if m:
            names.add(m.group(1).lower())
        elif not line[:1] in (b" ", b"\t"):
            return None
    return EML if len(names & _MAIL_HEADERS) >= 2 and ({b"from", b"subject", b"date"} & names) else None


def _is_msg(data: bytes) -> bool:
    try:
        import olefile

        with olefile.OleFileIO(data) as ole:
            return ole.exists("__properties_version1.0")
    except Exception:  # olefile raises many kinds of errors on broken files
        return False


def read_mail(data: bytes, label: str) -> Mail:
    """Read one mail (``label`` names it in messages).

    Raises:
        MailError: it cannot be read, or has more attachments or parts than allowed.
    """
    kind = sniff(data)
    if kind == MSG:
        return _read_msg(data, label)
    return _read_eml(data, label)


def _too_many(label: str, count: int) -> MailError:
    return MailError(f"“{label}”：邮件中的附件超过 {MAX_ATTACHMENTS} 个（至少 {count} 个），不像是正常的报送邮件，"
                     "未逐个检查，已存档。请让对方把填报表单独发送", Code.MAIL_UNSAFE)


def _broken(label: str) -> MailError:
    return MailError(f"“{label}”：邮件文件已损坏或格式无法识别，无法取出附件，已存档。"
                     "请在邮件程序中把附件另存后放进“收回”", Code.MAIL_CORRUPT)


class _Budget:
    """MIME parts / OLE entries still to look at in one mail and the mails inside it."""

    def __init__(self, label: str):
        self.label, self.left = label, MAX_PARTS

    def take(self, n: int = 1) -> None:
        self.left -= n
        if self.left < 0:
            raise MailError(f"“{self.label}”：邮件结构过于复杂（超过 {MAX_PARTS} 个部分），不像是正常的报送邮件，"
                            "未逐个检查，已存档。请让对方把填报表单独发送", Code.MAIL_UNSAFE)


# --- .eml -----------------------------------------------------------------------------------------
def _read_eml(data: bytes, label: str) -> Mail:
    import email  # here, not at start-up: most collects never see a mail
    from email import policy

    try:
        message = email.message_from_bytes(data, policy=policy.default)
        return _eml(message, label, _Budget(label), 0)
    except MailError:
        raise
    except (RecursionError, MemoryError):
        raise _broken(label) from None
    except Exception as exc:  # the email package raises many kinds of errors on broken mails
        raise _broken(label) from exc


def _eml(message, label: str, budget: _Budget, depth: int) -> Mail:
    attachments: list[Attachment] = []
    skipped: list[str] = []
    body: list[str] = []
    for part in _leaves(message, budget):
        if part.get_content_type() == "message/rfc822" or (part.get_content_maintype() == "message"
                                                            and isinstance(part.get_payload(), list)):
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else None
            if inner is None:
                continue
            if depth + 1 >= MAX_DEPTH:
                skipped.append("附带的邮件中又附带邮件，层数过多，未再打开")
                continue
            read = _eml(inner, label, budget, depth + 1)
            name = _safe_name(_part_name(part) or f"{read.subject or '附带的邮件'}.eml")
            attachments.append(Attachment(name, _inner_bytes(inner), read))
        elif _is_attachment(part):
            name = _part_name(part) or f"附件{len(attachments) + 1}{_guess_suffix(part)}"
            payload = part.get_payload(decode=True) or b""
            attachments.append(Attachment(_safe_name(name), payload))
        elif part.get_content_maintype() == "text" and not body:
            body.append(_text_of(part))
        if len(attachments) > MAX_ATTACHMENTS:
            raise _too_many(label, len(attachments))
    return Mail(EML, _header_text(message, "subject"), _sender(message), _sent_at(message), _unique(attachments),
                _snippet(body[0] if body else ""), tuple(skipped))


def _leaves(message, budget: _Budget):
    """The non-multipart parts, in order, without entering attached mails (iterative: a deeply
    nested mail cannot exhaust the stack)."""
    stack = [message]
    while stack:
        part = stack.pop()
        budget.take()
        if part.is_multipart() and part.get_content_maintype() == "multipart":
            stack.extend(reversed(part.get_payload()))
        else:
            yield part


def _is_attachment(part) -> bool:
    disposition = (part.get_content_disposition() or "").lower()
    named = bool(_raw_param(part, "filename") or _raw_param(part, "name"))
    if disposition == "attachment":
        return True
    if part.get_content_maintype() == "text" and not named:
        return False  # the body
    if disposition == "inline" and part.get_content_maintype() == "image" and part.get("content-id"):
        return False  # a picture in the body (a signature's logo)
    if part.get_content_maintype() == "image" and part.get("content-id") and not named:
        return False
    return named or part.get_content_maintype() not in ("text", "multipart")


def _part_name(part) -> str:
    """The attachment's name, however the mail client wrote it."""
    for getter in (lambda: part.get_filename(), lambda: part.get_param("name", header="content-type")):
        try:
            name = getter()
        except Exception:  # a malformed parameter
            name = None
        if isinstance(name, tuple):  # an RFC 2231 value the library did not decode
            import email.utils

            name = email.utils.collapse_rfc2231_value(name)
        if name and "\ufffd" not in name and "=?" not in name:
            return str(name)
    for param in ("filename", "name"):
        raw = _raw_param(part, param)
        if raw:
            return _repair(raw)
    return ""


def _raw_param(part, param: str) -> str:
    """A header parameter as written in the mail (undecoded: raw bytes as surrogates)."""
    headers = {"filename": "content-disposition", "name": "content-type"}
    for key, value in part.raw_items():
        if key.lower() != headers[param]:
            continue
        value = re.sub(r"\r?\n[ \t]*", " ", str(value))
        m = re.search(rf'(?:^|;)\s*{param}\s*=\s*"((?:[^"\\]|\\.)*)"', value, re.I) or \
            re.search(rf"(?:^|;)\s*{param}\s*=\s*([^;\s]+)", value, re.I)
        if m:
            return m.group(1)
    return ""


def _repair(raw: str) -> str:
    """A name from the raw header: encoded words (split or not, quoted or not), else raw bytes
    read as UTF-8 or GB18030."""
    if "=?" in raw and "?=" in raw:
        joined = re.sub(r"\?=\s+=\?", "?==?", raw)
        import email.header

        try:
            return "".join(_decode(text, charset) for text, charset in email.header.decode_header(joined)).strip()
        except Exception:  # a broken encoded word: fall back to its bytes
            pass
    return _decode(raw.encode("utf-8", "surrogateescape"), None).strip()


def _decode(text, charset: str | None) -> str:
    if isinstance(text, str):
        return text
    if charset:
        try:
            return text.decode(_CHARSETS.get(charset.lower(), charset.lower()))
        except (LookupError, UnicodeDecodeError):
            pass
    for encoding in ("utf-8", "gb18030"):
        try:
            return text.decode(encoding)
        except UnicodeDecodeError:
            continue
    return text.decode("gb18030", "replace")


def _header_text(message, name: str) -> str:
    """A header as text; raw 8-bit bytes (a GBK subject sent unencoded) read as UTF-8 or GB18030."""
    try:
        value = message.get(name)
    except Exception:  # a malformed header
        value = None
    text = str(value) if value is not None else ""
    if "\ufffd" in text or "=?" in text:
        raw = next((v for k, v in message.raw_items() if k.lower() == name), "")
        text = _repair(str(raw))
    return " ".join(text.split())


def _sender(message) -> str:
    try:
        header = message.get("from")
        addresses = getattr(header, "addresses", ()) if header is not None else ()
    except Exception:  # a malformed address
        addresses = ()
    if addresses and "\ufffd" not in str(addresses[0].display_name):
        first = addresses[0]
        return f"{first.display_name} <{first.addr_spec}>" if first.display_name else first.addr_spec
    return _header_text(message, "from")


def _sent_at(message) -> datetime | None:
    import email.utils

    try:
        header = message.get("date")
        moment = getattr(header, "datetime", None)
        if moment is None and header is not None:
            moment = email.utils.parsedate_to_datetime(str(header))
    except Exception:  # a malformed date
        return None
    return _local(moment) if moment else None


def _local(moment: datetime) -> datetime:
    """Local wall-clock time, as the clerk's PC shows it."""
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment


def _text_of(part) -> str:
    payload = part.get_payload(decode=True) or b""
    return _decode(payload[:4096], part.get_content_charset())


def _snippet(text: str) -> str:
    return " ".join(text.split())[:60]


def _inner_bytes(inner) -> bytes:
    """An attached mail's bytes (what its hash is taken of)."""
    try:
        return inner.as_bytes()
    except Exception:  # a mail the library read but cannot write again
        return str(inner).encode("utf-8", "surrogateescape")


def _guess_suffix(part) -> str:
    import mimetypes

    return mimetypes.guess_extension(part.get_content_type()) or ""


def _unique(attachments: list[Attachment]) -> tuple[Attachment, ...]:
    """Two attachments of one mail never share a name: the second ``七都镇.xlsx`` is ``七都镇（2）.xlsx``."""
    seen: set[str] = set()
    out = []
    for att in attachments:
        name, n = att.name, 1
        while name.lower() in seen:
            n += 1
            path = PurePosixPath(att.name)
            name = f"{path.stem}（{n}）{path.suffix}"
        seen.add(name.lower())
        out.append(att if name == att.name else Attachment(name, att.data, att.mail))
    return tuple(out)


def _safe_name(name: str) -> str:
    """A name fit to stand as the last part of a path: no folders, no control characters."""
    name = re.sub(r"[\x00-\x1f]", "", name.replace("\\", "/"))
    return PurePosixPath(name).name.strip() or "附件"


# --- .msg (Outlook) -------------------------------------------------------------------------------
_PROPERTIES = "__properties_version1.0"
_ATTACH = "__attach_version1.0_#"
_EMBEDDED = "__substg1.0_3701000D"
PR_CLIENT_SUBMIT_TIME = 0x00390040
PR_MESSAGE_DELIVERY_TIME = 0x0E060040
PR_ATTACH_METHOD = 0x37050003
PR_ATTACHMENT_HIDDEN = 0x7FFE000B
ATTACH_EMBEDDED_MSG = 5
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=timezone.utc)


def _read_msg(data: bytes, label: str) -> Mail:
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            entries = ole.listdir(streams=True, storages=True)
            if len(entries) > MAX_PARTS:
                attachments = {tuple(e[:1]) for e in entries if e[0].startswith(_ATTACH)}
                if len(attachments) > MAX_ATTACHMENTS:
                    raise _too_many(label, len(attachments))
                _Budget(label).take(MAX_PARTS + 1)  # raises: too complex
            return _msg(_Ole(ole, entries), (), label, 0)
    except MailError:
        raise
    except Exception as exc:  # olefile raises many kinds of errors on broken files
        raise _broken(label) from exc


class _Ole:
    """The streams of one .msg, found by path."""

    def __init__(self, ole, entries):
        self.ole = ole
        self.entries = [tuple(e) for e in entries]

    def read(self, path: tuple[str, ...]) -> bytes | None:
        name = "/".join(path)
        if not self.ole.exists(name) or self.ole.get_type(name) != 2:  # STGTY_STREAM
            return None
        with self.ole.openstream(name) as stream:
            return stream.read()

    def text(self, where: tuple[str, ...], tag: str) -> str:
        """A string property: ``001F`` (UTF-16) or ``001E`` (the ANSI code page: GBK on a Chinese PC)."""
        unicode = self.read((*where, f"__substg1.0_{tag}001F"))
        if unicode is not None:
            return unicode.decode("utf-16-le", "replace").rstrip("\x00").strip()
        ansi = self.read((*where, f"__substg1.0_{tag}001E"))
        return _decode(ansi.rstrip(b"\x00"), None).strip() if ansi is not None else ""

    def properties(self, where: tuple[str, ...], header: int) -> dict[int, bytes]:
        """The fixed-size properties of ``where``: ``{tag: 8 value bytes}``."""
        raw = self.read((*where, _PROPERTIES)) or b""
        out = {}
        for offset in range(header, len(raw) - 15, 16):
            tag, _flags = struct.unpack_from("<II", raw, offset)
            out[tag] = raw[offset + 8: offset + 16]
        return out

    def children(self, where: tuple[str, ...], prefix: str) -> list[tuple[str, ...]]:
        return sorted({e[:len(where) + 1] for e in self.entries
                       if len(e) > len(where) and e[:len(where)] == where and e[len(where)].startswith(prefix)})

    def stream_bytes(self, where: tuple[str, ...]) -> bytes:
        """Every stream under ``where`` in name order: what an embedded mail's hash is taken of."""
        out = []
        for e in sorted(e for e in self.entries if e[:len(where)] == where and len(e) > len(where)):
            data = self.read(e)
            if data is not None:
                out.append("/".join(e[len(where):]).encode("utf-8") + b"\x00" + data)
        return b"".join(out)


def _msg(ole: _Ole, where: tuple[str, ...], label: str, depth: int) -> Mail:
    props = ole.properties(where, 32 if not where else 24)
    sent = _filetime(props.get(PR_CLIENT_SUBMIT_TIME)) or _filetime(props.get(PR_MESSAGE_DELIVERY_TIME))
    name = ole.text(where, "0C1A") or ole.text(where, "0042")
    address = ole.text(where, "5D01") or ole.text(where, "0C1F")
    address = address if "@" in address else ""
    sender = f"{name} <{address}>" if name and address else (address or name)
    attachments, skipped = [], []
    storages = ole.children(where, _ATTACH)
    if len(storages) > MAX_ATTACHMENTS:
        raise _too_many(label, len(storages))
    for storage in storages:
        aprops = ole.properties(storage, 8)
        if _int(aprops.get(PR_ATTACHMENT_HIDDEN)):
            continue  # a picture in the body
        title = ole.text(storage, "3707") or ole.text(storage, "3704") or ole.text(storage, "3001")
        if _int(aprops.get(PR_ATTACH_METHOD)) == ATTACH_EMBEDDED_MSG or ole.children(storage, _EMBEDDED):
            inner = (*storage, _EMBEDDED)
            if depth + 1 >= MAX_DEPTH:
                skipped.append("附带的邮件中又附带邮件，层数过多，未再打开")
                continue
            read = _msg(ole, inner, label, depth + 1)
            attachments.append(Attachment(_safe_name(f"{title or read.subject or '附带的邮件'}.msg"),
                                          ole.stream_bytes(inner), read))
            continue
        data = ole.read((*storage, "__substg1.0_37010102"))
        if data is None:
            skipped.append(f"附件“{title or '（无名）'}”是链接或云附件，邮件中没有文件本身，请下载后放进“收回”")
            continue
        attachments.append(Attachment(_safe_name(title or f"附件{len(attachments) + 1}"), data))
    body = ole.text(where, "1000")
    return Mail(MSG, ole.text(where, "0037"), sender, sent, _unique(attachments), _snippet(body), tuple(skipped))


def _filetime(value: bytes | None) -> datetime | None:
    if not value:
        return None
    ticks = struct.unpack("<Q", value)[0]
    if ticks == 0:
        return None
    try:
        return _local(_FILETIME_EPOCH + timedelta(microseconds=ticks // 10))
    except (OverflowError, ValueError, OSError):
        return None


def _int(value: bytes | None) -> int:
    return struct.unpack("<i", value[:4])[0] if value else 0
