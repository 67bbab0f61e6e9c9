"""The layout's rules, checked on the source: each package imports only the layers below it, never
in a loop, and the console never reaches into the action server or the database tables.

    i18n  <-  shop  <-  knowledge_base  <-  actions            (the action server)
                 ^            ^
                 '--- console (aiohttp) ---'                     (a second front end on the backend)
    rasa_plugins (Rasa venv): i18n, shop's dependency-free modules, runtime wiring
    runtime (settings, endpoints, launcher, training, Rasa's HTTP client, the servers' heap): wiring; settings
    are read only here
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
OURS = ("actions", "assistant", "knowledge_base", "bench")

# package -> the packages it may import (besides itself)
ALLOWED = {
    "assistant.i18n": set(),
    "assistant.shop": {"assistant.i18n"},
    "knowledge_base": {"assistant.i18n"},
    # both servers keep their loaded models out of full garbage collections (assistant.runtime.heap)
    "actions": {"assistant.i18n", "assistant.shop", "knowledge_base", "assistant.runtime.settings",
                "assistant.runtime.heap"},
    "assistant.console": {"assistant.i18n", "assistant.shop", "knowledge_base", "assistant.runtime.settings",
                          "assistant.runtime.endpoints", "assistant.runtime.sessions",
                          "assistant.runtime.rasa_http"},
    "assistant.rasa_plugins": {"assistant.i18n", "assistant.shop.commerce.order_ids", "assistant.shop.commerce.order_tasks",
                               "assistant.shop.support.pii", "knowledge_base.product_names",
                               "knowledge_base.product_words",
                               "assistant.runtime.settings", "assistant.runtime.endpoints",
                               "assistant.runtime.credentials", "assistant.runtime.sessions",
                               "assistant.runtime.heap"},
    "assistant.runtime": {"assistant.i18n", "assistant.shop", "knowledge_base", "assistant.rasa_plugins.server"},
    # the notification worker (actions venv): the backend's outbox, Rasa's HTTP API; wiring in its __main__
    "assistant.notifications": {"assistant.i18n", "assistant.shop", "assistant.runtime.settings",
                                "assistant.runtime.rasa_http"},
}
# command-line entry points are wiring: they may read the settings
ENTRY_POINTS = {"knowledge_base.__main__": {"assistant.runtime.settings"},
                "assistant.console.__main__": {"assistant.runtime.settings"}}
# the Rasa venv has SQLAlchemy 1.4 (the backend's tables need 2.x) and no rasa-sdk
RASA_SIDE_FORBIDDEN = ("assistant.shop.storage", "rasa_sdk")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for top in OURS:
        for path in (REPO / top).rglob("*.py"):
            if "node_modules" not in path.parts:
                found[_module_name(path)] = path
    return found


MODULES = _modules()


def _imports(path: Path, module: str) -> set[str]:
    """Every module ``path`` imports, at any depth (function-level imports count too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            submodules = {f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES}
            names.update(submodules)
            if len(submodules) < len(node.names):  # names defined in ``base`` itself
                names.add(base)
    return names


def _layer(module: str) -> str | None:
    for layer in sorted(ALLOWED, key=len, reverse=True):
        if module == layer or module.startswith(layer + "."):
            return layer
    return None


def _within(name: str, prefixes: set[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_every_package_imports_only_the_layers_below_it() -> None:
    wrong = []
    for module, path in MODULES.items():
        layer = _layer(module)
        if layer is None:
            continue
        allowed = ALLOWED[layer] | {layer} | ENTRY_POINTS.get(module, set())
        for name in _imports(path, module):
            if name.split(".")[0] in OURS and not _within(name, allowed):
                wrong.append(f"{module} imports {name}")
    assert not wrong, "\n".join(sorted(wrong))


def test_the_rasa_side_needs_neither_the_database_layer_nor_the_action_sdk() -> None:
    wrong = []
    rasa_side = [m for m in MODULES if _layer(m) == "assistant.rasa_plugins"]
    for module in rasa_side:
        for name in _imports(MODULES[module], module):
            if name.startswith(RASA_SIDE_FORBIDDEN):
                wrong.append(f"{module} imports {name}")
    # and the backend modules it may use import nothing but the standard library and i18n
    for module in ("assistant.shop.commerce.order_ids", "assistant.shop.commerce.order_tasks",
                               "assistant.shop.support.pii", "assistant.shop",
                   "assistant.shop.commerce", "assistant.shop.support"):
        for name in _imports(MODULES[module], module):
            if name.split(".")[0] in ("sqlalchemy", "aiohttp", "rasa_sdk", "yaml"):
                wrong.append(f"{module} imports {name}")
    assert not wrong, "\n".join(wrong)


def test_no_module_imports_in_a_loop() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in MODULES.items():
        for name in _imports(path, module):
            target = name if name in MODULES else name.rpartition(".")[0]
            if target in MODULES and target != module and not module.startswith("tests"):
                graph[module].add(target)
    # package __init__ files re-exporting their own modules are not loops of concern
    for module in list(graph):
        graph[module] = {t for t in graph[module] if not (t.startswith(module + ".") or module.startswith(t + "."))}
    seen: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        seen[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if seen.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in seen:
                visit(nxt)
        stack.pop()
        seen[node] = 2

    for module in sorted(graph):
        if module not in seen:
            visit(module)
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _layer(m) in ("assistant.shop", "assistant.i18n",
                                                                               "knowledge_base")
                                          and not m.endswith("__main__")))
def test_the_backend_reads_no_settings_and_no_environment(module: str) -> None:
    source = MODULES[module].read_text(encoding="utf-8")
    reads = ("os.environ.get(", "os.environ[", "getenv(")  # imports of the settings: the layer test
    assert not any(read in source for read in reads), f"{module} reads the environment or the settings"


def test_the_console_queries_no_tables() -> None:
    wrong = [m for m in MODULES if _layer(m) == "assistant.console"
             for name in _imports(MODULES[m], m) if name.startswith(("sqlalchemy", "assistant.shop.storage.models"))
             and not m.endswith("conversations")]  # Rasa's tracker store is read with SQLAlchemy Core
    assert not wrong, wrong
