"""Use every core for many independent files, and fall back to one process when that is not possible.

A city's generate writes hundreds of forms; each is independent of the others, so worker
processes share them. Few files are done in this process: starting workers costs more
than it saves. Where worker processes cannot start (a locked-down PC, an embedded
interpreter without ``multiprocessing`` support) or one dies, the rest is done here.

``WJEXCEL_WORKERS`` sets the number of processes (``1``: never start workers; ``2`` or more:
use them however few the items). ``WJEXCEL_WORKER_START=spawn`` starts workers the way Windows
does (a fresh interpreter each) on any system, so the tests exercise that way here too.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

MIN_ITEMS = 40
"""Fewer items than this are done in this process."""

MIN_ITEMS_SPAWNED = 200
"""The same where each worker starts as a fresh interpreter (Windows): it imports the package and
receives its context anew, about half a second of a busy PC's time each."""

MAX_WORKERS = 4
"""Each worker holds its own copy of the plan and template; more rarely pays on a clerk's PC."""

SPARE_WORKER = 1
"""Workers beyond the cores where they start cheaply (forked, not a fresh interpreter): a worker
waits on the disk for each file it writes (an archived copy, a form), and another one uses the core
meanwhile; on a PC whose other programs keep a core busy, the run keeps its share. Measured on two
cores, 318 forms, one other process busy: collect 10%, generate 15% quicker, the same CPU time."""

MAX_SETTING = 61
"""The most ``WJEXCEL_WORKERS`` may ask for: Windows cannot wait on more worker processes."""

_CANNOT_SUBMIT = (BrokenProcessPool, RuntimeError, OSError, NotImplementedError, ImportError)
"""What submitting raises when workers cannot start (they start on the first submit) or have stopped."""

_state: dict = {}
log = logging.getLogger(__name__)


def workers_for(count: int) -> int:
    """How many processes to use for ``count`` items: one (no workers) on one core, or for
    fewer items than starting workers costs."""
    setting = os.environ.get("WJEXCEL_WORKERS", "").strip()
    if setting.isdigit() and int(setting) >= 1:
        return min(int(setting), MAX_SETTING, max(count, 1))
    cap = min(usable_cpus(), MAX_WORKERS)
    method = _start_method()
    least = MIN_ITEMS_SPAWNED if method == "spawn" else MIN_ITEMS
    if count < least or cap <= 1:
        return 1
    if method == "fork":
        cap += SPARE_WORKER
    return min(cap, max(1, count // (MIN_ITEMS // 2)))


def usable_cpus() -> int:
    """The cores this process may run on: a process held to one core (``taskset -c 0``, a
    PC's affinity setting) has one, however many the machine has."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # Windows, macOS: no affinity to ask
        return os.cpu_count() or 1


def _start_method() -> str:
    context = _context()
    return context.get_start_method() if context is not None else multiprocessing.get_start_method()


def _context():
    method = os.environ.get("WJEXCEL_WORKER_START", "").strip()
    return multiprocessing.get_context(method) if method else None


def _init(setup: Callable, args: tuple) -> None:
    _exit_with_parent()
    _state["context"] = setup(*args)


def _exit_with_parent() -> None:
    """In a worker: end this process as soon as the process that started it is gone (killed,
    crashed), so no worker outlives its run. The parent's sentinel is a pipe (POSIX) or a
    process handle (Windows) that becomes ready the moment it dies."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        os._exit(0)

    threading.Thread(target=watch, name="wjexcel-parent-watch", daemon=True).start()


def _call(job: Callable, item):
    return job(_state["context"], item)


class Workers:
    """Worker processes that keep their context (``setup(*setup_args)``) between jobs.

    ``submit(job, item)`` returns a future, or None when there are no workers (none were
    wanted, they could not start, or one died): the caller then does that job itself.
    """

    def __init__(self, count: int, setup: Callable, setup_args: tuple = ()):
        self.pool = None
        self.count = count if count > 1 else 1
        if count > 1:
            try:
                self.pool = ProcessPoolExecutor(max_workers=count, initializer=_init, initargs=(setup, setup_args),
                                                mp_context=_context())
                log.debug("%d worker processes", count)
            except (OSError, NotImplementedError, ImportError, ValueError) as exc:
                log.debug("no worker processes, working alone: %s", exc)
                self.pool = None

    def submit(self, job: Callable, item):
        if self.pool is None:
            return None
        try:
            return self.pool.submit(_call, job, item)
        except _CANNOT_SUBMIT as exc:
            log.debug("worker processes stopped, working alone: %s", exc)
            self.close()
            return None

    def map(self, job: Callable, items: list) -> Iterator | None:
        """``job``'s results for the items in their order, or None when there are no workers.

        Iterating raises what a job raised, and ``BrokenProcessPool`` when a worker died.
        """
        if self.pool is None:
            return None
        chunk = max(1, min(16, len(items) // (self.count * 8)))
        try:
            return self.pool.map(_call, [job] * len(items), items, chunksize=chunk)
        except _CANNOT_SUBMIT as exc:
            log.debug("worker processes stopped, working alone: %s", exc)
            self.close()
            return None

    @staticmethod
    def result(future):
        """The job's result, or None when its worker died (do it here instead); what the job raised is raised."""
        try:
            return future.result()
        except (BrokenProcessPool, CancelledError) as exc:  # cancelled: the workers stopped before it ran
            log.debug("a worker process failed, doing its job here: %r", exc)
            return None

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def run_all(job: Callable, items: list, setup: Callable, setup_args: tuple = (), *,
            workers: int | None = None, progress: Callable[[int], None] | None = None) -> Iterator:
    """``job(context, item)`` for every item, results in the items' order.

    ``context = setup(*setup_args)`` is made once per process (``setup``, ``job`` and the
    arguments must be picklable: module-level functions and plain data). ``progress(done)``
    is called as results arrive. An exception raised by ``job`` is raised here.
    """
    count = workers if workers is not None else workers_for(len(items))
    done = 0
    with Workers(count, setup, setup_args) as pool:
        mapped = pool.map(job, items)
        if mapped is not None:
            try:
                for result in mapped:
                    done += 1
                    if progress:
                        progress(done)
                    yield result
                return
            except BrokenProcessPool as exc:  # a worker died: finish here, redoing what the workers had not returned
                log.debug("worker processes stopped, working alone: %s", exc)
    context = setup(*setup_args)
    for item in items[done:]:
        result = job(context, item)
        done += 1
        if progress:
            progress(done)
        yield result


def results(job: Callable, items: Iterable, setup: Callable, setup_args: tuple = (), **kw) -> list:
    """:func:`run_all` as a list."""
    return list(run_all(job, list(items), setup, setup_args, **kw))
