"""The user guide (docs/使用手册.md): its pictures exist, its commands are real, the README links it."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import click

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
