"""What one collect run may spend: time, and bytes inflated out of archives."""

from __future__ import annotations

import time

from wjexcel.collect.preflight import MAX_TOTAL_BYTES

RUN_SECONDS = 300.0
"""Time one collect run may spend; files not started by then wait for the next run."""
INFLATE_BYTES = MAX_TOTAL_BYTES
"""Bytes one collect run may inflate out of archives in all (as much as one archive may declare)."""
DEFERRED_TIME_NOTE = ("本次收集已用满 {limit}的时间上限，这个文件还没有检查，留待下次运行“收集”时检查"
                      "（文件原样保留在“收回”中）")
DEFERRED_INFLATE_NOTE = ("本次收集从压缩包中解压的内容已达 {limit} MB 的上限，这个文件还没有解压检查，"
                         "留待下次运行“收集”时检查（文件原样保留）")


class Limits:
    """What one collect run may still spend: time, and bytes inflated out of archives.

    The first file a run reads is always judged, so every run makes progress however
    small the budget.
    """

    def __init__(self, seconds: float | None, inflate: int = INFLATE_BYTES):
        self.seconds = seconds
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self.inflate_budget = self.inflate_left = inflate
        self.judged = 0

    def out_of_time(self) -> bool:
        return self.judged > 0 and self.deadline is not None and time.monotonic() > self.deadline

    def inflate(self, size: int) -> bool:
        """Take ``size`` bytes from the inflate budget, or say there is not enough left."""
        if size > self.inflate_left and self.judged > 0:
            return False
        self.inflate_left -= size
        return True

    def time_note(self) -> str:
        seconds = self.seconds or 0
        return DEFERRED_TIME_NOTE.format(limit=f"{seconds / 60:g} 分钟" if seconds >= 60 else f"{seconds:g} 秒")

    def inflate_note(self) -> str:
        return DEFERRED_INFLATE_NOTE.format(limit=f"{self.inflate_budget / (1 << 20):.3g}")
