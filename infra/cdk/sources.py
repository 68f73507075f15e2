"""What the CDK app reads from the repository, checked before any construct is built. No CDK imports here:
the checks are plain Python so that a missing handler or state machine fails fast with a clear message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from infra.topology import LAYER_DIR, ROOT, Function, StateMachine, Topology

# The layer with the third-party runtime dependencies, built by `make layer` (see layer_build.py).
BUILT_LAYER_DIR = ROOT / "build" / "layer"
# What never belongs in a Lambda asset.
ASSET_EXCLUDES = ["**/__pycache__", "**/*.pyc", "**/.pytest_cache"]
# The built layer keeps its bytecode: layer_build.py compiled it for the runtime's Python.
BUILT_LAYER_EXCLUDES = ["**/.pytest_cache"]

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")
_LAMBDA_INVOKE = re.compile(r"^arn:aws:states:::lambda:invoke(\.waitForTaskToken)?$")
_DYNAMODB_TASK = re.compile(r"^arn:aws:states:::dynamodb:(getItem|putItem|updateItem|deleteItem)$")


class MissingSourceError(FileNotFoundError):
    """A function folder, its handler, the layer or a state machine definition is not in the repository."""


class UnsupportedDefinitionError(ValueError):
    """The ASL uses a placeholder or a service integration the CDK app cannot grant precisely."""


def function_code_dir(fn: Function) -> Path:
    """The asset folder of a function; it must hold the handler module the topology names."""
    module = fn.handler.rsplit(".", 1)[0]
    handler_file = fn.code_dir / f"{module}.py"
    if not handler_file.is_file():
        raise MissingSourceError(
            f"function {fn.id!r}: {handler_file.relative_to(ROOT)} does not exist "
            f"(infra/topology.py declares it; add the handler or remove the declaration)"
        )
    return fn.code_dir


def layer_dir() -> Path:
    """The layer asset: the built layer (domain package + runtime dependencies) when `make layer` has run,
    else the domain package alone (enough to synthesize; a real deploy needs `make layer` first)."""
    for candidate in (BUILT_LAYER_DIR, LAYER_DIR):
        if (candidate / "python" / "incasso" / "__init__.py").is_file():
            return candidate
    raise MissingSourceError(f"the layer needs {LAYER_DIR.relative_to(ROOT)}/python/incasso/__init__.py")


def layer_excludes(layer: Path) -> list[str]:
    """What the layer asset leaves out: the built layer's bytecode is for the runtime and ships; the
    bytecode beside the source in the repository is this machine's and does not."""
    return BUILT_LAYER_EXCLUDES if layer == BUILT_LAYER_DIR else ASSET_EXCLUDES


def read_definition(machine: StateMachine) -> str:
    """The ASL text of a state machine, with its ``${...}`` placeholders still in it."""
    path = machine.definition_path
    if not path.is_file():
        raise MissingSourceError(f"state machine {machine.id!r}: {path.relative_to(ROOT)} does not exist")
    text = path.read_text(encoding="utf-8")
    check_definition(machine, text, source=str(path.relative_to(ROOT)))
    return text


def check_definition(machine: StateMachine, text: str, *, source: str) -> None:
    """The ASL is JSON and uses only placeholders the topology substitutes."""
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        raise UnsupportedDefinitionError(f"{source} is not valid JSON: {error}") from error
    undeclared = placeholders(text) - set(machine.function_substitutions) - set(machine.table_substitutions)
    if undeclared:
        raise UnsupportedDefinitionError(
            f"{source} uses placeholders that infra/topology.py does not declare: {', '.join(sorted(undeclared))}"
        )


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


@dataclass(frozen=True)
class DirectIntegration:
    """A Task state that calls DynamoDB itself: the state machine's role needs ``action`` on ``table_id``."""

    action: str  # IAM action, e.g. "dynamodb:GetItem"
    table_id: str


def direct_integrations(machine: StateMachine, definition: str) -> set[DirectIntegration]:
    """The DynamoDB calls the ASL makes without a Lambda, so that the role is granted exactly those.
    Lambda tasks need no entry (the role may invoke every substituted function); any other service
    integration is refused rather than granted loosely."""
    found: set[DirectIntegration] = set()
    for state_name, state in _task_states(json.loads(definition)):
        resource = state.get("Resource", "")
        if _LAMBDA_INVOKE.match(resource) or _is_placeholder_for(resource, machine.function_substitutions):
            continue
        dynamodb = _DYNAMODB_TASK.match(resource)
        if not dynamodb:
            raise UnsupportedDefinitionError(
                f"state {state_name!r} uses {resource!r}; the orchestration construct grants only Lambda "
                f"and DynamoDB item tasks — add the integration and its least-privilege grant there"
            )
        table_name = state.get("Parameters", {}).get("TableName", "")
        table_placeholder = _PLACEHOLDER.fullmatch(table_name)
        if not table_placeholder or table_placeholder.group(1) not in machine.table_substitutions:
            raise UnsupportedDefinitionError(
                f"state {state_name!r}: TableName must be a declared table placeholder, got {table_name!r}"
            )
        action = "dynamodb:" + dynamodb.group(1)[0].upper() + dynamodb.group(1)[1:]
        found.add(DirectIntegration(action, machine.table_substitutions[table_placeholder.group(1)]))
    return found


def _is_placeholder_for(resource: str, substitutions: dict[str, str]) -> bool:
    match = _PLACEHOLDER.fullmatch(resource)
    return bool(match) and match.group(1) in substitutions


def _task_states(definition: dict) -> Iterator[tuple[str, dict]]:
    """Every Task state, also inside Parallel branches and Map item processors."""
    for name, state in definition.get("States", {}).items():
        if state.get("Type") == "Task":
            yield name, state
        for branch in state.get("Branches", []):
            yield from _task_states(branch)
        for key in ("ItemProcessor", "Iterator"):
            if key in state:
                yield from _task_states(state[key])


def asynchronously_invoked(topology: Topology) -> set[str]:
    """Functions that AWS invokes asynchronously (S3 notifications, schedules, bus rules): they get a
    dead-letter queue."""
    from_buckets = {rule.function for bucket in topology.buckets for rule in bucket.notifications}
    from_rules = {rule.target_function for rule in topology.event_rules}
    return from_buckets | {schedule.target_function for schedule in topology.schedules} | from_rules


def construct_id(resource_id: str) -> str:
    """``check_claim`` -> ``CheckClaim``: readable logical ids in the template."""
    return "".join(part.capitalize() for part in resource_id.split("_"))
