"""Mail drafts out: generate writes one ``.eml`` per reporter, addressed from the plan's 邮箱,
naming the period, the 截止日期, the contact and phone, with the form attached under its
Chinese name; they parse back with the standard library (both its policies) and with the
collector's own mail reader, and a 邮箱 column is optional in the plan workbook."""

from __future__ import annotations

import email
import re
from datetime import date, datetime
from email import policy
from email.utils import collapse_rfc2231_value

import openpyxl
import pytest
from click.testing import CliRunner

from wjexcel.cli import cli
from wjexcel.collect.mail import read_mail
from wjexcel.cycle import init_workspace
from wjexcel.cycle import actions
from wjexcel.excel import buttons as eb
from wjexcel.forms.drafts import DRAFTS_FOLDER
from wjexcel.forms.outbox import generate_forms
from wjexcel.plan.layout import REPORTERS
from wjexcel.plan.workbook import check_plan_file, load_plan, workspace_plan

PERIOD = "2022Q3"


def set_reporter_cells(path, values: dict[str, dict[str, str]]) -> None:
    """Type into 填报单位 (by header), as a clerk does in Excel; a new header goes in a new last column."""
    wb = openpyxl.load_workbook(path)
    sheet = wb[REPORTERS]
    heads = {c.value: c.column for c in sheet[1] if c.value}
    for reporter, cells in values.items():
        row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == reporter)
        for head, value in cells.items():
            if head not in heads:
                heads[head] = sheet.max_column + 1
                sheet.cell(1, heads[head], head)
            sheet.cell(row, heads[head], value)
    wb.save(path)


def set_setting(path, label: str, value) -> None:
    wb = openpyxl.load_workbook(path)
    sheet = wb["设置"]
    row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == label)
    sheet.cell(row, 2, value)
    wb.save(path)


@pytest.fixture(scope="module")
def drafted(tmp_path_factory):
    ws = init_workspace(tmp_path_factory.mktemp("drafts") / "ws")
    set_reporter_cells(ws.plan_file, {"七都镇": {"邮箱": "qidu@wujiang.gov.cn; kj@qidu.gov.cn"}})
    set_setting(ws.plan_file, "联系人", "张敏")
    set_setting(ws.plan_file, "联系电话", "0512-63981234")
    result = generate_forms(ws, PERIOD, deadline=date(2022, 10, 10), now=datetime(2022, 9, 30, 9, 0))
    return ws, result


def test_one_draft_per_form_with_the_form_attached(drafted):
    ws, result = drafted
    folder = ws.outbox / PERIOD / DRAFTS_FOLDER
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{f.reporter}.eml" for f in result.forms)
    assert len(result.drafts) == len(result.forms)
    plan = workspace_plan(ws)
    qidu_form = next(f for f in result.forms if f.reporter == "七都镇")
    msg = email.message_from_bytes((folder / "七都镇.eml").read_bytes(), policy=policy.default)
    assert msg["X-Unsent"] == "1"
    assert [a.addr_spec for a in msg["To"].addresses] == ["qidu@wujiang.gov.cn", "kj@qidu.gov.cn"]
    subject = str(msg["Subject"])
    assert "2022年第三季度" in subject and "2022年10月10日" in subject and "七都镇" in subject
    body = msg.get_body(("plain",)).get_content()
    for words in ("七都镇：", "2022年第三季度", "2022年10月10日前", "联系人：张敏", "联系电话：0512-63981234",
                  plan.lead_unit, qidu_form.path.name):
        assert words in body, words
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_filename() == qidu_form.path.name  # the Chinese name survives
    assert attachment.get_content_type() == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert attachment.get_content() == qidu_form.path.read_bytes()
    assert re.search(rb"filename\*(0\*)?=utf-8''", (folder / "七都镇.eml").read_bytes())  # RFC 2231
    assert "To" not in email.message_from_bytes((folder / "震泽镇.eml").read_bytes(), policy=policy.default)
    assert "报送截止日期：2022-10-10" in result.summary_text()


def test_drafts_read_back_by_an_older_reader_and_by_collect(drafted):
    ws, result = drafted
    form = next(f for f in result.forms if f.reporter == "震泽镇")
    raw = (ws.outbox / PERIOD / DRAFTS_FOLDER / "震泽镇.eml").read_bytes()
    assert raw.isascii() and b"\r\n" in raw  # 7-bit, CRLF: every client and gateway passes it
    old = email.message_from_bytes(raw, policy=policy.compat32)
    part = next(p for p in old.walk() if p.get_content_disposition() == "attachment")
    assert collapse_rfc2231_value(part.get_param("filename", header="content-disposition")) == form.path.name
    mail = read_mail(raw, "震泽镇.eml")
    assert [(a.name, a.data) for a in mail.attachments] == [(form.path.name, form.path.read_bytes())]
    assert "2022年10月10日" in mail.subject


def test_the_form_prints_the_deadline_given(drafted):
    ws, result = drafted
    guide = openpyxl.load_workbook(result.forms[0].path)["填报说明"]
    assert any("2022年10月10日" in str(c.value) for row in guide.iter_rows() for c in row if c.value)


def test_a_bad_address_is_a_located_plan_error_and_the_column_is_optional(tmp_path, make_workspace):
    ws = make_workspace()
    assert "邮箱" in [c.value for c in openpyxl.load_workbook(ws.plan_file)[REPORTERS][1]]
    plan_file = tmp_path / "计划.xlsx"
    plan_file.write_bytes(ws.plan_file.read_bytes())
    set_reporter_cells(plan_file, {"震泽镇": {"邮箱": "震泽镇科技办"}})
    errors = [p for p in check_plan_file(plan_file) if p.is_error]
    assert len(errors) == 1 and errors[0].sheet == REPORTERS and "不像邮件地址" in errors[0].message
    assert errors[0].cell.startswith("F")
    wb = openpyxl.load_workbook(plan_file)  # a plan workbook from before the column existed
    wb[REPORTERS].delete_cols(6)
    wb.save(plan_file)
    assert [p for p in check_plan_file(plan_file) if p.is_error] == []
    assert all(r.email == "" for r in load_plan(plan_file).reporters)


def test_generate_deadline_option_and_the_drafts_button(make_workspace):
    ws = make_workspace()
    out = CliRunner().invoke(cli, ["generate", "-p", PERIOD, "-w", str(ws.root), "--deadline", "2022-10-15"])
    assert out.exit_code == 0, out.output
    assert "报送截止日期：2022-10-15" in out.output
    from wjexcel.workspace.ledger import Ledger

    with Ledger.open(ws) as ledger:
        assert ledger.deadline(PERIOD) == date(2022, 10, 15)
    drafts = next(a for a in actions.ACTIONS if a.key == "drafts")
    lines = eb.run_action(drafts, {"period": PERIOD, "workspace": str(ws.root)}, ws.root)
    assert any(str(ws.outbox / PERIOD / DRAFTS_FOLDER) in line for line in lines)
    out = CliRunner().invoke(cli, ["drafts", "-p", "2022Q4", "-w", str(ws.root)])
    assert out.exit_code == 1 and "还没有邮件草稿" in str(out.exception or out.output)
