"""The shape of the code (docs/architecture.md): what ships to Lambda and what each layer may import.

Read with ``ast`` from the files, so a rule holds for every import, at the top of a file or inside a function.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from infra.topology import LAYER_DIR, ROOT

PRODUCT = LAYER_DIR / "python" / "incasso"
FUNCTIONS = ROOT / "functions"
# Development tooling that never runs in AWS.
DEV_ONLY = ("click", "rich", "infra", "incasso_cli", "moto")


def imported_modules(path: Path) -> Iterator[str]:
    """Every absolute module name ``path`` imports (``from x import y`` gives ``x`` and ``x.y``)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == package or module.startswith(package + ".") for package in packages)


def offences(files: Iterator[Path], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{path.relative_to(ROOT)} imports {module}"
        for path in files
        for module in set(imported_modules(path))
        if within(module, forbidden)
    )


def test_the_layer_and_the_handlers_import_no_dev_tooling():
    # given every module shipped to Lambda: the layer and the function folders
    shipped = [*PRODUCT.rglob("*.py"), *FUNCTIONS.rglob("*.py")]
    # then none imports the command line's, the demo's or the local stack's packages
    assert shipped
    assert offences(iter(shipped), DEV_ONLY) == []


def test_the_layer_holds_only_the_product():
    # given the layer folder
    # then it holds the incasso package alone, without the command line, the demo or the report rendering
    assert sorted(path.name for path in (LAYER_DIR / "python").iterdir() if path.name != "__pycache__") == ["incasso"]
    assert not [path for name in ("cli", "demo", "reporting") for path in (PRODUCT / name).rglob("*.py")]
