"""The plan of a workspace, read from 计划.xlsx once and kept for the commands after.

Every command a clerk runs needs the plan, and reading 计划.xlsx costs a command about a
fifth of a second (openpyxl and the read). The plan read from one 计划.xlsx is kept in the
state folder under the workbook's SHA-256 and a fingerprint of this wjexcel's own code
(and of the Python and openpyxl that read it), signed with the workspace's key: a changed
plan, another version of wjexcel, a damaged, copied or forged cache file are each noticed,
and the plan is then read from 计划.xlsx again. Only the plan's own classes are ever
unpickled. Only a plan read without errors is kept. Keeping it is best effort: a full or
read-only disk only means the next command reads the workbook again.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import hmac
import io
import logging
import os
import pickle
import sys
from pathlib import Path

from wjexcel.plan.plan import Plan

CACHE_FILE = "plan.cache"
"""In the workspace's state folder."""
_FORMAT = b"wjexcel-plan-cache/1"
_PLAN_MODULES = frozenset({"wjexcel.plan.model", "wjexcel.plan.plan", "wjexcel.periods"})
"""Where the classes of a plan come from."""

log = logging.getLogger(__name__)


def lookup(ws, data: bytes) -> Plan | None:
    """The plan kept for the 计划.xlsx whose bytes are ``data``, or None (whatever goes wrong)."""
    try:
        kept = (ws.state / CACHE_FILE).read_bytes()
        key = ws.signing_key()
        head, _, body = kept.partition(b"\n")
        if not key or not hmac.compare_digest(head, _mac(key, _label(data), body)):
            return None
        plan = _PlanUnpickler(io.BytesIO(body)).load()
    except Exception:  # noqa: BLE001 - none kept, no key, code that is gone: the workbook is read
        log.debug("the kept plan is not used", exc_info=True)
        return None
    return plan if isinstance(plan, Plan) else None


class _PlanUnpickler(pickle.Unpickler):
    """Unpickles only the plan's own classes: even a cache signed with the right key cannot make
    loading it call anything else."""

    def find_class(self, module: str, name: str):
        if module in _PLAN_MODULES:
            found = super().find_class(module, name)
            if isinstance(found, type) and (dataclasses.is_dataclass(found) or issubclass(found, enum.Enum)):
                return found
        raise pickle.UnpicklingError(f"not a part of a plan: {module}.{name}")


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
    """A fingerprint of this wjexcel: the text of every module, the Python and the openpyxl that read the plan."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(sys.version.encode() + b"\0" + _reader() + b"\0")
    for folder, dirs, files in sorted(os.walk(root)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(f for f in files if f.endswith(".py")):
            path = os.path.join(folder, name)
            digest.update(os.path.relpath(path, root).encode() + b"\0")
            with open(path, "rb") as fh:
                digest.update(hashlib.sha256(fh.read()).digest())
    return digest.hexdigest()


def _reader() -> bytes:
    """openpyxl's version, as it states it (read from its files: importing it or asking the installed
    metadata would cost a command more than the whole lookup)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("openpyxl")
        folder = next(iter(spec.submodule_search_locations or ())) if spec else None
        return (Path(folder) / "_constants.py").read_bytes() if folder else b""
    except (ImportError, ValueError, OSError, StopIteration):
        return b""
