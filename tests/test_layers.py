"""The folder listing is the pipeline, and imports only point down it.

Every ``import`` in the package is found, including those inside functions, and checked
against the order shared → plan → forms → collect → report → cycle (the front ends' library
room) → demo → excel (the buttons, launchers, wizard) → cli → __main__. An import against that
order, or any cycle between modules, fails with the place it is; nothing but ``__main__``
imports the command line.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "wjexcel"

SHARED = {"errors", "periods", "problems", "values", "uscc", "progress", "atomic", "textmeasure", "logs",
          "workspace", "filetypes", "filenames", "records", "parallel", "cellref"}
STAGES = ["plan", "forms", "collect", "report", "cycle", "demo", "excel", "cli", "__main__"]
ALIASES = {"excel_buttons": "excel"}  # the import path of 0.1 workspaces' 控制台.py


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def layer(module: str) -> int:
    """0 shared, then 1, 2, … in the order of STAGES; the package root itself is shared."""
    head = module.split(".")[0] if module else ""
    head = ALIASES.get(head, head)
    if head in ("", *SHARED):
        return 0
    if head in STAGES:
        return 1 + STAGES.index(head)
    raise AssertionError(f"wjexcel.{module} belongs to no layer: add it to tests/test_layers.py")


def known(module: str) -> bool:
    path = PACKAGE.joinpath(*module.split(".")) if module else PACKAGE
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports(path: Path) -> list[tuple[str, int]]:
    """(imported wjexcel module, line) for every import statement anywhere in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.split(".")[: len(here.split(".")) - node.level + (path.name == "__init__.py")]
                stem = ".".join([*base, node.module] if node.module else base)
                names = ["wjexcel." + stem if stem else "wjexcel"]
            else:
                names = [node.module or ""]
            names += [f"{names[0]}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            if name == "wjexcel" or name.startswith("wjexcel."):
                mod = name[len("wjexcel."):] if name != "wjexcel" else ""
                if known(mod):
                    found.append((mod, node.lineno))
    return found


def graph() -> dict[str, list[tuple[str, int]]]:
    return {module_name(p): imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_module_has_a_layer():
    for module in graph():
        layer(module)


def test_imports_point_down_the_pipeline():
    wrong = []
    for module, targets in graph().items():
        for target, line in targets:
            if target and layer(target) > layer(module):
                wrong.append(f"wjexcel/{module.replace('.', '/')} line {line} imports wjexcel.{target}")
    assert not wrong, "imports against the pipeline:\n" + "\n".join(wrong)


def test_only_main_imports_the_command_line():
    """The command line is a front door, never a library: the buttons, the launchers and the
    wizard reach the library room (wjexcel.cycle), not wjexcel.cli."""
    wrong = [f"wjexcel/{module.replace('.', '/')} line {line} imports wjexcel.{target}"
             for module, targets in graph().items() if module != "__main__" and module.split(".")[0] != "cli"
             for target, line in targets if target.split(".")[0] == "cli"]
    assert not wrong, "\n".join(wrong)
    assert any(t.startswith("cli") for t, _ in imports(PACKAGE / "__main__.py"))


def test_the_front_ends_are_ordered():
    assert layer("report.consolidate") < layer("cycle.actions") < layer("demo.run") < layer("excel.launch") \
        < layer("cli.common") < layer("__main__")
    assert layer("excel_buttons") == layer("excel.buttons")


def test_no_import_cycles():
    edges = {m: sorted({t for t, _ in ts if t and t != m and not m.startswith(t + ".") and t != ""})
             for m, ts in graph().items()}
    # Tarjan's strongly connected components
    index, low, stack, on, cycles, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, []):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in edges:
        if v not in index:
            visit(v)
    assert not cycles, "import cycles: " + "; ".join(" ↔ ".join(c) for c in cycles)


def test_the_checker_sees_imports_inside_functions(tmp_path):
    """The walk finds an import hidden in a function body, so a late import cannot slip past."""
    sample = PACKAGE / "cycle" / "__init__.py"
    assert any(t.startswith("report") for t, _ in imports(sample))


def test_every_package_is_installed():
    """setup.cfg lists its packages one by one: a package missing there is missing from the
    wheel (and from every PC wjexcel is installed on), though the tests, run from the
    checkout, would not notice."""
    import configparser

    config = configparser.ConfigParser()
    config.read(PACKAGE.parent / "setup.cfg", encoding="utf-8")
    listed = set(config["options"]["packages"].split())
    found = {"wjexcel" + "".join(f".{part}" for part in p.parent.relative_to(PACKAGE).parts)
             for p in PACKAGE.rglob("__init__.py")}
    assert found <= listed, f"not installed: {sorted(found - listed)}"
