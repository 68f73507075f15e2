"""What keeps a Lambda's cold start short (docs/benchmarks.md, "Handler imports"): every pydantic model of
the product is built at its first use, not at import; pydantic looks for no plugins; the ports name the
domain's types for the type checker only."""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import pkgutil
import subprocess
import sys

import pydantic
from pydantic import BaseModel

import incasso
from infra.topology import LAYER_DIR, TOPOLOGY

PRODUCT = LAYER_DIR / "python" / "incasso"


def product_models() -> list[type[BaseModel]]:
    """Every pydantic model class defined in the product package (every module imported)."""
    for module in pkgutil.walk_packages(incasso.__path__, "incasso."):
        importlib.import_module(module.name)
    found, pending = [], [BaseModel]
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("incasso.") and not inspect.isabstract(sub):
                found.append(sub)
    return found


def test_every_model_of_the_product_is_built_at_its_first_use_not_at_import():
    # given every model the product defines
    models = product_models()
    # then each defers building its validator (a function builds only the models it uses, when it uses them)
    assert len(models) > 100
    assert [f"{model.__module__}.{model.__qualname__}" for model in models
            if not model.model_config.get("defer_build")] == []


def test_a_deferred_model_is_built_once_when_threads_use_it_first_together():
    # given a fresh process (nothing built yet) in which eight threads validate the same claim at once,
    # as the local stack's concurrent Lambda sandboxes do after a start; pydantic >= 2.12 builds under a lock
    script = """
import concurrent.futures, datetime as dt, sys
from incasso.domain.models import Claim
assert not Claim.__pydantic_complete__
raw = {"tenant_id": "t1", "claim_id": "c1", "invoice_number": "F-1", "invoice_date": "2026-01-01",
       "due_date": "2026-01-31", "principal": "100.00", "created_at": "2026-02-01T09:00:00Z",
       "updated_at": "2026-02-01T09:00:00Z",
       "debtor": {"name": "A. Jansen", "type": "consumer", "email": "a@example.nl"}}
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    claims = list(pool.map(lambda _: Claim.model_validate(raw), range(64)))
assert {claim.principal for claim in claims} == {claim.principal for claim in claims[:1]}
print(len(claims), claims[0].amounts.outstanding, claims[0].debtor.type.value)
"""
    # when it runs
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    # then every thread got the same, fully validated claim
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["64", "0.00", "consumer"]


def test_pydantic_is_pinned_at_a_version_that_builds_deferred_models_under_a_lock():
    # given the pinned pydantic (the lock on model_rebuild came with pydantic/pydantic#13438)
    # then the lock the concurrent first use above relies on is there
    assert hasattr(pydantic.main, "_rebuild_lock")


def test_every_function_runs_without_pydantic_plugins(monkeypatch):
    # given every function's environment
    environments = [TOPOLOGY.environment(function.id) for function in TOPOLOGY.functions]
    # then none looks for pydantic plugins (a scan of every installed package's entry points at the first model)
    assert {env.get("PYDANTIC_DISABLE_PLUGINS") for env in environments} == {"__all__"}
    # and pydantic honours the setting: with it, no entry point is read
    from pydantic.plugin import _loader

    def no_scan(**_: object) -> None:
        raise AssertionError("pydantic scanned the entry points")

    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "__all__")
    monkeypatch.setattr(_loader, "entry_points", no_scan)
    monkeypatch.setattr(_loader, "_plugins", None)
    assert list(_loader.get_plugins()) == []


def test_the_ports_import_the_domain_types_for_the_type_checker_only():
    # given the ports module
    tree = ast.parse((PRODUCT / "domain" / "ports.py").read_text(encoding="utf-8"))
    # then its imports of the product at run time are none: a handler that names a port loads no models for it
    runtime_imports = [node.module for node in tree.body
                       if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("incasso")]
    assert runtime_imports == []


def test_a_module_that_defines_models_gives_pydantic_its_annotations_as_types_not_strings():
    # given every module of the product that defines a pydantic model
    defining = [path for path in PRODUCT.rglob("*.py")
                if any(isinstance(node, ast.ClassDef) and any(_names_a_model(base) for base in node.bases)
                       for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))))]
    # then none postpones its annotations: pydantic would evaluate each field's string at import (~10 ms of
    # the API's cold start, docs/benchmarks.md)
    assert len(defining) > 20
    postponed = [str(path.relative_to(PRODUCT)) for path in defining
                 if any(isinstance(node, ast.ImportFrom) and node.module == "__future__"
                        for node in ast.parse(path.read_text(encoding="utf-8")).body)]
    assert postponed == []


def _names_a_model(base: ast.expr) -> bool:
    return isinstance(base, ast.Name) and base.id in {"BaseModel", "DeferredModel", "Model", "Command", "Body"}


def test_the_pdf_library_loads_with_the_first_letter_not_with_the_notifier():
    # given a fresh process that loads what every function that may send a message builds at its first
    # request (the notifier, the sender, the message texts)
    script = """
import sys
import incasso.adapters.message_sending, incasso.letters.message_text, incasso.services.message_policy
print("fpdf" in sys.modules, "fontTools" in sys.modules)
"""
    # when it runs
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    # then fpdf2 and fontTools (~150 ms to import) are not loaded: a read that sends nothing never pays them
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


def test_the_claims_service_builds_the_notifier_with_its_first_message_not_before():
    # given a fresh process with the API function's environment that builds the claims service, as a read
    # of the API does at its first request
    script = """
import sys
from incasso.services import wiring
wiring.claim_service()
print(wiring.messenger.cache_info().currsize, "incasso.adapters.message_sending" in sys.modules)
"""
    env = {**os.environ, **TOPOLOGY.environment("api"), "AWS_DEFAULT_REGION": "eu-west-1"}
    # when it runs
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False)
    # then neither the notifier nor its senders and message texts are built or loaded
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "False"]
