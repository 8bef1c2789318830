"""What one collect run says (wjexcel.collect.results): counts by verdict, files left for the next
run named apart, and collect --json keeping a deferred file's ``ignored``."""

from __future__ import annotations

from wjexcel.collect.results import CollectResult, FileVerdict
from wjexcel.problems import WARNING, Code, Problem
from wjexcel.records import Verdict

LATER = "本次收集已用满 5 分钟的时间上限，这个文件还没有检查，留待下次运行“收集”时检查"


def run() -> CollectResult:
    bad = Problem("“约12”不是确定的数字", "指标填报", "D9", file="收回/震泽镇.xlsx", code=Code.VALUE_NOT_NUMBER)
    return CollectResult([
        FileVerdict("收回/七都镇.xlsx", Verdict.ACCEPTED, "七都镇", "2022Q3", submission_id=1),
        FileVerdict("收回/七都镇（1）.xlsx", Verdict.DUPLICATE, "七都镇", "2022Q3", submission_id=2),
        FileVerdict("收回/震泽镇.xlsx", Verdict.REJECTED, "震泽镇", "2022Q3", problems=[bad], note=bad.message, submission_id=3,
                    return_copy="汇总/退回/2022Q3/震泽镇_退回.xlsx"),
        FileVerdict("收回/平望镇.xlsx", Verdict.ACCEPTED, "平望镇", "2022Q3", submission_id=4, unchanged=True),
        FileVerdict("收回/盛泽镇.zip", Verdict.IGNORED, note="压缩包（已存档），其中的文件逐个检查如下", submission_id=5,
                    container=True),
        FileVerdict("收回/盛泽镇.zip/说明.txt", Verdict.IGNORED, note="不是 Excel 填报表", submission_id=6),
        *(FileVerdict(f"收回/晚到{n}.xlsx", Verdict.DEFERRED, note=LATER,
                      problems=[Problem(LATER, file=f"收回/晚到{n}.xlsx", severity=WARNING, code=Code.FILE_DEFERRED)])
          for n in range(2)),
    ], period="2022Q3")


def test_counts_leave_out_archives_and_files_left_for_the_next_run():
    result = run()
    assert {v: result.count(v) for v in Verdict} == {
        Verdict.ACCEPTED: 2, Verdict.REJECTED: 1, Verdict.DUPLICATE: 1, Verdict.SUPERSEDED: 0, Verdict.IGNORED: 1,
        Verdict.DEFERRED: 2}
    assert result.count(Verdict.ACCEPTED, new_only=True) == 1
    assert [v.file for v in result.deferred] == ["收回/晚到0.xlsx", "收回/晚到1.xlsx"]
    assert len(result.new) == 4 and [v.file for v in result.new_rejected] == ["收回/震泽镇.xlsx"]


def test_the_summary_names_each_verdict_by_its_label_and_the_files_left():
    lines = run().summary_text().splitlines()
    assert lines[0] == ("共检查 5 个文件（新收到 4 个，另有压缩包 1 个已逐个打开检查），已接收 2 个，已退回 1 个，"
                        "重复文件 1 个，已忽略 1 个。")
    assert lines[1] == f"留待下次检查的文件：收回/晚到0.xlsx、收回/晚到1.xlsx（{LATER}）。再运行一次“收集”即可继续。"
    assert lines[2] == "被退回的文件：收回/震泽镇.xlsx（“约12”不是确定的数字）"
    assert "退回表已写入“汇总/退回”文件夹" in lines[3]


def test_the_json_keeps_the_specs_words():
    out = [v.as_json() for v in run().verdicts]
    assert [o["status"] for o in out] == ["accepted", "duplicate", "rejected", "accepted", "ignored", "ignored",
                                          "ignored", "ignored"]
    assert all(type(o["status"]) is str for o in out)
    assert out[2]["errors"] == [{"sheet": "指标填报", "cell": "D9", "message": "“约12”不是确定的数字",
                                 "code": "value.not_number"}]
    assert out[6]["warnings"][0]["code"] == "file.deferred" and "留待下次" in out[6]["reason"]
