"""The deployed layer ships bytecode compiled for the runtime's Python (``make layer``): Lambda's /opt is
read-only, so without it every cold start compiles what the function imports. Plain Python, no AWS."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

from infra.cdk import layer_build
from infra.cdk.sources import ASSET_EXCLUDES, BUILT_LAYER_DIR, layer_excludes
from infra.topology import LAYER_DIR

UNCHECKED_HASH = 0b01  # PEP 552: hash-based, the source not checked


def test_the_layer_is_compiled_by_the_runtimes_python_into_unchecked_hash_bytecode(tmp_path):
    # given a layer folder with a module, and this machine's interpreter standing in for the runtime's
    package = tmp_path / "python" / "incasso_probe"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("ANSWER = 42\n", encoding="utf-8")
    # when the layer build's compile command runs
    command = layer_build.compile_command(tmp_path / "python", interpreter=sys.executable)
    subprocess.run(command, check=True)
    # then the module has bytecode that the interpreter uses without comparing it with the source's time
    compiled = tmp_path / "python" / "incasso_probe" / "__pycache__" / f"__init__.{sys.implementation.cache_tag}.pyc"
    header = compiled.read_bytes()[:8]
    assert header[:4] == importlib.util.MAGIC_NUMBER
    assert int.from_bytes(header[4:8], "little") == UNCHECKED_HASH


def test_the_compile_command_asks_for_the_runtimes_python_version(monkeypatch):
    # given a PATH with and then without the runtime's Python
    asked = []
    monkeypatch.setattr(layer_build.shutil, "which", lambda name: asked.append(name) or "/usr/bin/" + name)
    # then the command names that interpreter, and there is none without it (the build warns and goes on)
    assert layer_build.compile_command(BUILT_LAYER_DIR / "python")[0] == f"/usr/bin/python{layer_build.PYTHON_VERSION}"
    assert asked == [f"python{layer_build.PYTHON_VERSION}"]
    monkeypatch.setattr(layer_build.shutil, "which", lambda name: None)
    assert layer_build.compile_command(BUILT_LAYER_DIR / "python") is None


def test_the_built_layer_keeps_its_bytecode_and_the_repositorys_layer_does_not():
    # given the two layers the app can ship
    # then the built one keeps the bytecode compiled for the runtime; the repository's copy leaves out the
    # bytecode of whatever Python ran the tests here
    assert not any("pyc" in pattern or "__pycache__" in pattern for pattern in layer_excludes(BUILT_LAYER_DIR))
    assert layer_excludes(LAYER_DIR) == ASSET_EXCLUDES
