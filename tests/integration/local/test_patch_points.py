"""Every moto internal the local runtime patches still exists as the patch expects, so that a moto
upgrade fails here, loudly, instead of silently running Lambda in Docker or waiting in real time."""

import importlib
import importlib.machinery
import inspect
from pathlib import Path

import pytest

from infra.local import patches
from infra.local.patches import PATCH_POINTS, PatchPoint, points


def _unwrapped(value):
    if isinstance(value, (staticmethod, classmethod)):
        return value.__func__
    if isinstance(value, property):
        return value.fget
    return value


@pytest.fixture(autouse=True)
def _no_stack_open():
    # the points are checked on moto as shipped, not on an installed patch
    assert patches._installed is None
    patches.defer_batch_integration()


@pytest.mark.parametrize("point", PATCH_POINTS, ids=lambda p: f"{p.module.rsplit('.', 1)[-1]}:{p.attribute}")
def test_patch_point_exists_with_the_expected_shape(point: PatchPoint):
    # given a declared patch point / when resolved on moto
    owner, name = point.owner_and_name()
    value = point.current()

    # then the attribute exists
    assert value is not None, f"{point.module}.{point.attribute} is gone"
    # and a callable still takes exactly the parameters the patch is written for
    if point.parameters is not None:
        assert list(inspect.signature(_unwrapped(value)).parameters) == list(point.parameters)
    # and the module still uses it the way the patch intercepts
    if point.uses is not None:
        assert point.uses in inspect.getsource(importlib.import_module(point.module))


def test_moto_is_the_pinned_version():
    # given the patches are written against moto 5.2.5 / then that is what is installed
    from importlib.metadata import version

    assert version("moto") == "5.2.5"


def test_botocore_is_the_version_constraints_pin():
    # given the speed-ups patch botocore's signer and User-Agent / then botocore is the pinned release
    from importlib.metadata import version

    root = Path(__file__).resolve().parents[3]
    pins = dict(line.strip().split("==", 1) for line in (root / "constraints.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    assert version("botocore") == pins["botocore"]


def test_the_deferred_batch_integration_is_moto_own_module_and_class():
    # given the Batch integration is imported lazily / then moto's module defines the class we stand in for
    package, _, name = points.BATCH_SERVICE.rpartition(".")
    spec = importlib.machinery.PathFinder.find_spec(name, importlib.import_module(package).__path__)
    assert spec is not None and spec.origin is not None
    assert "class StateTaskServiceBatch(" in Path(spec.origin).read_text()


def test_every_patched_module_is_declared():
    # given every module whose threads, times or clients the runtime replaces
    declared = {(p.module, p.attribute) for p in PATCH_POINTS}
    # then each replacement is a declared (and so checked) patch point
    for module in points.THREADING_MODULES:
        assert (module, "threading") in declared
    for module in points.DATETIME_MODULES:
        assert (module, "datetime") in declared
    for module in points.BOTO_CLIENT_MODULES:
        assert (module, "boto_client_for") in declared
    for module in points.TMP_THREADS_MODULES:
        assert (module, "TMP_THREADS") in declared
