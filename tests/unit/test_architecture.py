"""The package's import direction, read from the source with ``ast`` (nothing is imported).

Every import counts: ``import x``, ``from x import y``, relative imports (resolved), imports
inside functions, under ``if TYPE_CHECKING:``, and ``importlib.import_module("...")`` /
``__import__("...")`` with a literal name. Examples in docstrings are not imports.

The parts of vault_pandas, lowest layer first (a part may always import itself)::

    config, errors   nothing from vault_pandas
    results          errors, config
    schema           errors, config, results
    transport        errors, config
    read             errors, config, results, schema, transport
    write            errors, config, results, schema, transport, read
    distributed      errors, config, results, schema, transport, read, write
    top              __init__, __main__, accessor, cli, dask, spark: any of the above and
                     each other

``sandbox`` (the fake Vault) stands apart: the library never imports it (only ``cli.py``, the
command-line program, may), and it imports nothing of vault_pandas outside itself.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

PACKAGE = "vault_pandas"
PACKAGE_DIR = Path(__file__).resolve().parents[2] / PACKAGE
MAX_LINES = 420

LAYERS: dict[str, frozenset[str]] = {
    "config": frozenset(),
    "errors": frozenset(),
    "results": frozenset({"errors", "config"}),
    "schema": frozenset({"errors", "config", "results"}),
    "transport": frozenset({"errors", "config"}),
    "read": frozenset({"errors", "config", "results", "schema", "transport"}),
    "write": frozenset({"errors", "config", "results", "schema", "transport", "read"}),
    "distributed": frozenset(
        {"errors", "config", "results", "schema", "transport", "read", "write"}
    ),
}
TOP = frozenset({"__init__", "__main__", "accessor", "cli", "cli_connection", "dask", "spark"})
LIBRARY = frozenset(LAYERS) | TOP
SANDBOX = "sandbox"
ALLOWED: dict[str, frozenset[str]] = {**LAYERS, **dict.fromkeys(TOP, LIBRARY)}

# May import vault_pandas.sandbox: the command line offers --sandbox and `vault-pandas sandbox`.
SANDBOX_IMPORTERS = frozenset({f"{PACKAGE}.cli", f"{PACKAGE}.cli_connection"})

# Pure: no network. Every module of these subpackages, present and future ...
PURE_PACKAGES = (f"{PACKAGE}.schema", f"{PACKAGE}.results")
# ... and these modules when they exist.
PURE_MODULES = tuple(
    f"{PACKAGE}.{name}"
    for name in (
        "read.dtypes",
        "write.formatting",
        "write.datetimes",
        "write.blocks",
        "write.bodies",
        "write.batching",
        "write.options",
        "write.proof",
        "write.fingerprint",
        "write.concurrency",
    )
)
NETWORK = frozenset({"urllib3", "requests", "socket"})


@dataclass(frozen=True)
class Import:
    """One import statement's target, as seen in one module."""

    module: str  # the importing module, dotted
    target: str  # the imported module, dotted and absolute
    line: int
    where: str  # "" at module level, else e.g. "in a function, under TYPE_CHECKING"

    def __str__(self) -> str:
        where = f", {self.where}" if self.where else ""
        return f"{self.module} -> {self.target} (line {self.line}{where})"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (packages by their own name)."""
    found = {module_name(p): p for p in sorted(PACKAGE_DIR.rglob("*.py"))}
    assert PACKAGE in found and len(found) > 10, f"no package source found in {PACKAGE_DIR}"
    return found


def part(module: str) -> str | None:
    """``vault_pandas.write.bodies`` -> ``write``; ``vault_pandas`` -> ``__init__``."""
    parts = module.split(".")
    if parts[0] != PACKAGE:
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _Collector(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool) -> None:
        self.module = module
        self.package = module if is_package else module.rpartition(".")[0]
        self.context: list[str] = []
        self.found: list[Import] = []

    def _add(self, target: str, node: ast.stmt | ast.expr) -> None:
        where = ", ".join(dict.fromkeys(self.context))  # outermost first, no repeats
        found = Import(self.module, target, node.lineno, where)
        if found not in self.found:  # `from x import a, b` is one import of x
            self.found.append(found)

    def _absolute(self, name: str | None, level: int) -> str:
        if level == 0:
            return name or ""
        base = self.package.split(".")
        base = base[: len(base) - (level - 1)]
        return ".".join(base + ([name] if name else []))

    def _inside(self, label: str, nodes: list[ast.stmt]) -> None:
        self.context.append(label)
        for child in nodes:
            self.visit(child)
        self.context.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for child in [*node.decorator_list, node.args]:
            self.visit(child)
        self._inside("in a function", node.body)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_If(self, node: ast.If) -> None:
        if not _is_type_checking(node.test):
            self.generic_visit(node)
            return
        self._inside("under TYPE_CHECKING", node.body)
        for child in node.orelse:
            self.visit(child)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = self._absolute(node.module, node.level)
        for alias in node.names:
            # `from vault_pandas import sandbox` imports the module vault_pandas.sandbox
            sub = f"{base}.{alias.name}"
            self._add(sub if sub in modules() else base, node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        first = node.args[0] if node.args else None
        if (
            name in ("import_module", "__import__")
            and isinstance(first, ast.Constant)
            and isinstance(first.value, str)
        ):
            target = first.value
            if target.startswith("."):
                level = len(target) - len(target.lstrip("."))
                target = self._absolute(target.lstrip(".") or None, level)
            self._add(target, node)
        self.generic_visit(node)


@cache
def imports_of(module: str) -> tuple[Import, ...]:
    path = modules()[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    collector = _Collector(module, is_package=path.name == "__init__.py")
    collector.visit(tree)
    return tuple(collector.found)


def all_imports() -> Iterator[Import]:
    for module in modules():
        yield from imports_of(module)


def _report(rule: str, offending: list[Import] | list[str]) -> str:
    lines = "\n  ".join(str(o) for o in offending)
    return f"{rule}; {len(offending)} offending (module -> imported module):\n  {lines}"


# -- the tests ---------------------------------------------------------------------------


def test_every_module_belongs_to_a_known_part():
    unknown = [m for m in modules() if part(m) not in LIBRARY | {SANDBOX}]
    assert not unknown, (
        f"modules in no known part of {PACKAGE} (add the part to LAYERS/TOP in "
        f"{Path(__file__).name}):\n  " + "\n  ".join(unknown)
    )


def test_layers_import_only_downward():
    offending = [
        imp
        for imp in all_imports()
        if (src := part(imp.module)) in LIBRARY
        and (dst := part(imp.target)) is not None
        and dst != SANDBOX  # the sandbox has its own rule
        and dst != src
        and dst not in ALLOWED[src]
    ]
    allowed = "; ".join(f"{p}: {', '.join(sorted(ALLOWED[p])) or 'nothing'}" for p in LAYERS)
    assert not offending, _report(
        f"an import goes upward or sideways (allowed: {allowed}; top modules: anything)",
        offending,
    )


def test_the_library_never_imports_the_sandbox():
    offending = [
        imp
        for imp in all_imports()
        if part(imp.module) != SANDBOX
        and part(imp.target) == SANDBOX
        and imp.module not in SANDBOX_IMPORTERS
    ]
    assert not offending, _report(
        f"only {', '.join(sorted(SANDBOX_IMPORTERS))} may import {PACKAGE}.{SANDBOX}", offending
    )


def test_the_sandbox_imports_nothing_else_of_the_package():
    offending = [
        imp
        for imp in all_imports()
        if part(imp.module) == SANDBOX and part(imp.target) not in (None, SANDBOX)
    ]
    assert not offending, _report(
        f"{PACKAGE}.{SANDBOX} imports {PACKAGE} modules outside itself", offending
    )


def pure_modules() -> list[str]:
    found = []
    for package in PURE_PACKAGES:
        inside = [m for m in modules() if m == package or m.startswith(package + ".")]
        assert inside, f"the pure package {package} has no modules"
        found += inside
    return found + [m for m in PURE_MODULES if m in modules()]


def _network(target: str) -> bool:
    return part(target) == "transport" or target.split(".")[0] in NETWORK


def test_pure_modules_never_import_the_transport_or_the_network():
    offending = [imp for m in pure_modules() for imp in imports_of(m) if _network(imp.target)]
    assert not offending, _report(
        f"pure modules import {PACKAGE}.transport or {', '.join(sorted(NETWORK))}", offending
    )


def test_pure_modules_reach_no_network_through_other_modules():
    # Following the imports a pure module names (not the parent packages Python also runs),
    # so a module split out of a pure one, or a helper it borrows, is held to the same rule.
    offending = []
    for start in pure_modules():
        via = {start: ""}  # module -> the chain of imports that led to it from start
        todo = [start]
        while todo:
            module = todo.pop()
            for imp in imports_of(module):
                if _network(imp.target):
                    if module != start:  # a direct import is the test above's to report
                        offending.append(f"{via[module]}{imp}")
                elif imp.target in modules() and imp.target not in via:
                    via[imp.target] = f"{via[module]}{module} -> "
                    todo.append(imp.target)
    assert not offending, _report(
        "pure modules reach the transport or the network through the modules they import",
        offending,
    )


@pytest.mark.parametrize("module", [f"{PACKAGE}.schema", f"{PACKAGE}.results"])
def test_pure_packages_are_found(module):
    # A guard for the test above: the pure packages' rule always applies.
    assert module in pure_modules()


def test_no_module_is_longer_than_the_limit():
    lengths = [
        (len(path.read_text(encoding="utf-8").splitlines()), path.relative_to(PACKAGE_DIR.parent))
        for path in modules().values()
    ]
    too_long = [f"{path}: {n} lines" for n, path in sorted(lengths, reverse=True) if n > MAX_LINES]
    assert not too_long, f"modules longer than {MAX_LINES} lines:\n  " + "\n  ".join(too_long)
