"""The calamine child's memory cap: real on this system, and the Windows one laid out as Windows wants it."""

from __future__ import annotations

import ctypes
import subprocess
import sys

from wjexcel.collect import memcap


def test_the_cap_stops_an_allocation_beyond_it():
    """What a hostile .xls makes calamine do, done by Python in a capped child: it fails there."""
    code = ("from wjexcel.collect.memcap import cap_memory\n"
            "print(cap_memory(512 * 1024 * 1024))\n"
            "try:\n    block = bytearray(1024 * 1024 * 1024)\nexcept MemoryError:\n    print('refused')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["True", "refused"], done.stderr


def test_the_windows_job_limits_match_winnt_h():
    """JOBOBJECT_EXTENDED_LIMIT_INFORMATION is 144 bytes on 64-bit Windows (112 on 32-bit),
    and the limit is per process, with no error dialog to wait on."""
    size = ctypes.sizeof(memcap.JOBOBJECT_EXTENDED_LIMIT_INFORMATION)
    assert size == (144 if ctypes.sizeof(ctypes.c_void_p) == 8 else 112)
    info = memcap.job_limit_information(1536 * 1024 * 1024)
    assert info.ProcessMemoryLimit == 1536 * 1024 * 1024
    flags = info.BasicLimitInformation.LimitFlags
    assert flags & memcap.JOB_OBJECT_LIMIT_PROCESS_MEMORY and flags & memcap.JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION
