"""``wjexcel demo``: a whole reporting cycle on the built-in plan, with returns that look real.

It creates a workspace, first records three clean earlier rounds — 2021Q3 (the same quarter
a year earlier, for 同比), the 2021 year-end (baselines, plan-to-date figures, the towns'
three-year splits) and 2022Q2 (the previous quarter, for 环比 and lagging runs) — then
generates the 2022Q3 forms, fills them the way towns and bureaus do (numbers typed as text, a renamed file, a zip, a correction sent later, a form with
``约12`` that gets returned, a duplicate, an Excel lock file, a stamped scan, one town and
two bureaus who never answer), then collects and consolidates, and says where to look.
"""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from wjexcel.cycle import RunResult, run_cycle
from wjexcel.periods import Period
from wjexcel.progress import stage
from wjexcel.demo.fill import fill_form
from wjexcel.values import parse_number
from wjexcel.plan.workbook import workspace_plan

DEMO_PERIOD = "2022Q3"
DEFAULT_FOLDER = "wjexcel演示"

# District-wide figures at the end of 2022Q3, reported by each indicator's source unit.
# Chosen to give the leadership report a realistic mix of statuses (see the README); several
# indicators already lagged in 2022Q2, so 督办清单 has escalations.
SOURCE_FIGURES = {  # 3-4 (招商会) is left blank by 区科技局 this quarter: 未报送
    "1-1": 9.5, "2-1": 8, "3-1": 92, "3-2": 31, "3-3": 2, "4-1": 1520, "4-2": 1432,
    "5-1": 141, "5-3": 86, "5-4": 58, "5-5": 34, "7-1": 82, "7-2": 96,
}
# Year-end 2021 figures (every unit reported that year).
FIGURES_2021 = {
    "1-1": 6.6, "2-1": 7, "3-1": 126, "3-2": 37, "3-3": 1, "3-4": 2, "4-1": 1350, "4-2": 1215,
    "5-1": 137, "5-2": 17, "5-3": 78, "5-4": 64, "5-5": 31, "6-1": 3.62, "7-1": 104, "7-2": 123,
}
# The same quarter a year earlier (同比) and the previous quarter (环比).
FIGURES_2021Q3 = {
    "1-1": 4.5, "2-1": 7, "3-1": 88, "3-2": 25, "3-3": 1, "3-4": 1, "4-1": 1100, "4-2": 1190,
    "5-1": 136, "5-2": 17, "5-3": 76, "5-4": 62, "5-5": 30, "7-1": 70, "7-2": 80,
}
FIGURES_2022Q2 = {
    "1-1": 7.5, "2-1": 7, "3-1": 60, "3-2": 24, "3-3": 2, "3-4": 1, "4-1": 1180, "4-2": 1330,
    "5-1": 139, "5-2": 17, "5-3": 83, "5-4": 66, "5-5": 33, "7-1": 55, "7-2": 70,
}
# The earlier rounds: every unit reports, on time, cleanly. (period, figures, 填报日期)
EARLIER_ROUNDS = [
    ("2021Q3", FIGURES_2021Q3, date(2021, 10, 9)),
    ("2021", FIGURES_2021, date(2022, 1, 12)),
    ("2022Q2", FIGURES_2022Q2, date(2022, 7, 8)),
]
# 5-2 (发改委) and 6-1 (统计局) are missing: 5-2 falls back to the towns' sum, and the
# ratio 6-1 has no district value (never summed).
MISSING_REPORTERS = {"平望镇", "发改委", "统计局"}

TOWN_WEIGHTS = {
    "吴江开发区": 0.27, "汾湖高新区（黎里镇）": 0.18, "吴江高新区（盛泽镇）": 0.17,
    "东太湖度假区（太湖新城）": 0.12, "七都镇": 0.07, "桃源镇": 0.06, "震泽镇": 0.07, "平望镇": 0.06,
}
# 科创载体 is built where the three-year splits (10/6/6/4 + the four towns' 4) put it.
CARRIER_WEIGHTS = {
    "吴江开发区": 0.36, "汾湖高新区（黎里镇）": 0.19, "吴江高新区（盛泽镇）": 0.17,
    "东太湖度假区（太湖新城）": 0.14, "七都镇": 0.035, "桃源镇": 0.035, "震泽镇": 0.035, "平望镇": 0.035,
}
TOWN_RATIOS = {"吴江开发区": 4.1, "汾湖高新区（黎里镇）": 3.9, "吴江高新区（盛泽镇）": 3.3,
               "东太湖度假区（太湖新城）": 2.9, "七都镇": 3.1, "桃源镇": 2.6, "震泽镇": 3.0, "平望镇": 2.8}
TOWN_FIGURES_5_2 = {"吴江开发区": 5, "汾湖高新区（黎里镇）": 3, "吴江高新区（盛泽镇）": 3,
                    "东太湖度假区（太湖新城）": 2, "七都镇": 1, "桃源镇": 1, "震泽镇": 1, "平望镇": 0}

REMARKS = {
    ("人才办", "3-1"): "三季度省级人才项目评审推迟至10月，部分项目将在四季度集中认定",
    ("区科技局", "7-2"): "受高校暑期影响，产学研合作签约集中在四季度，预计全年可完成150项左右",
    ("人社局", "5-4"): "今年新设站申报名额收紧，已储备3家企业待省里评审",
    # A clerk adding up in the remark cell: it starts with "=" and must stay text everywhere.
    ("东太湖度假区（太湖新城）", "7-2"): "=9+3（其中3项为三季度新签，与苏州大学、南京航空航天大学合作）",
    ("七都镇", "1-1"): "光电通信产业园二期已封顶，预计12月交付",
}


@dataclass
class DemoResult:
    """Where the demo put things, and the one-click result."""

    root: Path
    run: RunResult

    def summary_text(self) -> str:
        r = self.run
        lines = [
            f"演示完成：工作区在 {self.root}",
            "",
            r.summary_text(),
            "",
            "去哪里看：",
            f"  汇总表（任务分解表、红黄绿灯）：{r.report_path}",
            f"  进展情况报告（Word 公文草稿）：{r.consolidated.document}",
            f"  生成的填报表：{self.root / '分发' / DEMO_PERIOD}",
            f"  模拟收回的文件（原样保留）：{self.root / '收回'}",
            f"  退回表（标红并加批注）：{self.root / '汇总' / '退回' / DEMO_PERIOD}",
            f"  控制台（Excel 按钮）：{self.root / '控制台.xlsm'}；WPS 用户双击“一键汇总.bat”",
            f"再看一次报送情况：wjexcel status -w \"{self.root}\" -p {DEMO_PERIOD}",
        ]
        return "\n".join(lines)


def run_demo(folder=None, *, progress=None) -> DemoResult:
    """Run the demo in ``folder`` (default: a new ``wjexcel演示`` folder here)."""
    ws = prepare_demo(folder, progress=progress)
    result = run_cycle(ws, DEMO_PERIOD, progress=progress)
    return DemoResult(ws.root, result)


def prepare_demo(folder=None, *, progress=None):
    """Everything the demo does before the clerk's one click: the workspace, three earlier
    rounds collected, this period's forms generated and returned into 收回. Returns the workspace."""
    from wjexcel.forms.outbox import generate_forms
    from wjexcel.cycle import new_workspace

    root = _fresh_folder(folder)
    ws = new_workspace(root, period=DEMO_PERIOD).ws  # the console is a convenience here, never a reason to fail
    plan = workspace_plan(ws)
    for period, figures, signed in EARLIER_ROUNDS:
        _clean_round(ws, plan, Period.parse(period), figures, signed, progress)
    generated = generate_forms(ws, DEMO_PERIOD, force=True, progress=stage(progress, "生成填报表"))
    forms = {f.reporter: Path(f.path) for f in generated.forms}
    _simulate_returns(plan, forms, ws.inbox)
    return ws


def _fresh_folder(folder) -> Path:
    if folder:
        return Path(folder)
    base = Path.cwd() / DEFAULT_FOLDER
    candidate, n = base, 1
    while candidate.exists() and any(candidate.iterdir()):
        n += 1
        candidate = base.with_name(f"{DEFAULT_FOLDER}{n}")
    return candidate


def _clean_round(ws, plan, period: Period, figures: dict, signed: date, progress=None) -> None:
    """Every unit's clean form for an earlier ``period``, collected before the demo's own period."""
    from wjexcel.collect.collector import collect
    from wjexcel.forms.outbox import generate_forms

    generated = generate_forms(ws, period, force=True, progress=stage(progress, f"{period.label}填报表"))
    folder = ws.inbox / f"{period.label}报送"
    names = {i.code: i.name for i in plan.indicators}
    for info in generated.forms:
        reporter = plan.reporter(info.reporter)
        values = _values_for(plan, reporter, figures, period, ratios_delta=-0.1, fixed_5_2=False)
        fill_form(Path(info.path), folder / Path(info.path).name, values, names=names,
                  signer={"填报人": "张晓燕", "联系电话": "0512-63000000", "填报日期": signed,
                          "审核人": "王建国", "填报单位（盖章）": reporter.name},
                  details=_details_for(plan, reporter, values, period))
    collect(ws, [folder], plan=plan)


def _values_for(plan, reporter, figures, period: Period, *, ratios_delta=0.0, fixed_5_2=True) -> dict:
    """What this reporter types on its form for ``period``, keyed by indicator code."""
    codes = [i.code for i in plan.indicators_for(reporter, period)]
    out = {}
    if reporter.kind == "department":
        for code in codes:
            if plan.indicator(code).source_unit == reporter.name and code in figures:
                out[code] = figures[code]
        if not out:  # a unit that is not the source of any figure reports its own part of one (shown beside)
            code = next((c for c in codes if c in figures and plan.indicator(c).kind != "ratio"), None)
            if code is not None:
                out[code] = round(figures[code] * 0.2, 2 if plan.indicator(code).unit == "万平方米" else 0)
        return out
    w = TOWN_WEIGHTS.get(reporter.name, 0.1)
    for code in codes:
        ind = plan.indicator(code)
        if code == "6-1":
            out[code] = round(TOWN_RATIOS.get(reporter.name, 3.0) + ratios_delta, 2)
        elif code == "5-2" and fixed_5_2:
            out[code] = TOWN_FIGURES_5_2.get(reporter.name, 1)
        elif code in figures:
            v = figures[code] * (CARRIER_WEIGHTS.get(reporter.name, w) if code == "1-1" else w)
            out[code] = round(v, 2) if ind.unit == "万平方米" else round(v)
    return out


# One firm newly recognised in two towns' lists: 明细汇总 flags it.
SHARED_FIRM = ("苏州澜芯光电科技有限公司", 4242)


def _details_for(plan, reporter, values: dict, period: Period) -> dict:
    """Detail-list rows consistent with the reported values (counts and sums match)."""
    from wjexcel.uscc import make_uscc

    chains = list(reporter.chains) or list(plan.chains)
    year = period.year
    seed = sum(map(ord, reporter.name)) * 10 + year + 7 * period.number
    out = {}
    for dl in plan.detail_lists_for(reporter, period):
        value = parse_number(values.get(dl.indicator), percent_unit=True).value
        if dl.code == "talent" and value:
            out[dl.name] = [[f"{chains[i % len(chains)]}领军人才项目{i + 1:02d}", f"负责人{i + 1:02d}",
                             ("国家级", "省级", "苏州市级", "区级")[i % 4], chains[i % len(chains)],
                             f"{reporter.display_name}示范企业{i % 5 + 1}号有限公司"]
                            for i in range(int(value))]
        elif dl.code == "carrier" and value:
            parts = [round(value * 0.6, 2)]
            parts.append(round(value - parts[0], 2))
            out[dl.name] = [[f"{reporter.display_name}科创载体{i + 1}期", ("新建", "改建")[i % 2], area,
                             f"{reporter.display_name}科技创业服务中心"] for i, area in enumerate(parts) if area]
        elif dl.code == "hitech":
            rows = [[f"{reporter.display_name}新认定企业{i + 1}号科技有限公司", make_uscc(seed + i),
                     f"GR{year}3200{seed % 1000:03d}{i}", chains[i % len(chains)], f"{year}年第一批"]
                    for i in range(3)]
            if reporter.name in ("七都镇", "桃源镇"):
                rows.append([SHARED_FIRM[0], make_uscc(SHARED_FIRM[1]), "", chains[0], f"{year}年第一批"])
            out[dl.name] = rows
    return out


def _simulate_returns(plan, forms: dict, inbox: Path) -> None:
    """Fill and drop the returns into 收回/ the way they arrive by email."""
    staging = inbox.parent / ".wjexcel" / "demo_staging"
    staging.mkdir(parents=True, exist_ok=True)
    names = {i.code: i.name for i in plan.indicators}
    signed = date(2022, 10, 8)
    current = Period.parse(DEMO_PERIOD)
    for reporter in plan.reporters:
        if reporter.name in MISSING_REPORTERS or reporter.name not in forms:
            continue
        values = _values_for(plan, reporter, SOURCE_FIGURES, current)
        remarks = {c: t for (r, c), t in REMARKS.items() if r == reporter.name and c in values}
        signer = {"填报人": "张晓燕" if reporter.kind == "district" else "李明", "联系电话": "0512-63000000",
                  "填报日期": signed, "审核人": "王建国", "填报单位（盖章）": reporter.name}
        src = forms[reporter.name]
        details = _details_for(plan, reporter, values, current)

        def put(dest, typed, who=signer):
            return fill_form(src, dest, typed, remarks=remarks, signer=who, names=names, details=details)

        if reporter.name == "七都镇":
            # Numbers typed as text, full-width digits, a renamed file.
            typed = {c: (f"{v:,}" if isinstance(v, int) and v >= 1000 else
                         ("".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch for ch in str(v))
                          if c == "2-1" else (f"{v}%" if c == "6-1" else v)))
                     for c, v in values.items()}
            put(inbox / "七都镇报送材料（最终版）.xlsx", typed)
        elif reporter.name == "桃源镇":
            # A first version with a slip, then a correction dated later.
            put(inbox / "桃源镇.xlsx", dict(values, **{"4-2": values["4-2"] * 10}))
            put(inbox / "桃源镇（更正）.xlsx", values, dict(signer, 填报日期=date(2022, 10, 10)))
        elif reporter.name == "震泽镇":
            # Words in a number cell: returned for correction.
            put(inbox / src.name, dict(values, **{"7-1": "约12", "3-1": "12个左右"}))
        elif reporter.name == "吴江高新区（盛泽镇）":
            # Sent inside a zip, together with the stamped scan.
            filled = put(staging / src.name, values)
            with zipfile.ZipFile(inbox / "盛泽镇报送.zip", "w", zipfile.ZIP_DEFLATED) as zf:
                zf.write(filled, f"盛泽/{filled.name}")
                zf.writestr("盛泽/盖章扫描件.pdf", b"%PDF-1.4\n% scanned stamp page (demo)\n")
        else:
            put(inbox / src.name, values)
    # The same file mailed twice, and the lock file Excel leaves while a form is open.
    first = inbox / forms["吴江开发区"].name
    if first.exists():
        shutil.copyfile(first, inbox / f"{first.stem}(1){first.suffix}")
        (inbox / f"~${first.name}").write_bytes(b"\x00" * 165)
    shutil.rmtree(staging, ignore_errors=True)
