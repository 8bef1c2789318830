"""The debug log: library output and diagnostics never reach the clerk's screen."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from wjexcel import logs


def test_library_output_is_kept_off_stdout_at_every_level(tmp_path):
    """print(), a native write to descriptor 1 and a child process inheriting it all end in
    the log; what is written after the block reaches stdout as before."""
    script = textwrap.dedent(f"""
        import os, subprocess, sys
        from pathlib import Path
        from wjexcel import logs
        logs.configure(debug=False)
        logs.use_folder(Path({str(tmp_path)!r}))
        with logs.library_output_to_log():
            print("python print")
            os.write(1, b"native write\\n")
            subprocess.run([sys.executable, "-c", "print('child process')"])
        print('["json"]')
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, encoding="utf-8")
    assert done.stdout == '["json"]\n' and done.stderr == ""
    log = (tmp_path / logs.LOG_FILE).read_text(encoding="utf-8")
    assert "python print" in log and "native write" in log and "child process" in log


def test_diagnostics_go_to_the_log_and_to_stderr_only_when_asked(tmp_path):
    script = textwrap.dedent(f"""
        import logging
        from pathlib import Path
        from wjexcel import logs
        logs.configure(debug={{debug}})
        logs.use_folder(Path({str(tmp_path)!r}))
        try:
            {{{{}}}}["missing"]
        except KeyError:
            logging.getLogger("wjexcel.collect.collector").exception("collect failed on 收回/甲.xlsx")
        logging.getLogger("wjexcel.collect.collector").warning("return copy failed")
    """)
    quiet = subprocess.run([sys.executable, "-c", script.format(debug=False)], capture_output=True, text=True,
                           encoding="utf-8")
    assert quiet.stderr == "" and quiet.stdout == ""
    log = (tmp_path / logs.LOG_FILE).read_text(encoding="utf-8")
    assert "collect failed on 收回/甲.xlsx" in log and "Traceback" in log and "return copy failed" in log
    loud = subprocess.run([sys.executable, "-c", script.format(debug=True)], capture_output=True, text=True,
                          encoding="utf-8")
    assert "Traceback" in loud.stderr and "return copy failed" in loud.stderr


def test_a_library_caller_sees_nothing_on_stderr(tmp_path):
    """Without the command line's set-up (the Excel buttons, a script), the package's log goes
    nowhere rather than to Python's last-resort handler on stderr."""
    done = subprocess.run([sys.executable, "-c", "import logging, wjexcel; "
                           "logging.getLogger('wjexcel.collect.collector').warning('return copy failed')"],
                          capture_output=True, text=True)
    assert done.stderr == ""


def test_the_log_stays_bounded(tmp_path):
    logs.configure(debug=False)
    logs.use_folder(tmp_path)
    import logging

    log = logging.getLogger("wjexcel.test")
    for n in range(3 * logs.MAX_LOG_BYTES // 1000):
        log.debug("line %d %s", n, "x" * 1000)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == [logs.LOG_FILE, logs.LOG_FILE + ".1"]
    assert sum(p.stat().st_size for p in tmp_path.iterdir()) <= 2 * logs.MAX_LOG_BYTES + 2048
    logs.configure(debug=False)
    assert os.path.exists(tmp_path / logs.LOG_FILE)


EXCEL_LIST_VALIDATION = (  # what Excel 2010+ writes for a list validation whose source is on another sheet
    '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1">'
    '<x14:formula1><xm:f>指标填报!$A$1:$A$3</xm:f></x14:formula1><xm:sqref>H1</xm:sqref>'
    '</x14:dataValidation></x14:dataValidations></ext></extLst>')


def test_a_librarys_warning_goes_to_the_log_not_the_screen(tmp_path, make_workspace, forms_of):
    """A returned form carrying Excel's list-validation extension makes openpyxl warn ("Data
    Validation extension is not supported") when the 退回 copy is written: the clerk's screen
    shows the collect result only, the debug log keeps the warning."""
    import zipfile

    from wjexcel.demo.fill import fill_form
    from wjexcel.plan.workbook import workspace_plan

    ws = make_workspace("2022")
    form = forms_of(ws)["七都镇"]
    plan = workspace_plan(ws)
    values = {i.code: 5 for i in plan.indicators_for(plan.reporter("七都镇"))} | {"7-1": "约12"}
    filled = fill_form(form, tmp_path / "filled.xlsx", values, names={i.code: i.name for i in plan.indicators})
    with zipfile.ZipFile(filled) as src, zipfile.ZipFile(ws.inbox / "七都镇.xlsx", "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</worksheet>", EXCEL_LIST_VALIDATION.encode() + b"</worksheet>")
            out.writestr(info, data)
    done = subprocess.run([sys.executable, "-m", "wjexcel", "collect", "-w", str(ws.root)], capture_output=True,
                          text=True, encoding="utf-8")
    assert done.returncode == 1 and "已退回 1 个" in done.stdout, done.stdout + done.stderr
    assert done.stderr == "" and "Warning" not in done.stdout
    log = (ws.state / logs.LOG_FOLDER / logs.LOG_FILE).read_text(encoding="utf-8")
    assert "UserWarning" in log and "Data Validation extension is not supported" in log
