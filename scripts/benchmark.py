"""Measure wjexcel's speed and memory as ratios against a baseline run in the same process.

Absolute seconds depend on the machine; ratios do not (much). The baseline is what any
Excel tool must do at least: openpyxl opening and saving one generated form (for
generate), and opening one filled form read-only (for collect). Each wjexcel step is
reported per form as a multiple of that baseline, with tracemalloc peaks likewise.

    python scripts/benchmark.py                 # the built-in plan (19 reporters)
    python scripts/benchmark.py --towns 200     # a plan with 200 extra towns: does it scale?
"""

from __future__ import annotations

import argparse
import copy
import shutil
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path


def measure(fn, *args, **kwargs):
    """(seconds, peak traced bytes, result) of one call."""
    tracemalloc.start()
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak, result


def big_plan(extra_towns: int):
    from wjexcel.plan.model import DISTRICT, Reporter
    from wjexcel.plan.builtin import builtin_plan

    plan = builtin_plan()
    for i in range(extra_towns):
        plan.reporters.append(Reporter(f"测试镇{i:03d}", DISTRICT, f"测试镇{i:03d}"))
    return copy.deepcopy(plan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--towns", type=int, default=0, help="extra towns added to the built-in plan")
    parser.add_argument("--period", default="2022Q3")
    args = parser.parse_args()

    from openpyxl import load_workbook

    from wjexcel.collect.collector import collect
    from wjexcel.report.consolidate import consolidate
    from wjexcel.forms.outbox import generate_forms
    from wjexcel.demo.fill import fill_form
    from wjexcel.cycle import init_workspace

    tmp = Path(tempfile.mkdtemp(prefix="wjx_bench_"))
    try:
        plan = big_plan(args.towns)
        ws = init_workspace(tmp / "ws", plan=plan)
        n = len(plan.reporters)
        t_gen, m_gen, generated = measure(generate_forms, ws, args.period)
        sample = Path(generated.forms[0].path)

        def roundtrip():
            wb = load_workbook(sample)
            wb.save(tmp / "roundtrip.xlsx")

        t_base_rt, m_base_rt, _ = measure(roundtrip)

        names = {i.code: i.name for i in plan.indicators}
        for info in generated.forms:
            values = {i.code: 5 for i in plan.indicators_for(plan.reporter(info.reporter))}
            fill_form(Path(info.path), ws.inbox / Path(info.path).name, values, names=names,
                      signer={"填报人": "测试", "填报日期": date(2022, 10, 8)})

        def read_only():
            wb = load_workbook(ws.inbox / sample.name, read_only=True, data_only=True)
            for sh in wb.worksheets:
                for _ in sh.iter_rows(values_only=True):
                    pass
            wb.close()

        t_base_read, m_base_read, _ = measure(read_only)
        t_col, m_col, result = measure(collect, ws, plan=plan)
        t_again, _, _ = measure(collect, ws, plan=plan)
        t_con, m_con, _ = measure(consolidate, ws, args.period, plan=plan)

        rows = [
            ("generate, per form", t_gen / n, t_base_rt, m_gen, m_base_rt),
            ("collect, per form", t_col / n, t_base_read, m_col, m_base_read),
            ("collect again (nothing new), per form", t_again / n, t_base_read, None, None),
            ("consolidate, whole report", t_con, t_base_rt, m_con, m_base_rt),
        ]
        print(f"reporters: {n}, period {args.period}, files collected: {len(result.verdicts)}")
        print(f"baseline: openpyxl open+save one form {t_base_rt * 1000:.0f} ms, "
              f"read-only read one form {t_base_read * 1000:.0f} ms")
        print(f"{'step':<40}{'time ratio':>12}{'memory ratio':>14}")
        for label, t, base, m, mbase in rows:
            mem = f"{m / mbase:>14.1f}" if m and mbase else f"{'-':>14}"
            print(f"{label:<40}{t / base:>12.2f}{mem}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
