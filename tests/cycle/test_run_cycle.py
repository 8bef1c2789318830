"""The one-click cycle (wjexcel.cycle.run_cycle) on a real workspace."""

from __future__ import annotations

from wjexcel.cycle import init_workspace


def test_one_click_opens_the_ledger_once_for_collect_and_consolidate(tmp_path, monkeypatch):
    """Opening the ledger checks its integrity (PRAGMA quick_check, the whole file): one 一键汇总
    opens it once for collect, consolidate and the reporting status; a real returned form is
    collected and reported."""
    import datetime as dt

    from wjexcel.cycle import run_cycle
    from wjexcel.demo.fill import fill_form
    from wjexcel.forms.outbox import generate_forms
    from wjexcel.workspace.ledger import Ledger

    ws = init_workspace(tmp_path / "工作区")
    generate_forms(ws, "2022Q3")
    form = next(ws.outbox.rglob("*七都镇*.xlsx"))
    fill_form(form, ws.inbox / form.name, {"新建、改建政府主导运营的科创载体面积": 0.5},
              signer={"填报人": "王芳", "填报日期": dt.date(2022, 10, 8)})
    opened = []
    real_open = Ledger.open.__func__

    def counting_open(cls, ws):
        opened.append(ws)
        return real_open(cls, ws)

    monkeypatch.setattr(Ledger, "open", classmethod(counting_open))
    result = run_cycle(ws, "2022Q3")
    assert [v.status for v in result.collected.new] == ["accepted"] and result.report_path.is_file()
    assert len(opened) == 1
