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


# What each folder of the product may import from the product (docs/architecture.md); ``incasso.X`` for
# a module ``X.py`` at the top (money, clock, settings, handlers, process) counts as ``X``.
MAY_IMPORT = {
    "law": {"law", "domain", "money", "clock"},
    "domain": {"domain", "law", "money", "clock"},
    "letters": {"letters", "domain", "law", "money", "clock"},
    "invoice_csv": {"invoice_csv", "domain", "law", "money", "clock"},
    "invoice_ubl": {"invoice_ubl", "invoice_csv", "domain", "law", "money", "clock"},
    "adapters": {"adapters", "domain", "letters", "money", "clock", "settings"},
    "services": {"services", "domain", "law", "letters", "invoice_csv", "invoice_ubl", "money", "clock", "settings",
                 "handlers"},
}
# The one module that builds the services from the adapters (docs/architecture.md: "wiring").
WIRING = PRODUCT / "services" / "wiring.py"
# Third-party packages that only the outer layers touch: AWS and the Lambda toolkit.
AWS_PACKAGES = ("boto3", "botocore", "aws_lambda_powertools")
PURE = ("law", "domain", "letters", "invoice_csv", "invoice_ubl")
MAX_HANDLER_LINES = 25


def product_modules(folder: str) -> list[Path]:
    return sorted((PRODUCT / folder).rglob("*.py"))


def product_layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "incasso" and len(parts) > 1 else None


def test_each_folder_imports_only_the_layers_beneath_it():
    # given every module of each folder with rules
    wrong = sorted(
        f"{path.relative_to(ROOT)} imports {module}"
        for folder, allowed in MAY_IMPORT.items()
        for path in product_modules(folder)
        if path != WIRING
        for module in set(imported_modules(path))
        if (layer := product_layer(module)) is not None and layer not in allowed
    )
    # then none reaches a layer above it (or beside it) that docs/architecture.md does not allow
    assert wrong == []


def test_law_domain_letters_and_the_csv_parser_know_nothing_of_aws():
    files = (path for folder in PURE for path in product_modules(folder))
    assert offences(files, AWS_PACKAGES) == []


def test_handlers_are_thin_and_call_the_product():
    # given every function's handler
    handlers = sorted(FUNCTIONS.glob("*/handler.py"))
    assert handlers
    for handler in handlers:
        # then it is a few lines that hand the event to the product, never to AWS directly
        assert len(handler.read_text(encoding="utf-8").splitlines()) <= MAX_HANDLER_LINES, handler
        assert offences(iter([handler]), ("boto3", "botocore")) == []
        assert any(module.startswith("incasso.") for module in imported_modules(handler)), handler


def test_only_wiring_puts_the_adapters_into_the_services():
    # given the services folder
    importers = sorted(path.name for path in product_modules("services")
                       if any(product_layer(module) == "adapters" for module in imported_modules(path)))
    # then the services take ports (incasso.domain.ports) and only wiring imports an adapter
    assert importers == ["wiring.py"]


def test_the_domain_names_its_ports_and_errors():
    # given the domain's ports and errors
    ports = {node.name for node in ast.parse((PRODUCT / "domain" / "ports.py").read_text()).body
             if isinstance(node, ast.ClassDef)}
    errors = {node.name for node in ast.parse((PRODUCT / "domain" / "errors.py").read_text()).body
              if isinstance(node, ast.ClassDef)}
    # then each collaborator of a service has its Protocol, and the store's and the sender's errors are the domain's
    assert {"ClaimRepository", "MessageLog", "TenantDirectory", "ImportRecords", "ClaimsStore", "ImportFiles",
            "Documents", "Workflows", "EventBus", "Messenger", "Bailiff"} <= ports
    assert {"ConcurrentModificationError", "AlreadyDoneError", "DuplicateInvoiceError", "SendError"} <= errors


def test_no_service_takes_a_collaborator_typed_any():
    # given every service's constructor
    untyped = sorted(
        f"{path.name}:{node.name}.{arg.arg}"
        for path in product_modules("services")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
        for init in node.body
        if isinstance(init, ast.FunctionDef) and init.name == "__init__"
        for arg in [*init.args.args[1:], *init.args.kwonlyargs]
        if arg.annotation is None or ast.unparse(arg.annotation) in ("Any", "Any | None")
    )
    # then each collaborator is typed (a port, a service or a value)
    assert untyped == []
