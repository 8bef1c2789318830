"""One progress display for long work, on stderr, and a silent stand-in.

The library never prints: long-running functions accept ``progress(done, total, label)``
(``None`` for silence), called before each item with the label naming it, and the CLI
passes a :class:`StderrProgress`; :func:`stage` prefixes the labels of one stage of a
longer job. A slow item (a file that takes many seconds to read) is named while it is
being worked on, so the clerk always sees what the program is doing.
"""

from __future__ import annotations

import sys
import threading
import time

MIN_ITEMS = 3  # below this a bar is only noise
SLOW_SECONDS = 5.0
"""An item taking longer than this is named on the screen while it runs."""
PIPE_SECONDS = 5.0
"""On a pipe or in a log file, at most one progress line this often."""


class StderrProgress:
    """Draws ``动作 [#####-----] 12/40 名称`` on one line of stderr (a line now and then on a
    pipe), and ``动作：正在处理 名称（已 12 秒）`` while one item is slow."""

    def __init__(self, action: str, stream=None, width: int = 24, *, clock=time.monotonic, watch: bool = True):
        self.action = action
        self.stream = stream or sys.stderr
        self.width = width
        self.tty = getattr(self.stream, "isatty", lambda: False)()
        self.clock = clock
        self.watch = watch
        self._last = float("-inf")
        self._current = ("", 0.0)  # label, started
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    def __call__(self, done: int, total: int, label: str = "") -> None:
        now = self.clock()
        finished = done >= total and not _item(label)
        with self._lock:
            self._current = ("" if finished else label, now)
        if finished:
            self._stop.set()
        elif self.watch and (self._watcher is None or self._stop.is_set()):
            self._stop = threading.Event()
            self._watcher = threading.Thread(target=self._watch, args=(self._stop,), daemon=True)
            self._watcher.start()
        if total < MIN_ITEMS:
            return
        if not self.tty:
            # A pipe or log file: a line now and then, never a flood.
            if finished or done == 0 or now - self._last >= PIPE_SECONDS:
                self._write(f"{self.action}：{done}/{total} {label}".rstrip(" ：") + "\n", now)
            return
        if not finished and now - self._last < 0.1:
            return
        filled = int(self.width * done / total) if total else self.width
        bar = "#" * filled + "-" * (self.width - filled)
        self._write(f"\r{self.action} [{bar}] {done}/{total} {label[-30:]:<30}" + ("\n" if finished else ""), now)

    def stop(self) -> None:
        """The work is over (perhaps with an error before its last step): no more 正在处理 lines."""
        with self._lock:
            self._current = ("", 0.0)
        self._stop.set()

    def tick(self) -> None:
        """Name the item in progress when it has been running for :data:`SLOW_SECONDS` (the
        watcher thread calls this every second)."""
        now = self.clock()
        with self._lock:
            label, started = self._current
        if not label or now - started < SLOW_SECONDS or now - self._last < SLOW_SECONDS:
            return
        text = f"{self.action}：正在处理 {label}（已 {int(now - started)} 秒）"
        self._write(f"\r{text:<60}" if self.tty else text + "\n", now)

    def _watch(self, stop: threading.Event) -> None:
        while not stop.wait(1.0):
            self.tick()

    def _write(self, text: str, now: float) -> None:
        with self._lock:
            self._last = now
            try:
                self.stream.write(text)
                self.stream.flush()
            except (OSError, ValueError):
                pass


def _item(label: str) -> str:
    """The item a label names, without its stage (``收集：收回/七都镇.xlsx`` → ``收回/七都镇.xlsx``)."""
    return label.split("：", 1)[1] if "：" in label else label


def stage(progress, name: str):
    """``progress`` for one stage of a longer job: the label says which stage it is."""
    if progress is None:
        return None
    return lambda done, total, label="": progress(done, total, f"{name}：{label}")
