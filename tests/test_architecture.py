"""The layout rules of ARCHITECTURE.md, kept true: each named rule is where it says, only edges commit,
the shop does not import developer tools, and no function is too tangled to read."""
from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GALLERY = ROOT / "gallery"
ARCHITECTURE = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
NAMED = re.compile(r"`(gallery(?:\.\w+)+):(\w+(?:\.\w+)*)`")

# The rules DESIGN.md and issue 17 ask a newcomer to find in under a minute.
REQUIRED_RULES = ("taking stock", "freezing a price", "computing a payout", "quoting shipping",
                  "the order state machine", "marking paid")

# A use case commits once at its edge: a request (views), a command (cli), a job; services only flush.
EDGE = re.compile(r"(^|_)(views|cli|jobs)\.py$")


def _modules() -> list[Path]:
    return sorted(GALLERY.rglob("*.py"))


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_architecture_names_where_each_rule_lives():
    rows = {line.split("|")[1].strip().lower() for line in ARCHITECTURE.splitlines() if line.startswith("| ")}
    missing = [rule for rule in REQUIRED_RULES if not any(row.startswith(rule) for row in rows)]
    assert not missing, f"ARCHITECTURE.md does not say where these live: {missing}"


@pytest.mark.parametrize("module,name", sorted(set(NAMED.findall(ARCHITECTURE))))
def test_each_function_named_in_architecture_exists(module, name):
    target = importlib.import_module(module)
    for part in name.split("."):
        target = getattr(target, part)
    assert callable(target) or isinstance(target, (dict, frozenset, tuple)), f"{module}:{name}"


# Modules that may open a transaction of their own, and why: it writes no shop data.
OWN_TRANSACTION = {"gallery/planner_stats.py": "ANALYZE for the query planner, after a migration or import"}


def _commits(path: Path) -> list[int]:
    """Lines that commit: `.commit()`, or `.begin()` whose context manager commits when it ends."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("commit", "begin")]


def test_only_edges_commit():
    offenders = [f"{_relative(path)}:{line}" for path in _modules()
                 if not EDGE.search(path.name) and not _relative(path).startswith("gallery/devtools/")
                 and _relative(path) not in OWN_TRANSACTION
                 for line in _commits(path)]
    assert not offenders, "services flush; the request, command or job that uses them commits: " + ", ".join(offenders)


def test_modules_with_a_transaction_of_their_own_still_need_one():
    assert all(_commits(ROOT / module) for module in OWN_TRANSACTION), "take it off OWN_TRANSACTION"


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_the_shop_does_not_import_developer_tools():
    # gallery/cli.py registers the `flask demo` command group, the one door from the shop to the tools.
    offenders = [_relative(path) for path in _modules()
                 if not _relative(path).startswith("gallery/devtools/") and _relative(path) != "gallery/cli.py"
                 and any(name.startswith("gallery.devtools") for name in _imports(path))]
    assert not offenders


def test_no_module_in_the_shop_is_over_400_lines():
    long = {_relative(path): n for path in _modules()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 400}
    assert not long, long


WRITES = re.compile(r"db\.session\.(add|add_all|delete|merge)\(|\b(insert|update|delete)\([A-Z]\w*\)")


def test_views_write_only_through_services():
    # Views parse, call a service and commit: no view adds, deletes or updates rows itself, so no view writes
    # another domain's tables behind its service.
    offenders = [f"{_relative(path)}:{number}" for path in _modules() if path.name.endswith("views.py")
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if WRITES.search(line)]
    assert not offenders, offenders
