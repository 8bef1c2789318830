"""The progress display names the file being read, on a terminal and on a pipe."""

from __future__ import annotations

import io

from wjexcel.progress import SLOW_SECONDS, StderrProgress, stage


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_slow_file_is_named_while_it_is_read():
    out, clock = io.StringIO(), Clock()
    progress = StderrProgress("收集", out, clock=clock, watch=False)
    progress(0, 1, "收回/邮件.zip/七都镇.xlsx")  # one zip: too few items for a bar, still named when slow
    progress.tick()
    assert out.getvalue() == ""
    clock.now += SLOW_SECONDS + 7
    progress.tick()
    assert out.getvalue() == "收集：正在处理 收回/邮件.zip/七都镇.xlsx（已 12 秒）\n"
    progress(1, 1, "")
    clock.now += 60
    progress.tick()
    assert out.getvalue().count("正在处理") == 1  # finished: nothing more


def test_work_that_ends_in_an_error_stops_naming_its_item():
    """A run that fails before its last step (nothing to report) must not leave the watcher
    naming the item every few seconds in the launcher's window."""
    out, clock = io.StringIO(), Clock()
    progress = StderrProgress("一键汇总", out, clock=clock)
    progress(1, 3, "汇总：计算完成值和状态……")
    watcher = progress._watcher
    progress.stop()
    watcher.join(timeout=30)
    assert not watcher.is_alive()
    clock.now += SLOW_SECONDS + 60
    progress.tick()
    assert "正在处理" not in out.getvalue()


def test_lines_on_a_pipe_name_the_file():
    out, clock = io.StringIO(), Clock()
    progress = StderrProgress("一键汇总", out, clock=clock, watch=False)
    run = stage(progress, "收集")
    run(0, 40, "收回/七都镇.xlsx")
    clock.now += 1
    run(1, 40, "收回/桃源镇.xlsx")  # too soon for another line
    clock.now += 10
    run(2, 40, "收回/震泽镇.xlsx")
    run(40, 40, "")
    assert out.getvalue().splitlines() == ["一键汇总：0/40 收集：收回/七都镇.xlsx", "一键汇总：2/40 收集：收回/震泽镇.xlsx",
                                           "一键汇总：40/40 收集"]
