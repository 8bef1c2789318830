"""The actions of the control workbook's buttons and the double-click launchers, and the period they remember."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Action:
    """One button: its key, its sheet (and caption) and the line that explains it."""

    key: str
    title: str
    explanation: str


ACTIONS = (
    Action("run", "一键汇总", "收集“收回”文件夹里的报表，检查、入账，并生成本期汇总表和进展情况报告（Word 公文草稿）。"),
    Action("generate", "生成填报表", "为每个区镇和责任单位生成本期填报表，放在“分发”文件夹。"),
    Action("status", "查看报送情况", "列出谁已报送、谁未报送、谁被退回，并给出可直接发送的催报通知。"),
    Action("drafts", "打开邮件草稿", "打开本期的邮件草稿文件夹：每个单位一封，已附好填报表，用 Outlook 打开即可发送。"),
)

LAST_PERIOD_FILE = "last_period.txt"


def remember_period(root: Path, period: str) -> None:
    """Keep the period for the launchers, which offer it as the default next time."""
    from wjexcel.workspace import STATE

    try:
        # CRLF: the launchers read it back with cmd's ``set /p``
        (Path(root) / STATE / LAST_PERIOD_FILE).write_bytes(f"{period}\r\n".encode("ascii", "replace"))
    except OSError:
        pass  # only a convenience: the launcher then asks without a default


def last_period(root: Path) -> str:
    """The period last used in the workspace (by a button or a launcher), or ``""``."""
    from wjexcel.workspace import STATE

    try:
        return (Path(root) / STATE / LAST_PERIOD_FILE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return ""
