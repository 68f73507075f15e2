"""`make layer`: the Lambda layer for a real deploy — the domain package plus its third-party runtime
dependencies as Linux arm64 wheels for the Lambda runtime — into build/layer/python. The CDK app uses
build/layer when it exists, else layers/common alone (enough to synthesize and test, not to run)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from infra.cdk.sources import BUILT_LAYER_DIR
from infra.topology import LAYER_DIR, ROOT

# The Lambda runtime (functions.RUNTIME) and the wheels' platforms: Amazon Linux 2023 has glibc 2.34.
PYTHON_VERSION = "3.12"
PLATFORMS = ("manylinux2014_aarch64", "manylinux_2_28_aarch64")
# Provided by the Lambda runtime itself; the layer stays small without them.
RUNTIME_PROVIDED = {"boto3", "botocore"}
# The X-Ray tracer of Powertools, since the functions run with active tracing.
EXTRAS = {"aws-lambda-powertools": "tracer"}


def runtime_requirements() -> list[str]:
    """The runtime dependencies pinned in pyproject.toml, without what the Lambda runtime provides."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = []
    for requirement in project["dependencies"]:
        name = re.split(r"[=<>!~\[ ]", requirement, maxsplit=1)[0]
        if name.lower() in RUNTIME_PROVIDED:
            continue
        extra = EXTRAS.get(name)
        requirements.append(requirement.replace(name, f"{name}[{extra}]", 1) if extra else requirement)
    return requirements


def pip_command(target: str) -> list[str]:
    platforms = [argument for platform in PLATFORMS for argument in ("--platform", platform)]
    return [
        sys.executable, "-m", "pip", "install", "--quiet", "--no-compile",
        "--target", target,
        *platforms,
        "--implementation", "cp",
        "--python-version", PYTHON_VERSION,
        "--only-binary=:all:",
        "--constraint", str(ROOT / "constraints.txt"),
        *runtime_requirements(),
    ]  # fmt: skip


def compile_command(python_dir: Path, interpreter: str | None = None) -> list[str] | None:
    """Bytecode for the whole layer, by the runtime's own Python version (a .pyc is tied to it), or None
    when no such interpreter is on PATH. Lambda's /opt is read-only: a layer without bytecode compiles
    every module it imports at every cold start (all of incasso takes ~140 ms to compile here; the API
    imports half of it). ``unchecked-hash``: the runtime uses the .pyc without comparing it with the
    source's modification time, which the asset's zip does not keep exactly."""
    interpreter = interpreter or shutil.which(f"python{PYTHON_VERSION}")
    if interpreter is None:
        return None
    return [interpreter, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash",
            str(python_dir)]


def build() -> None:
    python_dir = BUILT_LAYER_DIR / "python"
    shutil.rmtree(BUILT_LAYER_DIR, ignore_errors=True)
    python_dir.mkdir(parents=True)
    subprocess.run(pip_command(str(python_dir)), check=True)
    # aws-xray-sdk pulls in botocore; the runtime's own boto3 needs its own botocore, not a newer one.
    for provided in RUNTIME_PROVIDED:
        for path in python_dir.glob(f"{provided}*"):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    shutil.copytree(
        LAYER_DIR / "python" / "incasso",
        python_dir / "incasso",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    command = compile_command(python_dir)
    if command is None:
        print(f"warning: no python{PYTHON_VERSION} on PATH: the layer ships without bytecode, so every cold "
              "start compiles what it imports (install it and run `make layer` again)", file=sys.stderr)
    else:
        subprocess.run(command, check=True)
    print(f"layer built in {BUILT_LAYER_DIR.relative_to(ROOT)}")


if __name__ == "__main__":
    build()
