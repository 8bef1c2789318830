"""A memory ceiling for the process that reads with calamine, on every system.

python-calamine aborts the whole process (a Rust allocation failure, not an exception)
when a hostile ``.xls`` or ``.ods`` makes it allocate too much, and before that it can
take the PC's memory: one 41 KB ``.xls`` peaks at 1 GB. The reader therefore runs it in a
child process, which caps itself first: ``RLIMIT_AS`` on POSIX, a Job Object with a
per-process memory limit on Windows (created through ctypes, nothing to install). An
allocation over the cap fails, and the parent reports the file as unsafe.
"""

from __future__ import annotations

import ctypes
import logging
import sys

try:
    import resource
except ImportError:  # Windows
    resource = None

log = logging.getLogger(__name__)

JOB_OBJECT_LIMIT_PROCESS_MEMORY = 0x00000100
JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION = 0x00000400
JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS = 9
SEM_FAILCRITICALERRORS, SEM_NOGPFAULTERRORBOX = 0x0001, 0x0002


class JOBOBJECT_BASIC_LIMIT_INFORMATION(ctypes.Structure):
    """winnt.h, with fixed-size types so the layout is the same on every build of Python."""

    _fields_ = [
        ("PerProcessUserTimeLimit", ctypes.c_int64),
        ("PerJobUserTimeLimit", ctypes.c_int64),
        ("LimitFlags", ctypes.c_uint32),
        ("MinimumWorkingSetSize", ctypes.c_size_t),
        ("MaximumWorkingSetSize", ctypes.c_size_t),
        ("ActiveProcessLimit", ctypes.c_uint32),
        ("Affinity", ctypes.c_size_t),
        ("PriorityClass", ctypes.c_uint32),
        ("SchedulingClass", ctypes.c_uint32),
    ]


class IO_COUNTERS(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint64) for name in (
        "ReadOperationCount", "WriteOperationCount", "OtherOperationCount",
        "ReadTransferCount", "WriteTransferCount", "OtherTransferCount")]


class JOBOBJECT_EXTENDED_LIMIT_INFORMATION(ctypes.Structure):
    _fields_ = [
        ("BasicLimitInformation", JOBOBJECT_BASIC_LIMIT_INFORMATION),
        ("IoInfo", IO_COUNTERS),
        ("ProcessMemoryLimit", ctypes.c_size_t),
        ("JobMemoryLimit", ctypes.c_size_t),
        ("PeakProcessMemoryUsed", ctypes.c_size_t),
        ("PeakJobMemoryUsed", ctypes.c_size_t),
    ]


def cap_memory(limit: int) -> bool:
    """Cap this process's memory at ``limit`` bytes; True when a cap is in place."""
    if resource is not None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        return True
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return _windows_job_limit(limit)
    return False


def job_limit_information(limit: int) -> JOBOBJECT_EXTENDED_LIMIT_INFORMATION:
    """The limits given to the Job Object: ``limit`` bytes per process, and no error dialog
    (the process ends instead of waiting for someone to click)."""
    info = JOBOBJECT_EXTENDED_LIMIT_INFORMATION()
    info.BasicLimitInformation.LimitFlags = (JOB_OBJECT_LIMIT_PROCESS_MEMORY
                                             | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION)
    info.ProcessMemoryLimit = limit
    return info


def _windows_job_limit(limit: int) -> bool:  # pragma: no cover - Windows only
    """Put this process into a new Job Object limited to ``limit`` bytes (jobs nest since
    Windows 8; where that fails the read goes on uncapped and the log says so)."""
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.CreateJobObjectW.restype = ctypes.c_void_p
    kernel32.GetCurrentProcess.restype = ctypes.c_void_p
    kernel32.SetInformationJobObject.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_uint32]
    kernel32.AssignProcessToJobObject.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    kernel32.SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX)
    job = kernel32.CreateJobObjectW(None, None)
    info = job_limit_information(limit)
    if not job or not kernel32.SetInformationJobObject(job, JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS,
                                                       ctypes.byref(info), ctypes.sizeof(info)):
        log.warning("no memory cap for the reader: job object error %s", ctypes.get_last_error())
        return False
    if not kernel32.AssignProcessToJobObject(job, kernel32.GetCurrentProcess()):
        log.warning("no memory cap for the reader: cannot join job (error %s)", ctypes.get_last_error())
        return False
    return True  # the handle stays open for the life of the process, and so does the job
