"""The documents: the user guide (docs/使用手册.md) shows real pictures and real commands; the spec
(docs/规格说明.md) names every command, option, JSON field and environment variable; the README links both."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import click
import pytest

from wjexcel.cli import cli

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "使用手册.md"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

IMAGE_LINK = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
CODE_SPAN = re.compile(r"`([^`\n]+)`")
# "wjexcel run", "py -m wjexcel plan check", but not "wjexcel -V" or "wjexcel.cli".
COMMAND = re.compile(r"(?<![\w.])wjexcel[ \t]+([a-z][a-z-]*)(?:[ \t]+([a-z][a-z-]*))?")


def guide_text() -> str:
    return GUIDE.read_text(encoding="utf-8")


def code_texts(text: str) -> list[str]:
    """Fenced blocks and inline code spans: where the guide writes commands to type."""
    blocks = FENCE.findall(text)
    rest = FENCE.sub("", text)
    return blocks + CODE_SPAN.findall(rest)


def mentioned_commands(text: str) -> set[tuple[str, str | None]]:
    found = set()
    for code in code_texts(text):
        for m in COMMAND.finditer(code):
            found.add((m.group(1), m.group(2)))
    return found


def test_guide_exists_and_is_chinese():
    text = guide_text()
    assert text.startswith("# wjexcel 使用手册")
    assert len(re.findall(r"[\u4e00-\u9fff]", text)) > 3000


def test_every_linked_image_exists_and_is_png():
    links = IMAGE_LINK.findall(guide_text())
    assert len(links) >= 8
    for link in links:
        assert link.startswith("images/") and link.endswith(".png"), link
        path = GUIDE.parent / unquote(link)
        assert path.is_file(), f"missing picture {link} (run python scripts/screenshots.py)"
        assert path.read_bytes()[:8] == PNG_MAGIC, f"{link} is not a PNG"
        assert path.stat().st_size < 500_000, f"{link} is too large"


def test_the_guide_shows_each_promised_picture():
    links = set(IMAGE_LINK.findall(guide_text()))
    for name in ("form-indicators", "form-instructions", "return-opinions", "return-marked",
                 "report-overview", "report-tasks", "report-supervision", "report-trends", "report-plan-period",
                 "report-towns", "report-briefing"):
        assert f"images/{name}.png" in links, name


def test_every_command_in_the_guide_is_real():
    commands = mentioned_commands(guide_text())
    assert {"init", "generate", "run", "status", "check", "console"} <= {name for name, _ in commands}
    assert ("plan", "check") in commands
    for name, sub in commands:
        assert name in cli.commands, f"wjexcel {name} is not a command"
        command = cli.commands[name]
        if isinstance(command, click.Group):
            assert sub in command.commands, f"wjexcel {name} {sub} is not a command"


def test_command_scanner_catches_a_wrong_command():
    sample = "运行 `wjexcel collect` 和 `wjexcel plan chek 计划.xlsx`，再 `py -m wjexcel -V`。\n```\nwjexcel sumup -p 2022\n```\n"
    assert mentioned_commands(sample) == {("collect", None), ("plan", "chek"), ("sumup", None)}


def test_readme_links_the_guide():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/使用手册.md)" in readme


# --- the specification (docs/规格说明.md) -------------------------------------------------------
# Whatever the program offers another program or a person — a command, an option, a JSON field, an
# environment variable — must be in the spec, so the spec cannot silently fall behind the code.

SPEC = ROOT / "docs" / "规格说明.md"
HEADING = re.compile(r"^(#{1,6})[ \t]+(.+)$", re.M)
ENV_VAR = re.compile(r"\bWJEXCEL_[A-Z0-9_]+\b")
JSON_KEY = re.compile(r"^[a-z][a-z0-9_]*$")  # a field name, not a reporter, a year or a span used as a key


def spec_text() -> str:
    return SPEC.read_text(encoding="utf-8")


def section(text: str, title: str) -> str | None:
    """The text under the first heading containing ``title``, up to the next heading of its level or higher."""
    headings = list(HEADING.finditer(text))
    for i, m in enumerate(headings):
        if title in m.group(2):
            level = len(m.group(1))
            end = next((h.start() for h in headings[i + 1:] if len(h.group(1)) <= level), len(text))
            return text[m.end():end]
    return None


def in_code(text: str, word: str) -> bool:
    """``word`` appears as a whole word inside a code span or a fenced block of ``text``."""
    pattern = re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])")
    return any(pattern.search(code) for code in code_texts(text))


def in_table(text: str, word: str) -> bool:
    """``word`` is in a code span of a table row of ``text``: described, not merely shown in an example."""
    return in_code("\n".join(line for line in text.splitlines() if line.lstrip().startswith("|")), word)


def all_commands(group: click.Group = cli, path: tuple[str, ...] = ("wjexcel",)):
    """``(("wjexcel",), cli), (("wjexcel", "init"), init), …, (("wjexcel", "plan", "show"), …)``."""
    yield path, group
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from all_commands(command, path + (name,))
        else:
            yield path + (name,), command


def undocumented_commands(text: str) -> list[str]:
    """Every command, option and argument of ``wjexcel`` the spec does not describe in the command's
    own section (a heading naming it as `wjexcel …`), and every command section without its exit
    codes or an example."""
    missing = []
    for path, command in all_commands():
        name = " ".join(path)
        body = section(text, f"`{name}`")
        if body is None:
            missing.append(f"{name}（没有以它为标题的一节）")
            continue
        names = [opt for p in command.params if isinstance(p, click.Option) for opt in (*p.opts, *p.secondary_opts)]
        if path == ("wjexcel",):
            names += cli.context_settings["help_option_names"]
        names += [p.name.upper() for p in command.params if isinstance(p, click.Argument)]
        missing += [f"{name} {opt}" for opt in names if not in_table(body, opt)]
        if not isinstance(command, click.Group):
            if "退出码" not in body:
                missing.append(f"{name}（没写退出码）")
            if not any(line.strip().startswith(name) for block in FENCE.findall(body) for line in block.splitlines()):
                missing.append(f"{name}（没有示例）")
    return missing


def env_vars_in_source() -> set[str]:
    """Every ``WJEXCEL_*`` name the package, the scripts, the tests and CI read (this file aside)."""
    found = set()
    files = [p for folder in ("wjexcel", "scripts", "tests") for p in (ROOT / folder).rglob("*.py")]
    for path in [*files, ROOT / ".ci" / "run"]:
        if path.resolve() != Path(__file__).resolve() and path.is_file():
            found |= set(ENV_VAR.findall(path.read_text(encoding="utf-8")))
    return found


def env_section(text: str) -> str:
    body = section(text, "环境变量")
    assert body is not None, "规格说明没有“环境变量”一节"
    return body


def json_keys(data) -> set[str]:
    """The field names of a JSON document, at every depth."""
    keys: set[str] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            if JSON_KEY.match(key):
                keys.add(key)
            keys |= json_keys(value)
    elif isinstance(data, list):
        for item in data:
            keys |= json_keys(item)
    return keys


def test_spec_exists_and_is_chinese():
    text = spec_text()
    assert text.startswith("# wjexcel 规格说明")
    assert len(re.findall(r"[\u4e00-\u9fff]", text)) > 5000


def test_every_command_option_and_argument_is_in_the_spec():
    assert undocumented_commands(spec_text()) == []


def test_the_command_check_catches_what_is_missing():
    text = spec_text()
    assert undocumented_commands(text.replace("`--builtin`", "--builtin")) == ["wjexcel plan export --builtin"]
    without_status = text.replace("### 4.9 `wjexcel status`", "### 4.9 status")
    assert undocumented_commands(without_status) == ["wjexcel status（没有以它为标题的一节）"]
    assert "wjexcel demo（没有示例）" in undocumented_commands(text.replace("wjexcel demo D:", "demo D:"))


def test_every_environment_variable_is_documented():
    found = env_vars_in_source()
    assert {"WJEXCEL_WORKERS", "WJEXCEL_WORKER_START", "WJEXCEL_REQUIRE_SOFFICE"} <= found  # the scan works
    documented = set(ENV_VAR.findall(env_section(spec_text())))
    assert sorted(v for v in found if not in_table(env_section(spec_text()), v)) == []
    assert documented <= found, f"documented but read nowhere: {sorted(documented - found)}"


def test_the_environment_check_catches_an_undocumented_variable():
    body = env_section(spec_text().replace("`WJEXCEL_WORKER_START`", "WORKER_START"))
    assert not in_table(body, "WJEXCEL_WORKER_START") and in_table(body, "WJEXCEL_WORKERS")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, object]:
    """Every ``--json`` document of a real cycle: a plan with a 节点任务, a 越小越好 row with a relative
    target and a target in words; forms generated, one town's filled right, one with a value in words,
    the source unit's with low figures; collected, checked, consolidated."""
    import json

    import openpyxl
    from click.testing import CliRunner

    from wjexcel.cycle import init_workspace
    from wjexcel.demo.fill import fill_form
    from wjexcel.forms.outbox import generate_forms
    from wjexcel.plan.workbook import workspace_plan

    ws = init_workspace(tmp_path_factory.mktemp("spec") / "ws")
    wb = openpyxl.load_workbook(ws.plan_file)
    sheet = wb["指标"]
    column = {c.value: c.column for c in sheet[1]}
    rows = {sheet.cell(r, 1).value: r for r in range(2, sheet.max_row + 1)}
    for code, header, typed in (("3-4", "类型", "节点任务"), ("3-4", "2021年目标", None), ("3-4", "2022年目标", "2022年底"),
                                ("3-4", "2023年目标", None), ("7-1", "方向", "越小越好"),
                                ("7-1", "2022年目标", "较上年下降5%"), ("7-1", "2023年目标", "95以内"),
                                ("4-1", "2022年目标", "1500左右")):
        sheet.cell(rows[code], column[header]).value = typed
    wb.save(ws.plan_file)
    plan = workspace_plan(ws)
    names = {i.code: i.name for i in plan.indicators}
    signer = {"填报人": "张三", "联系电话": "0512-63000000", "填报日期": "2022-10-08"}
    forms = {f.reporter: f for f in generate_forms(ws, "2022Q3").forms}
    numbers = lambda form, value: {c: value for c in form.indicators if c != "3-4"}  # noqa: E731
    good = fill_form(forms["七都镇"].path, ws.inbox / "七都镇.xlsx", numbers(forms["七都镇"], 5), names=names,
                     signer=signer)
    fill_form(forms["平望镇"].path, ws.inbox / "平望镇.xlsx", {"1-1": "约12"}, names=names, signer=signer)
    fill_form(forms["区科技局"].path, ws.inbox / "区科技局.xlsx", numbers(forms["区科技局"], 1), names=names,
              signer=signer)
    bad_plan = ws.root / "计划_有错.xlsx"
    sheet.cell(rows["4-2"], column["2022年目标"]).value = "一千四百"
    wb.save(bad_plan)
    w = ["-w", str(ws.root)]
    commands = {"plan show --json": ["plan", "show", "--json", *w],
                "plan check --json": ["plan", "check", str(bad_plan), "--json"],
                "check --json": ["check", str(good), "--json", *w],
                "collect --json": ["collect", "--json", *w],
                "status --json": ["status", "-p", "2022Q3", "--json", *w],
                "consolidate --json": ["consolidate", "-p", "2022Q3", "--json", *w]}
    out = {}
    for title, args in commands.items():
        result = CliRunner().invoke(cli, args)
        assert result.exit_code in (0, 1), (title, result.output)
        out[title] = json.loads(result.stdout)
    return out


@pytest.mark.parametrize("title", ["plan show --json", "plan check --json", "check --json", "collect --json",
                                   "status --json", "consolidate --json"])
def test_every_json_field_is_in_the_spec(outputs, title):
    text = spec_text()
    body = section(text, f"`{title}`")
    assert body is not None, f"规格说明没有“{title}”一节"
    shared = section(text, "共同约定")  # the problem objects' fields, described once for every listing
    keys = json_keys(outputs[title])
    assert keys, f"{title} printed no fields"
    missing = sorted(k for k in keys if not in_code(body, k) and not in_table(shared, k))
    assert not missing, f"{title}: {missing}"


def test_the_cycle_shows_the_newer_fields(outputs):
    """The fields the spec describes for real plans are really in the documents checked above."""
    plan_keys = json_keys(outputs["plan show --json"])
    assert {"direction", "negative_allowed", "label", "relative", "due"} <= plan_keys
    indicators = {i["code"]: i for i in outputs["consolidate --json"]["indicators"]}
    assert indicators["3-4"]["milestone"]["due"] == "2022-12"
    assert any("partial" in i for i in indicators.values())
    assert outputs["consolidate --json"]["supervision"], "the source unit's low figures put items on 督办清单"
    assert {f["status"] for f in outputs["collect --json"]} >= {"accepted", "rejected"}


def test_readme_links_the_spec():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/规格说明.md)" in readme


def heading_anchor(title: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def test_every_link_in_the_spec_resolves():
    text = spec_text()
    anchors = {heading_anchor(m.group(2)) for m in HEADING.finditer(text)}
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    assert len(links) > 20
    for link in links:
        if link.startswith("#"):
            assert unquote(link[1:]) in anchors, f"no heading for {link}"
        else:
            assert (SPEC.parent / unquote(link)).is_file(), f"missing {link}"
    assert heading_anchor("### 9.4 本年目标 T、基期值 B、期望值 X、幅度 D".lstrip("# ")) == "94-本年目标-t基期值-b期望值-x幅度-d"
