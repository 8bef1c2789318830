"""新建工作区 (the release's wizard): where the workspace goes, creating and repairing, on real folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from wjexcel.errors import WorkspaceError
from wjexcel.excel import wizard
from wjexcel.cycle.console import WORKBOOK_NAME
from wjexcel.cycle import init_workspace
from wjexcel.workspace import PLAN_FILE

LAUNCHERS = ("一键汇总.bat", "生成填报表.bat", "查看报送情况.bat")


def dialogue(home: Path, *answers: str, argv=()) -> tuple[int, str]:
    shown, pending = [], list(answers)

    def ask(prompt):
        shown.append(prompt)
        if not pending:
            raise EOFError
        return pending.pop(0)

    code = wizard.run(list(argv), ask, shown.append, home)
    return code, "\n".join(shown)


def test_enter_creates_the_workspace_inside_the_release_folder(tmp_path):
    code, text = dialogue(tmp_path, "")
    root = tmp_path / "工作区"
    assert code == 0
    assert f"直接按回车键：使用 {root}" in text and f"已新建工作区：{root}" in text
    assert (root / PLAN_FILE).is_file() and (root / WORKBOOK_NAME).is_file()
    assert all((root / name).is_file() for name in LAUNCHERS)


def test_a_dragged_folder_with_quotes_and_spaces(tmp_path):
    target = tmp_path / "D 盘" / "科技 填报"
    code, text = dialogue(tmp_path, f' "{target}" ')
    assert code == 0 and (target / PLAN_FILE).is_file()


def test_a_folder_dropped_on_the_bat_arrives_as_an_argument(tmp_path):
    target = tmp_path / "拖到图标上"
    code, text = dialogue(tmp_path, argv=[str(target)])
    assert code == 0 and (target / PLAN_FILE).is_file()
    assert "工作区文件夹：" not in text  # nothing asked


def test_an_existing_workspace_is_repaired_and_its_data_kept(tmp_path):
    ws = init_workspace(tmp_path / "老工作区")
    plan = ws.plan_file.read_bytes()
    key = (ws.state / "signing.key").read_bytes()
    (ws.inbox / "七都镇.xlsx").write_bytes(b"received")
    code, text = dialogue(tmp_path, str(ws.inbox))  # a folder inside it will do
    assert code == 0
    assert f"已修复工作区：{ws.root}" in text and "没有改动" in text
    assert ws.plan_file.read_bytes() == plan and (ws.state / "signing.key").read_bytes() == key
    assert (ws.inbox / "七都镇.xlsx").read_bytes() == b"received"
    assert all((ws.root / name).is_file() for name in LAUNCHERS)


def test_a_busy_folder_gets_a_workspace_folder_inside_it(tmp_path):
    desktop = tmp_path / "桌面"
    desktop.mkdir()
    (desktop / "通知.docx").write_bytes(b"x")
    code, text = dialogue(tmp_path, str(desktop))
    assert code == 0 and (desktop / "工作区" / PLAN_FILE).is_file()
    assert sorted(p.name for p in desktop.iterdir()) == ["工作区", "通知.docx"]
    code, text = dialogue(tmp_path, str(desktop))  # again: the one inside is repaired
    assert code == 0 and f"已修复工作区：{desktop / '工作区'}" in text


def test_refuses_to_mix_into_a_foreign_folder_or_a_file(tmp_path):
    busy = tmp_path / "别人的"
    (busy / "工作区").mkdir(parents=True)
    (busy / "工作区" / "账本.xlsx").write_bytes(b"x")
    (busy / "其他.txt").write_bytes(b"x")
    code, text = dialogue(tmp_path, str(busy))
    assert code == 1 and "不是工作区" in text and "请换一个空文件夹" in text
    assert sorted(p.name for p in (busy / "工作区").iterdir()) == ["账本.xlsx"]
    code, text = dialogue(tmp_path, str(busy / "其他.txt"))
    assert code == 1 and "是一个文件" in text


def test_folder_from_answer():
    default = Path("默认")
    assert wizard.folder_from_answer("", default) == default
    assert wizard.folder_from_answer('  "D:\\新 建"  ', default) == Path("D:\\新 建")


def test_workspace_folder_rule(tmp_path):
    assert wizard.workspace_folder(tmp_path / "新的") == ((tmp_path / "新的").resolve(), False)
    (tmp_path / "空的").mkdir()
    assert wizard.workspace_folder(tmp_path / "空的") == ((tmp_path / "空的").resolve(), False)
    with pytest.raises(WorkspaceError):
        (tmp_path / "f").write_text("x")
        wizard.workspace_folder(tmp_path / "f")
