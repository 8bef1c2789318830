"""The one way every front end turns an error into the clerk's message, and the actions' exit codes."""

from __future__ import annotations

import errno
import logging
from pathlib import Path

import pytest

from wjexcel import logs
from wjexcel.cycle import actions, init_workspace
from wjexcel.errors import PeriodError, WorkspaceError


def test_wjexcel_errors_say_their_own_message():
    assert actions.clerk_message(WorkspaceError("工作区缺少计划文件")) == "工作区缺少计划文件"


def test_a_refused_write_names_the_folder_and_what_to_do(tmp_path):
    refused = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "汇总" / "表.xlsx"))
    assert actions.clerk_message(refused) == f"无法写入“{tmp_path / '汇总'}”（磁盘空间不足）。请腾出磁盘空间后再运行一次。"


def test_a_file_that_cannot_be_read_is_named(tmp_path):
    with pytest.raises(OSError) as info:
        (tmp_path / "不见了.xlsx").read_bytes()
    message = actions.clerk_message(info.value)
    assert message.startswith(f"无法读写“{tmp_path / '不见了.xlsx'}”（文件已不存在") and "内部出错" not in message


def test_a_disk_refusal_wrapped_by_a_library_is_still_the_disk():
    try:
        try:
            raise OSError(errno.EROFS, "Read-only file system", "/media/u盘/汇总/表.xlsx")
        except OSError as exc:
            raise RuntimeError("could not close the zip") from exc
    except RuntimeError as wrapped:
        message = actions.clerk_message(wrapped)
    assert message.startswith("无法写入“/media/u盘/汇总”（磁盘或文件夹是只读的）")


def test_anything_else_is_an_internal_error_naming_the_log(tmp_path):
    (tmp_path / ".wjexcel").mkdir()
    try:
        raise KeyError("boom")
    except KeyError as exc:
        recorded = actions.record_error(exc, tmp_path)
        message = actions.clerk_message(exc, recorded)
        unrecorded = actions.clerk_message(exc)
    assert recorded == tmp_path / ".wjexcel" / logs.LOG_FOLDER / logs.LOG_FILE
    text = recorded.read_text(encoding="utf-8")
    assert "Traceback" in text and "KeyError: 'boom'" in text
    assert message == f"程序内部出错，本次操作没有完成。详细情况已记入调试日志“{recorded}”，请把它发给维护人员。"
    assert unrecorded == "程序内部出错，本次操作没有完成。请联系维护人员。"


def test_attempt_returns_the_value_or_the_failure(tmp_path):
    assert actions.attempt(lambda: 42) == 42

    def wrong_period():
        raise PeriodError("期间“2022Q5”无法识别")

    assert actions.attempt(wrong_period) == actions.Failure("期间“2022Q5”无法识别", 2)

    def interrupted():
        raise KeyboardInterrupt

    assert actions.attempt(interrupted) == actions.Failure("已中断。", 1)

    def broken():
        raise RuntimeError("a bug")

    failure = actions.attempt(broken, folder=tmp_path)  # not a workspace: the log in use, or the temporary folder's
    assert failure.code == 1 and failure.message.startswith("程序内部出错") and "Traceback" not in failure.message
    named = Path(failure.message.split("“")[1].split("”")[0])
    assert named == logs.log_path() and "RuntimeError: a bug" in named.read_text(encoding="utf-8")
    assert not (tmp_path / ".wjexcel").exists()


def test_the_command_line_log_is_used_when_no_workspace_is_known(tmp_path):
    logs.configure()
    logs.use_folder(tmp_path / "cli-log")
    try:
        raise ValueError("x")
    except ValueError as exc:
        recorded = actions.record_error(exc, doing="wjexcel status -p 2022")
    assert recorded == tmp_path / "cli-log" / logs.LOG_FILE
    assert "wjexcel status -p 2022 did not complete" in recorded.read_text(encoding="utf-8")
    logging.getLogger(logs.LOGGER).setLevel(logging.NOTSET)


def test_an_action_says_how_it_ended(tmp_path):
    """The exit code a launcher returns: 1 when 一键汇总 had nothing to report; the period is remembered."""
    ws = init_workspace(tmp_path / "工作区")
    run = actions.ACTION_BY_KEY["run"]
    done = actions.perform(run, ws.root, "2022q3")
    assert done.code == 1 and done.lines[:2] == [f"工作区：{ws.root}", "期间：2022Q3"]
    assert any("没有可汇总的内容" in line for line in done.lines)
    assert actions.last_period(ws.root) == "2022Q3"
    status = actions.perform(actions.ACTION_BY_KEY["status"], ws.root, "2022Q3", deadline="2022-10-10")
    assert status.code == 0 and "报送截止日期：2022-10-10" in status.lines
