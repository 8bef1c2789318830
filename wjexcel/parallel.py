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

import contextlib
import logging
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator

MIN_ITEMS = 40
"""Fewer items than this are done in this process."""

MIN_ITEMS_SPAWNED = 200
"""The same where each worker starts as a fresh interpreter (Windows): it imports the package and
receives its context anew, about half a second of a busy PC's time each."""

MAX_WORKERS = 4
"""Each worker holds its own copy of the plan and template; more rarely pays on a clerk's PC."""

MAX_SETTING = 61
"""The most ``WJEXCEL_WORKERS`` may ask for: Windows cannot wait on more worker processes."""

log = logging.getLogger(__name__)


def workers_for(count: int) -> int:
    """How many processes to use for ``count`` items: one (no workers) on one core, or for
    fewer items than starting workers costs."""
    setting = os.environ.get("WJEXCEL_WORKERS", "").strip()
    if setting.isdigit() and int(setting) >= 1:
        return min(int(setting), MAX_SETTING, max(count, 1))
    cap = min(usable_cpus(), MAX_WORKERS)
    least = MIN_ITEMS_SPAWNED if _start_method() == "spawn" else MIN_ITEMS
    if count < least or cap <= 1:
        return 1
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


def run_all(job: Callable, items: list, setup: Callable, setup_args: tuple = (), *,
            workers: int | None = None, progress: Callable[[int], None] | None = None) -> Iterator:
    """``job(context, item)`` for every item, results in the items' order.

    ``context = setup(*setup_args)`` is made once per process (``setup``, ``job`` and the
    arguments must be picklable: module-level functions and plain data). ``progress(done)``
    is called as results arrive. An exception raised by ``job`` is raised here; an item whose
    worker died is done here (and so is every item once no worker is left).
    """
    count = workers if workers is not None else workers_for(len(items))
    died = object()
    context = None
    with Lanes(count, setup, setup_args) as lanes:
        sent: deque = deque()  # (item, ticket or None), in the items' order
        later = iter(items)
        for done in range(1, len(items) + 1):
            while len(sent) < lanes.count * AHEAD:
                item = next(later, died)
                if item is died:
                    break
                sent.append((item, lanes.submit(job, item)))
            item, ticket = sent.popleft()
            result = lanes.result(ticket, died) if ticket is not None else died
            if result is died:
                if context is None:
                    context = setup(*setup_args)
                result = job(context, item)
            if progress:
                progress(done)
            yield result


def results(job: Callable, items: Iterable, setup: Callable, setup_args: tuple = (), **kw) -> list:
    """:func:`run_all` as a list."""
    return list(run_all(job, list(items), setup, setup_args, **kw))


# --- lanes: one pipe per worker, for a caller taking results one by one ------------------------------
JOIN_SECONDS = 5.0
"""How long :meth:`Lanes.close` waits for an idle worker to end before ending it."""

AHEAD = 4
"""Jobs :func:`run_all` keeps sent per worker: one running, the next ones waiting in its pipe."""


def _lane_main(conn, setup: Callable, setup_args: tuple) -> None:
    """A lane's worker: make the context once, then do each job the pipe brings, in order, and send
    back ``(True, result)`` or ``(False, what it raised)``, until told to stop (None) or the pipe closes."""
    import pickle
    import signal

    with contextlib.suppress(ValueError, OSError, AttributeError):  # Ctrl+C is the caller's to handle
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent()
    context = setup(*setup_args)
    while True:
        try:
            message = conn.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            message = pickle.loads(message)
            if message is None:
                return
            job, item = message
            reply = True, job(context, item)
        except BaseException as exc:  # noqa: BLE001 - the caller raises it, as it would have here
            reply = False, exc
        try:
            data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - a result or an error that cannot travel: said in words
            data = pickle.dumps((False, RuntimeError(f"{type(reply[1]).__name__}: {reply[1]}")))
        try:
            conn.send_bytes(data)
        except OSError:
            return


class _Ticket:
    """A job sent down a lane; done once its reply came back, or its worker died."""

    __slots__ = ("done", "ok", "value", "cancelled")

    def __init__(self):
        self.done = self.ok = self.cancelled = False
        self.value = None

    def cancel(self) -> None:
        """Its result is not wanted: it is dropped when it comes (a job already sent still runs)."""
        self.cancelled = True


class _Lane:
    __slots__ = ("process", "conn", "tickets", "live")

    def __init__(self, process, conn):
        self.process, self.conn = process, conn
        self.tickets: deque[_Ticket] = deque()  # sent, reply not yet come, in the order sent
        self.live = True


class Lanes:
    """Worker processes, each fed its jobs through its own pipe by the calling thread, keeping their
    context (``setup(*setup_args)``) between jobs; one thread here takes their replies as they come.

    For a caller that sends jobs a few ahead and takes each result when it needs it (collect's
    read-ahead, :func:`run_all`): ``submit(job, item)`` returns a ticket, or None when there are no
    workers (none were wanted, they could not start, or all died) and the caller does the job
    itself; :meth:`result` returns what the job returned, raises what it raised, and says when its
    worker died (do it here). A worker's death ends only its own lane. Workers start at the first job.

    A job goes straight from the caller into its worker's pipe, and a reply wakes the caller once:
    a ``ProcessPoolExecutor`` passes each job and each result through two threads of its own, which
    on a busy PC cost a switch of threads each time (measured: the main process's CPU time in a
    collect of 318 forms 12% lower, and half the context switches).
    """

    def __init__(self, count: int, setup: Callable, setup_args: tuple = ()):
        self.count = count if count > 1 else 1
        self._setup, self._setup_args = setup, setup_args
        self._lanes: list[_Lane] | None = None  # None: not started yet
        self._wanted = count > 1
        self._changed = threading.Condition()
        self._receiver: threading.Thread | None = None

    @property
    def available(self) -> bool:
        """Jobs may be sent (the workers are running, or will start at the first job)."""
        return self._wanted and (self._lanes is None or any(lane.live for lane in self._lanes))

    def submit(self, job: Callable, item) -> _Ticket | None:
        if not self.available or (self._lanes is None and not self._start()):
            return None
        with self._changed:
            live = [lane for lane in self._lanes if lane.live]
            if not live:
                return None
            lane = min(live, key=lambda each: len(each.tickets))
            ticket = _Ticket()
            lane.tickets.append(ticket)
        try:
            lane.conn.send((job, item))  # waits only while the worker reads: its replies are always taken
        except (OSError, EOFError, ValueError) as exc:
            log.debug("a worker process stopped, working alone on its jobs: %s", exc)
            self._end(lane)
            return None
        except BaseException:  # cannot be pickled (a caller's mistake): nothing was sent
            with self._changed:
                lane.tickets.remove(ticket)
            raise
        return ticket

    def result(self, ticket: _Ticket, died=None):
        """The job's result, or ``died`` when its worker died (do it here); what the job raised is raised."""
        with self._changed:
            while not ticket.done:
                self._changed.wait()
        if not ticket.ok:
            if ticket.value is None:
                return died
            raise ticket.value
        return ticket.value

    def close(self) -> None:
        """Stop the workers: an idle one when told, one still busy with jobs nobody waits for at once.
        Every worker has ended when this returns."""
        lanes, self._lanes, self._wanted = self._lanes or [], [], False
        for lane in lanes:
            if lane.live:
                with contextlib.suppress(OSError, EOFError, ValueError):
                    lane.conn.send(None)
        for lane in lanes:
            if lane.tickets:
                lane.process.terminate()  # what it is doing is wanted no more
            lane.process.join(JOIN_SECONDS)
            if lane.process.is_alive():
                lane.process.terminate()
                lane.process.join()
            self._end(lane)
        if self._receiver is not None:
            self._receiver.join()
            self._receiver = None
        for lane in lanes:
            lane.conn.close()

    def __enter__(self) -> Lanes:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- inside -------------------------------------------------------------------------------
    def _start(self) -> bool:
        context = _context() or multiprocessing.get_context()
        lanes = []
        try:
            for n in range(self.count):
                mine, theirs = context.Pipe()
                process = context.Process(target=_lane_main, args=(theirs, self._setup, self._setup_args),
                                          name=f"wjexcel-lane-{n + 1}", daemon=True)
                try:
                    process.start()
                finally:
                    theirs.close()
                lanes.append(_Lane(process, mine))
        except Exception as exc:  # noqa: BLE001 - a locked-down PC, an interpreter that cannot start them
            log.debug("no worker processes, working alone: %s", exc)
            for lane in lanes:
                lane.process.terminate()
                lane.process.join()
                lane.conn.close()
            self._wanted = False
            return False
        self._lanes = lanes
        self._receiver = threading.Thread(target=self._receive, args=(lanes,), name="wjexcel-lanes", daemon=True)
        self._receiver.start()
        log.debug("%d worker processes (lanes)", len(lanes))
        return True

    def _receive(self, lanes: list[_Lane]) -> None:
        """Take every reply as it comes, until every lane has ended; a lane whose worker died ends
        with its jobs unanswered (their callers do them)."""
        import pickle
        from multiprocessing.connection import wait

        by_conn = {lane.conn: lane for lane in lanes}
        try:
            while by_conn:
                for conn in wait(list(by_conn)):
                    lane = by_conn[conn]
                    try:
                        data = conn.recv_bytes()
                    except (EOFError, OSError):
                        del by_conn[conn]
                        self._end(lane)
                        continue
                    try:
                        ok, value = pickle.loads(data)
                    except Exception as exc:  # noqa: BLE001 - a reply that cannot be read back here
                        ok, value = False, RuntimeError(f"unreadable reply: {exc!r}")
                    with self._changed:
                        ticket = lane.tickets.popleft() if lane.tickets else None
                        if ticket is not None:
                            ticket.ok, ticket.value = ok, None if ticket.cancelled else value
                            ticket.done = True
                            self._changed.notify_all()
                    if ticket is None:  # a reply to no job: this lane cannot be trusted
                        log.debug("a worker replied to no job: its lane is ended")
                        del by_conn[conn]
                        lane.process.terminate()
                        self._end(lane)
        finally:  # never leave a caller waiting
            for lane in lanes:
                self._end(lane)

    def _end(self, lane: _Lane) -> None:
        """This lane takes no more jobs; those it had not answered are the callers' to do."""
        with self._changed:
            lane.live = False
            while lane.tickets:
                ticket = lane.tickets.popleft()
                ticket.ok, ticket.value, ticket.done = False, None, True
            self._changed.notify_all()
