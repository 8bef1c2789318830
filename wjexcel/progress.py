"""One progress display for long work, on stderr, and a silent stand-in.

The library never prints: long-running functions accept ``progress(done, total, label)``
(``None`` for silence) and the CLI passes a :class:`StderrProgress`; :func:`stage` prefixes
the labels of one stage of a longer job.
"""

from __future__ import annotations

import sys
import time

MIN_ITEMS = 3  # below this a bar is only noise


class StderrProgress:
    """Draws ``动作 [#####-----] 12/40 名称`` on one line of stderr."""

    def __init__(self, action: str, stream=None, width: int = 24):
        self.action = action
        self.stream = stream or sys.stderr
        self.width = width
        self.tty = getattr(self.stream, "isatty", lambda: False)()
        self._last = 0.0
        self._drawn = False

    def __call__(self, done: int, total: int, label: str = "") -> None:
        if total < MIN_ITEMS:
            return
        now = time.monotonic()
        finished = done >= total
        if not self.tty:
            # A pipe or log file: a line now and then, never a flood.
            if finished or done == 0 or now - self._last >= 5:
                stage = label.split("：", 1)[0] if "：" in label else ""
                self.stream.write(f"{self.action}：{stage + ' ' if stage else ''}{done}/{total}\n")
                self._last = now
            return
        if not finished and now - self._last < 0.1:
            return
        self._last = now
        filled = int(self.width * done / total) if total else self.width
        bar = "#" * filled + "-" * (self.width - filled)
        name = (label[-30:]) if label else ""
        self.stream.write(f"\r{self.action} [{bar}] {done}/{total} {name:<30}")
        self._drawn = True
        if finished:
            self.stream.write("\n")
        self.stream.flush()


def stage(progress, name: str):
    """``progress`` for one stage of a longer job: the label says which stage it is."""
    if progress is None:
        return None
    return lambda done, total, label="": progress(done, total, f"{name}：{label}")
