"""The house's layout holds: no private name crosses a module, every module says what it turns into what,
modules and folders stay small (the layer contract itself is `lint-imports`, run in CI)."""

import ast

from conftest import REPO

PACKAGE = REPO / "pipeline"
MODULES = sorted(PACKAGE.rglob("*.py"))


def test_no_module_imports_a_private_name_from_another():
    crossing = []
    for path in [*MODULES, *sorted((REPO / "tests").rglob("*.py")), *sorted((REPO / "scripts").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pipeline"):
                crossing += [f"{path.relative_to(REPO)}: {node.module}.{a.name}" for a in node.names
                             if a.name.startswith("_") and not a.name.startswith("__")]
    assert crossing == []


def test_every_module_starts_with_a_docstring():
    missing = [str(p.relative_to(REPO)) for p in MODULES if not ast.get_docstring(ast.parse(p.read_text("utf-8")))]
    assert missing == []


# commands/ is one module per command (its index is `qcode --help`), so it grows with the commands.
ONE_MODULE_PER_COMMAND = {"commands"}


def test_modules_and_folders_stay_small():
    long = [f"{p.relative_to(REPO)}: {n}" for p in MODULES if (n := len(p.read_text("utf-8").splitlines())) > 400]
    crowded = [str(d.relative_to(REPO)) for d in PACKAGE.iterdir()
               if d.is_dir() and d.name not in ONE_MODULE_PER_COMMAND
               and len([p for p in d.glob("*.py") if p.name != "__init__.py"]) > 10]
    assert long == [] and crowded == []


def test_the_cli_imports_only_commands_and_their_reports():
    imported = {node.module for path in (PACKAGE / "cli").glob("*.py")
                for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pipeline")}
    allowed = ("pipeline.cli", "pipeline.commands.", "pipeline.errors", "pipeline.versions", "pipeline.text.zh_words")
    assert sorted(m for m in imported if not m.startswith(allowed)) == []
