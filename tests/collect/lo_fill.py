"""Type into workbooks with real LibreOffice (Python-UNO), then save them as .xlsx and .xls.

Run by the system Python that has LibreOffice's ``uno`` module (Debian: python3-uno):

    /usr/bin/python3 tests/collect/lo_fill.py JOBS.json

JOBS.json is a list of ``{"src": path, "out": path-without-suffix, "cells": [[sheet, "F7", text], ...]}``.
Each text is entered by selecting the cell and dispatching ``.uno:EnterString``, Calc's own input
line, so it is read exactly as if a person typed it: ``1,200`` becomes a number, ``约12`` stays text,
``=1+1`` a formula with its result, and ``3.7%`` the number 0.037 with a percent format (the
``setFormula`` API would leave the format General). One LibreOffice process serves every job.
"""

import json
import os
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(pipe):
    """The remote component context and desktop of the LibreOffice listening on ``pipe``."""
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.time() + 60
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return ctx, ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except Exception:
            if time.time() > deadline:
                raise
            time.sleep(0.3)


def main(jobs_file):
    with open(jobs_file, encoding="utf-8") as fh:
        jobs = json.load(fh)
    pipe = f"wjx_fill_{os.getpid()}"
    profile = tempfile.mkdtemp(prefix="wjx_lo_fill_")
    proc = subprocess.Popen(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--invisible", "--norestore",
         "--nolockcheck", f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ctx, desktop = connect(pipe)
        dispatcher = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
        for job in jobs:
            url = uno.systemPathToFileUrl(os.path.abspath(job["src"]))
            doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
            try:
                controller = doc.getCurrentController()
                for sheet_name, address, text in job["cells"]:
                    sheet = doc.Sheets.getByName(sheet_name)
                    controller.setActiveSheet(sheet)
                    controller.select(sheet.getCellRangeByName(address))
                    dispatcher.executeDispatch(controller.getFrame(), ".uno:EnterString", "", 0,
                                               (prop("StringName", text),))
                base = os.path.abspath(job["out"])
                doc.storeToURL(uno.systemPathToFileUrl(base + ".xlsx"), (prop("FilterName", "Calc Office Open XML"),))
                doc.storeToURL(uno.systemPathToFileUrl(base + ".xls"), (prop("FilterName", "MS Excel 97"),))
            finally:
                doc.close(True)
        try:
            desktop.terminate()
        except Exception:
            pass
    finally:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main(sys.argv[1])
