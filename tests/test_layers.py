"""The package's layers: nothing imports upward, domains stay apart, no module imports itself back.

A module may import from its own unit and from units of lower layers only. A unit is a
package, or, where a package holds two tiers, a module: the content format's plain objects
sit below the question types, and the readers and writers that dispatch to the types sit
above them. The web and the command line are on top; each domain of services (learning,
authoring, people, reporting) knows only the ones below it.
"""

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "trainer"
LAYERS: tuple[frozenset[str], ...] = tuple(
    frozenset(names.split())
    for names in (
        # jobs: the queue every domain hands slow work to (it names functions, imports none).
        "config extensions taxonomy jobs urls",
        "models",
        # database: the session's binding and its helpers, which every domain runs through.
        "database",
        "content.model content.fields content.yamlfile content.markdown content.snapshot "
        "content.taxonomy content.gift content.derive",
        "quiz",
        "content",
        "i18n security people xapi",
        "learning authoring",
        "reporting",
        "demo",
        "forms errors routing control_characters static_files auth author learn hr admin api "
        "certificates privacy cli ops __init__",
    )
)
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def modules() -> dict[str, Path]:
    """Every module of the package (migrations aside), by dotted name."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        if "migrations" not in relative.parts:
            found[".".join(relative.parts).removesuffix(".__init__")] = path
    return found


def imports(path: Path, known: set[str]) -> set[str]:
    """The modules of the package that `path` imports, wherever in the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("trainer"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in known else node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("trainer")}
    return found & known


def top(module: str) -> str:
    """The unit `module` belongs to: the longest name in LAYERS it is, or is inside of."""
    name = module.removeprefix("trainer").removeprefix(".") or "__init__"
    parts = name.split(".")
    return next(
        (".".join(parts[:n]) for n in range(len(parts), 0, -1) if ".".join(parts[:n]) in RANK),
        parts[0],
    )


def test_every_package_has_a_layer() -> None:
    assert {top(module) for module in modules()} <= set(RANK)


def allowed(module: str, target: str) -> bool:
    """Within a unit, or a package's tier, anything; else only lower layers (the web's
    blueprints share the top layer)."""
    mine, theirs = RANK[top(module)], RANK[top(target)]
    same_package = top(module).split(".")[0] == top(target).split(".")[0]
    return theirs < mine or (theirs == mine and (same_package or mine == len(LAYERS) - 1))


def test_nothing_imports_upward_or_sideways() -> None:
    known = set(modules())
    wrong = [
        f"{module} imports {target}"
        for module, path in modules().items()
        for target in imports(path, known)
        if not allowed(module, target)
    ]
    assert wrong == []


def test_no_import_cycles() -> None:
    known = set(modules())
    graph = {module: imports(path, known) - {module} for module, path in modules().items()}
    # A module that imports a package's name imports its __init__, nothing more.
    state: dict[str, int] = defaultdict(int)  # 0 unseen, 1 on the path, 2 done
    cycles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state[target] == 1:
                cycles.append([*path[path.index(target) :], target])
            elif state[target] == 0:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if state[module] == 0:
            visit(module, [module])
    assert cycles == []


@pytest.mark.parametrize("module", sorted(modules()))
def test_modules_stay_small(module: str) -> None:
    """A module past about 400 lines is asking to be split along a seam."""
    lines = modules()[module].read_text(encoding="utf-8").count("\n")
    assert lines <= 400, f"{module} has {lines} lines"
