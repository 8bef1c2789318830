"""The plan of a workspace, read from 计划.xlsx once and kept for the commands after.

Every command a clerk runs needs the plan, and reading 计划.xlsx costs a command about a
fifth of a second (openpyxl and the read). The plan read from one 计划.xlsx is kept in the
state folder under the workbook's SHA-256 and a fingerprint of this wjexcel's own code,
signed with the workspace's key: a changed plan, another version of wjexcel, a damaged,
copied or forged cache file are each noticed, and the plan is then read from 计划.xlsx
again. Only a plan read without errors is kept. Keeping it is best effort: a full or
read-only disk only means the next command reads the workbook again.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import os
import pickle
from pathlib import Path

from wjexcel.errors import WjexcelError
from wjexcel.plan.plan import Plan

CACHE_FILE = "plan.cache"
"""In the workspace's state folder."""
_FORMAT = b"wjexcel-plan-cache/1"

log = logging.getLogger(__name__)


def lookup(ws, data: bytes) -> Plan | None:
    """The plan kept for the 计划.xlsx whose bytes are ``data``, or None."""
    try:
        kept = (ws.state / CACHE_FILE).read_bytes()
        key = ws.signing_key()
    except (OSError, WjexcelError):  # none kept, or no key to trust it by: the workbook is read
        return None
    head, _, body = kept.partition(b"\n")
    expected = _mac(key, _label(data), body)
    if not hmac.compare_digest(head, expected):
        return None
    try:
        plan = pickle.loads(body)
    except Exception:  # noqa: BLE001 - signed by us, but by code that is gone: read the workbook
        log.debug("the kept plan could not be loaded", exc_info=True)
        return None
    return plan if isinstance(plan, Plan) else None


def keep(ws, data: bytes, plan: Plan) -> None:
    """Keep ``plan``, read from the 计划.xlsx whose bytes are ``data``, for the next command."""
    from wjexcel.atomic import write_bytes

    try:
        body = pickle.dumps(plan, protocol=pickle.HIGHEST_PROTOCOL)
        write_bytes(ws.state / CACHE_FILE, _mac(ws.signing_key(), _label(data), body) + b"\n" + body)
    except Exception:  # noqa: BLE001 - best effort: the next command reads the workbook
        log.debug("the plan was not kept", exc_info=True)


def _label(data: bytes) -> bytes:
    """What a kept plan must have been read from: these bytes, by this code."""
    return _FORMAT + b"\0" + hashlib.sha256(data).hexdigest().encode() + b"\0" + _code().encode()


def _mac(key: bytes, label: bytes, body: bytes) -> bytes:
    return hmac.new(key, label + b"\0" + body, hashlib.sha256).hexdigest().encode()


@functools.lru_cache(maxsize=1)
def _code() -> str:
    """A fingerprint of this wjexcel: every module's name, size and time of change."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for folder, dirs, files in sorted(os.walk(root)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(f for f in files if f.endswith(".py")):
            info = os.stat(os.path.join(folder, name))
            digest.update(f"{os.path.relpath(os.path.join(folder, name), root)}\0{info.st_size}\0"
                          f"{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()
