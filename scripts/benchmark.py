"""How fast is wjexcel at city scale, against the naive way and the floor, on this machine?

Builds a workspace as a clerk would — ``wjexcel init``, then N extra towns typed into the
plan workbook 计划.xlsx — fills every form the way a reporter does (openpyxl, untimed),
then times each command as a clerk runs it (a new process per command, as each button
click is), as medians over ``--repeat`` runs on fresh copies of the workspace:

- ``wjexcel --help`` against a bare ``python -c pass``;
- ``generate`` (every form of the period), ``collect`` (the returned forms), ``consolidate``;
- the demo's one-click ``run`` (its 20-odd returned files);
- over the same returned files: the naive loop (``openpyxl.load_workbook(f, data_only=True)``
  and summing 指标填报) and the floor (python-calamine reading the same cells).

It prints seconds, milliseconds per file, the ratios the goals are stated in, and each
process's peak memory (its maximum resident set, from the operating system). Every command runs
this checkout's wjexcel from bytecode compiled before the first measurement, as an installed copy does. Collect's peak
for the N+19 files is compared with its peak for the built-in plan's 19.

    python scripts/benchmark.py                  # 300 extra towns, 3 runs each
    python scripts/benchmark.py --towns 50 --repeat 1
    python scripts/benchmark.py --one-core       # everything held to one core
    python scripts/benchmark.py --busy 1         # one other process keeps a core busy, as on a clerk's PC

It also reads each returned file in this process with wjexcel's reader and with python-calamine
(every worksheet of the same bytes) and prints the median of the two times' ratio.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PERIOD = "2022Q3"
CLI = [sys.executable, "-m", "wjexcel"]
CHILD_ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
             "PYTHONIOENCODING": "utf-8",
             "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))}
"""Every command runs this checkout's wjexcel (not a copy installed elsewhere), from any folder, from
bytecode compiled once before the first measurement (as pip compiles an installed package)."""

NAIVE = """
import sys
from pathlib import Path
from openpyxl import load_workbook
total = 0.0
for f in sorted(Path(sys.argv[1]).iterdir()):
    wb = load_workbook(f, data_only=True)
    for row in wb["指标填报"].iter_rows(min_row=5, values_only=True):
        if len(row) > 5 and isinstance(row[5], (int, float)):
            total += row[5]
print(total)
"""

FLOOR = """
import sys
from pathlib import Path
from python_calamine import CalamineWorkbook
total = 0.0
for f in sorted(Path(sys.argv[1]).iterdir()):
    rows = CalamineWorkbook.from_path(str(f)).get_sheet_by_name("指标填报").to_python()
    for row in rows[4:]:
        if len(row) > 5 and isinstance(row[5], (int, float)):
            total += row[5]
print(total)
"""


# --- measuring -------------------------------------------------------------------------------------
WRAPPER = """
import subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
seconds = time.perf_counter() - start
try:
    import resource
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    cpu = usage.ru_utime + usage.ru_stime
except ImportError:  # Windows: no peak memory or CPU time of the children from the OS here
    peak = cpu = -1
print(seconds, peak, code, cpu)
"""
"""Runs a command from a small interpreter, so the peak memory reported is the command's own
(a child forked from this big benchmark process would start out with its size), and its CPU
seconds (user + system) those of the command and the worker processes it started."""


RETURNS = (0, 1)
"""collect and run exit 1 when they returned a file to its reporter: that is success here too."""


def timed(args: list[str], cwd: Path | None = None,
          ok: tuple[int, ...] = (0,)) -> tuple[float, float | None, float | None]:
    """(seconds, peak resident MB, CPU seconds) of one command run to its end; it must exit with a code in ``ok``."""
    done = subprocess.run([sys.executable, "-c", WRAPPER, *map(str, args)], cwd=cwd, capture_output=True,
                          env=CHILD_ENV)
    try:
        seconds, peak, code, cpu = done.stdout.decode().split()
    except ValueError:
        raise SystemExit(f"{' '.join(map(str, args))} failed:\n{done.stderr.decode('utf-8', 'replace')}") from None
    if int(code) not in ok:
        raise SystemExit(f"{' '.join(map(str, args))} failed ({code}):\n{done.stderr.decode('utf-8', 'replace')}")
    return float(seconds), (float(peak) if float(peak) > 0 else None), (float(cpu) if float(cpu) >= 0 else None)


def median_run(make_args, repeat: int, prepare=None,
               ok: tuple[int, ...] = (0,)) -> tuple[float, float | None, float | None]:
    """Median seconds, the highest peak and the median CPU seconds over ``repeat`` runs; ``prepare()``
    before each, untimed.

    What the preparation wrote (a fresh copy of the workspace, the forms it filled) is flushed to the
    disk before the command starts, so the command does not wait for it: on a clerk's PC the returned
    files were saved long before collect runs."""
    times, peaks, cpus = [], [], []
    for _ in range(repeat):
        cwd = prepare() if prepare else None
        if hasattr(os, "sync"):  # Windows has no sync: its cache is written out as it goes
            os.sync()
        seconds, peak, cpu = timed(make_args(cwd), cwd, ok)
        times.append(seconds)
        if peak is not None:
            peaks.append(peak)
        if cpu is not None:
            cpus.append(cpu)
    return statistics.median(times), (max(peaks) if peaks else None), (statistics.median(cpus) if cpus else None)


@contextmanager
def compiled_checkout():
    """This checkout's wjexcel compiled to bytecode in a folder of its own for every command, as
    installing it would (whatever ``PYTHONDONTWRITEBYTECODE`` says here)."""
    folder = Path(tempfile.mkdtemp(prefix="wjx_bench_pyc_"))
    CHILD_ENV["PYTHONPYCACHEPREFIX"] = str(folder)
    try:
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "wjexcel")], check=True,
                       env=CHILD_ENV, stdout=subprocess.DEVNULL)
        yield
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def busy(processes: int):
    """``processes`` other programs keeping a core busy meanwhile, as on a clerk's PC with WPS, a mail
    client and antivirus at work."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(processes)]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def hold_to_one_core() -> int:
    """Hold this process, and so every command it starts, to one core; returns that core."""
    if not hasattr(os, "sched_setaffinity"):
        raise SystemExit("--one-core 在本系统上不支持（Windows、macOS 不能限定进程使用的核），"
                         "请在 Linux 上运行，或不加 --one-core")
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return core


def per_file_reads(inbox: Path, rounds: int = 3) -> tuple[float, float, float, float]:
    """Each returned file read in this process by wjexcel's reader (and read as a form, with the
    signature checked) and by python-calamine (every worksheet, from the same bytes), the best of
    ``rounds`` each: (median reader/calamine, median form/calamine, median ms of the reader, of calamine).

    The reader is what collect runs on each file (fast path or careful path, all checks); the
    form read adds the signature, the identity and every value's check."""
    import io
    import time

    from python_calamine import CalamineWorkbook

    from wjexcel.collect.formread import read_form
    from wjexcel.collect.reader import read_workbook
    from wjexcel.forms import layout as L

    def calamine(name, data):
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as wb:
            for index in range(len(wb.sheets_metadata)):
                wb.get_sheet_by_index(index).to_python()

    def reader(name, data):
        read_workbook(name, data=data, max_rows=L.MAX_FORM_ROW, max_cols=L.MAX_FORM_COL)

    def form(name, data):
        read_form(name, None, key=b"benchmark", data=data)

    # CPU time where the system counts it finely (a busy machine then does not lengthen the longer
    # read more than the shorter); Windows counts it in 16 ms ticks, so the clock there.
    clock = time.process_time if time.get_clock_info("process_time").resolution < 1e-5 else time.perf_counter

    def best(read, name, data) -> float:
        times = []
        for _ in range(rounds):
            start = clock()
            read(name, data)
            times.append(clock() - start)
        return min(times)

    ratios, form_ratios, ours, floors = [], [], [], []
    for path in sorted(p for p in inbox.iterdir() if p.is_file()):
        data = path.read_bytes()
        floor = best(calamine, path.name, data)
        ours.append(best(reader, path.name, data))
        form_ratios.append(best(form, path.name, data) / floor)
        ratios.append(ours[-1] / floor)
        floors.append(floor)
    return (statistics.median(ratios), statistics.median(form_ratios), statistics.median(ours) * 1000,
            statistics.median(floors) * 1000)


def fresh(snapshot: Path, target: Path) -> Path:
    """A fresh copy of a workspace snapshot at ``target``."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(snapshot, target)
    return target


# --- the workspace ---------------------------------------------------------------------------------
def grow_plan(ws: Path, towns: int) -> None:
    """Type ``towns`` more towns into 计划.xlsx, below the plan's own, as a clerk would."""
    from openpyxl import load_workbook

    from wjexcel.plan import layout as PL

    path = ws / "计划.xlsx"
    wb = load_workbook(path)
    sheet = wb[PL.REPORTERS]
    headers = [c.value for c in sheet[1]]
    last = max(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value)
    for i in range(towns):
        row = {"名称": f"测试镇{i + 1:03d}", "类型": "区镇", "简称": f"测试{i + 1:03d}"}
        for col, header in enumerate(headers, start=1):
            if header in row:
                sheet.cell(last + 1 + i, col, row[header])
    wb.save(path)


def _fill_context(names):
    return names


def _fill_one(names, job):
    from wjexcel.demo.fill import fill_form

    src, dest, codes = job
    fill_form(Path(src), Path(dest), {code: 5 for code in codes}, names=names,
              signer={"填报人": "测试", "联系电话": "0512-63000000", "填报日期": date(2022, 10, 8), "审核人": "王"})
    return dest


def fill_all(ws: Path, inbox: Path) -> int:
    """Fill every generated form of the period into ``inbox`` (in worker processes)."""
    from wjexcel import parallel
    from wjexcel.forms.outbox import form_file_name
    from wjexcel.periods import Period
    from wjexcel.plan.workbook import workspace_plan
    from wjexcel.workspace import Workspace

    plan = workspace_plan(Workspace(ws))
    period = Period.parse(PERIOD)
    names = {i.code: i.name for i in plan.indicators}
    jobs = []
    for reporter in plan.reporters:
        form = ws / "分发" / PERIOD / form_file_name(plan, period, reporter)
        if form.is_file():
            codes = [i.code for i in plan.indicators_for(reporter, period)]
            jobs.append((str(form), str(inbox / form.name), codes))
    parallel.results(_fill_one, jobs, _fill_context, (names,))
    return len(jobs)


def build(root: Path, towns: int) -> tuple[Path, int]:
    """A workspace with the period's forms generated and filled into 收回; returns (it, files)."""
    ws = root / "ws"
    subprocess.run([*CLI, "init", str(ws)], check=True, stdout=subprocess.DEVNULL, env=CHILD_ENV)
    if towns:
        grow_plan(ws, towns)
    subprocess.run([*CLI, "generate", "-w", str(ws), "-p", PERIOD, "--yes"], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env=CHILD_ENV)
    return ws, fill_all(ws, ws / "收回")


# --- the report ------------------------------------------------------------------------------------
def pad(text: str, width: int, *, right: bool = False) -> str:
    """``text`` padded to ``width`` terminal columns (a Chinese character takes two)."""
    from wjexcel.textmeasure import text_units

    space = " " * max(0, width - int(text_units(text)))
    return space + text if right else text + space

# --- the history scenario --------------------------------------------------------------------------
CPU_WRAPPER = """
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(seconds, usage.ru_utime + usage.ru_stime, code)
"""
"""Runs a command and prints its wall and CPU seconds (user + system, its own and its children's)."""


def timed_cpu(args: list[str], repeat: int) -> tuple[float, float]:
    """Median (wall, CPU) seconds of ``repeat`` runs of a command that must exit 0."""
    walls, cpus = [], []
    for _ in range(repeat):
        done = subprocess.run([sys.executable, "-c", CPU_WRAPPER, *map(str, args)], capture_output=True,
                              env=CHILD_ENV)
        wall, cpu, code = done.stdout.decode().split() if done.returncode == 0 else ("0", "0", "1")
        if int(code):
            raise SystemExit(f"{' '.join(map(str, args))} failed:\n{done.stderr.decode('utf-8', 'replace')}")
        walls.append(float(wall))
        cpus.append(float(cpu))
    return statistics.median(walls), statistics.median(cpus)


def _fill_valued(names, job):
    from wjexcel.demo.fill import fill_form

    src, dest, values = job
    fill_form(Path(src), Path(dest), values, names=names,
              signer={"填报人": "测试", "联系电话": "0512-63000000", "填报日期": date(2022, 10, 8), "审核人": "王"})
    return dest


def add_period(ws_path: Path, code: str, step: int) -> int:
    """Generate ``code``'s forms, fill each (values growing with ``step``) and collect them; untimed."""
    from wjexcel import parallel
    from wjexcel.collect.collector import collect
    from wjexcel.forms.outbox import generate_forms
    from wjexcel.periods import Period
    from wjexcel.plan.workbook import workspace_plan
    from wjexcel.workspace import Workspace

    ws = Workspace(ws_path)
    plan = workspace_plan(ws)
    period = Period.parse(code)
    generated = generate_forms(ws, period, force=True, plan=plan)
    names = {i.code: i.name for i in plan.indicators}
    staging = ws_path.parent / f"returns_{code}"
    staging.mkdir()
    jobs = []
    for form in generated.forms:
        codes = [i.code for i in plan.indicators_for(plan.reporter(form.reporter), period)]
        jobs.append((str(form.path), str(staging / Path(form.path).name), {c: 5 + step for c in codes}))
    parallel.results(_fill_valued, jobs, _fill_context, (names,))
    collect(ws, [staging], plan=plan, time_budget=None)
    return len(jobs)


def history_series(root: Path, codes: list[str], towns: int, repeat: int) -> list[tuple[int, int, float, float]]:
    """Consolidate the last of ``codes`` with 1, 2, 4 … of them in the ledger (the last first, then
    back in time); (periods, forms in the ledger, wall, CPU) at each step."""
    ws = root / "ws"
    subprocess.run([*CLI, "init", str(ws)], check=True, stdout=subprocess.DEVNULL, env=CHILD_ENV)
    if towns:
        grow_plan(ws, towns)
    marks = sorted({n for n in (1, 2, 4, 8, 16, 24) if n < len(codes)} | {len(codes)})
    out, forms = [], 0
    for n, code in enumerate(reversed(codes), start=1):
        forms += add_period(ws, code, len(codes) - n)
        if n in marks:
            wall, cpu = timed_cpu([*CLI, "consolidate", "-w", str(ws), "-p", codes[-1]], repeat)
            out.append((n, forms, wall, cpu))
    return out


def month_codes(count: int, last: str = "2022-12") -> list[str]:
    """The ``count`` months up to ``last``, oldest first (within the plan: 2021-01 at the earliest)."""
    from wjexcel.periods import Period

    p, out = Period.parse(last), []
    while len(out) < count and p.year >= 2021:
        out.append(p.code)
        p = p.previous()
    return out[::-1]


def run_history(months: int, towns: int, repeat: int) -> None:
    """Consolidate's time against the number of periods in the ledger: the built-in reporters over
    ``months`` monthly periods, and (``towns`` > 0) the plan with ``towns`` more towns over four quarters."""
    tmp = Path(tempfile.mkdtemp(prefix="wjx_history_"))
    try:
        scenarios = [(f"内置计划，{months} 个月", tmp / "months", month_codes(months), 0)]
        if towns:
            scenarios.append((f"内置计划 + {towns} 个区镇，4 个季度", tmp / "quarters",
                              ["2022Q1", "2022Q2", "2022Q3", "2022Q4"], towns))
        print(f"本机 {os.cpu_count()} 核，Python {sys.version.split()[0]}；consolidate 每项取 {repeat} 次的中位数，"
              "CPU 为用户态 + 内核态秒数")
        for title, root, codes, extra in scenarios:
            print(f"准备并测量：{title}（生成、填写、收集不计时）……", file=sys.stderr)
            root.mkdir()
            series = history_series(root, codes, extra, repeat)
            print(f"\n{title}：汇总 {codes[-1]}，台账中的期间数与 consolidate 用时")
            print(pad("期间数", 8) + pad("台账中的表", 12, right=True) + pad("秒", 9, right=True)
                  + pad("CPU秒", 9, right=True) + pad("CPU/一期", 10, right=True))
            base = series[0][3]
            for n, forms, wall, cpu in series:
                print(pad(str(n), 8) + pad(str(forms), 12, right=True) + pad(f"{wall:.2f}", 9, right=True)
                      + pad(f"{cpu:.2f}", 9, right=True) + pad(f"{cpu / base:.2f}", 10, right=True))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=int, default=0, metavar="MONTHS",
                        help="instead: consolidate's time against the periods in the ledger (the built-in reporters "
                             "over MONTHS months, and --towns towns over four quarters; --towns 0 skips those)")
    parser.add_argument("--towns", type=int, default=300, help="extra towns typed into 计划.xlsx (default 300)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is shown")
    parser.add_argument("--one-core", action="store_true", help="hold every process to one core (Linux)")
    parser.add_argument("--busy", type=int, default=0, metavar="N",
                        help="N other processes keep a core busy while the commands are timed (a busy PC)")
    args = parser.parse_args()
    repeat = max(1, args.repeat)
    core = hold_to_one_core() if args.one_core else None
    with compiled_checkout():
        if args.history:
            with busy(args.busy):
                return run_history(args.history, args.towns, repeat)
        return measure(args.towns, repeat, core, args.busy)


def measure(towns: int, repeat: int, core: int | None, others: int) -> None:
    """Every measurement but the history, printed as a table."""
    tmp = Path(tempfile.mkdtemp(prefix="wjx_bench_"))
    try:
        print(f"准备：内置计划 + {towns} 个区镇，填好全部填报表（不计时）……", file=sys.stderr)
        big, files = build(tmp / "big", towns)
        small, small_files = build(tmp / "small", 0)
        from wjexcel.demo.run import prepare_demo

        demo = prepare_demo(tmp / "demo_snapshot").root
        inbox = big / "收回"
        rows = []

        def add(label, count, seconds, peak, cpu=None, note=""):
            rows.append((label, count, seconds, peak, cpu, note))

        with busy(others):
            bare, _, _ = median_run(lambda _: [sys.executable, "-c", "pass"], repeat)
            helped, _, _ = median_run(lambda _: [*CLI, "--help"], repeat)
            add("python -c pass", None, bare, None)
            add("wjexcel --help", None, helped, None, note=f"比空解释器多 {helped - bare:.2f} 秒")

            gen, gen_peak, gen_cpu = median_run(
                lambda cwd: [*CLI, "generate", "-w", str(cwd), "-p", PERIOD, "--yes"], repeat,
                lambda: fresh(big, tmp / "run_generate"))
            add("generate", files, gen, gen_peak, gen_cpu, f"{files / gen:.0f} 份/秒")

            col, col_peak, col_cpu = median_run(lambda cwd: [*CLI, "collect", "-w", str(cwd)], repeat,
                                       lambda: fresh(big, tmp / "run_collect"), RETURNS)
            naive, naive_peak, naive_cpu = median_run(lambda _: [sys.executable, "-c", NAIVE, str(inbox)], repeat)
            floor, floor_peak, floor_cpu = median_run(lambda _: [sys.executable, "-c", FLOOR, str(inbox)], repeat)
            cpu_note = f"，CPU 是朴素循环的 1/{naive_cpu / col_cpu:.1f}" if col_cpu and naive_cpu else ""
            add("collect", files, col, col_peak, col_cpu,
                f"比朴素循环快 {naive / col:.1f} 倍，是下限的 {col / floor:.1f} 倍{cpu_note}")
            add("朴素循环（openpyxl）", files, naive, naive_peak, naive_cpu)
            add("下限（python-calamine）", files, floor, floor_peak, floor_cpu)
            small_col, small_peak, small_cpu = median_run(lambda cwd: [*CLI, "collect", "-w", str(cwd)], repeat,
                                               lambda: fresh(small, tmp / "run_small"), RETURNS)
            add("collect（内置计划）", small_files, small_col, small_peak, small_cpu)

            collected = fresh(big, tmp / "collected")
            timed([*CLI, "collect", "-w", str(collected)], ok=RETURNS)
            con, con_peak, con_cpu = median_run(lambda _: [*CLI, "consolidate", "-w", str(collected), "-p", PERIOD],
                                                repeat)
            add("consolidate", files, con, con_peak, con_cpu)

            one, one_peak, one_cpu = median_run(lambda cwd: [*CLI, "run", "-w", str(cwd), "-p", PERIOD], repeat,
                                       lambda: fresh(demo, tmp / "run_demo"), RETURNS)
            demo_files = sum(1 for p in (demo / "收回").rglob("*") if p.is_file())
            add("演示一键汇总 run", demo_files, one, one_peak, one_cpu)

        reads = per_file_reads(inbox)

        cores = f"本机 {os.cpu_count()} 核" + (f"（本次全部限定在第 {core} 号核上运行）" if core is not None else "") \
            + (f"，计时期间另有 {others} 个进程一直占用 CPU" if others else "")
        print(f"\n{cores}，Python {sys.version.split()[0]}，期间 {PERIOD}，每项取 {repeat} 次的中位数")
        print(pad("步骤", 26) + pad("文件", 6, right=True) + pad("秒", 9, right=True) + pad("毫秒/文件", 11, right=True)
              + pad("CPU秒", 8, right=True) + pad("峰值内存MB", 12, right=True) + "  说明")
        for label, count, seconds, peak, cpu, note in rows:
            per = f"{seconds / count * 1000:.0f}" if count else "-"
            mem = f"{peak:.0f}" if peak else "-"
            print(pad(label, 26) + pad(str(count or "-"), 6, right=True) + pad(f"{seconds:.2f}", 9, right=True)
                  + pad(per, 11, right=True) + pad(f"{cpu:.2f}" if cpu is not None else "-", 8, right=True)
                  + pad(mem, 12, right=True) + f"  {note}")
        print(f"\n每个文件读取是下限的 {reads[0]:.1f} 倍（本进程内逐个读 {files} 个收回文件的中位数：wjexcel 读取 "
              f"{reads[2]:.1f} 毫秒，python-calamine 读同一文件的全部工作表 {reads[3]:.1f} 毫秒；"
              f"连同签名核验等读表检查是 {reads[1]:.1f} 倍）")
        if col_peak and small_peak:
            print(f"\ncollect 峰值内存：{files} 个文件是 {small_files} 个文件的 {col_peak / small_peak:.2f} 倍")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
