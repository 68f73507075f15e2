"""One synthesis of the whole CDK app per test run (the first start of jsii takes ~10 s; later work is fast). The
infra tests are marked as one xdist group, and the fixture also shares the synthesis between xdist workers:
pytest 9 ignores the group suffix pytest-xdist 3.8 puts on node ids, so `--dist loadgroup` spreads them."""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

# What an operator might set: CORS on, so that the preflight methods and CORS headers are synthesized too.
CONTEXT = {
    "incasso:senderEmail": "incasso@collect.example.nl",
    "incasso:alarmEmail": "ops@collect.example.nl",
    "incasso:corsOrigin": "https://app.collect.example.nl",
}


@dataclass
class Synthesized:
    stack: Any  # infra.cdk.stack.IncassoStack
    outdir: Path
    template_path: Path
    template_json: dict
    template: Any  # aws_cdk.assertions.Template
    synth_error: str | None  # cdk-nag's ValidationFailed, reported by the nag test

    @property
    def resources(self) -> dict[str, dict]:
        return self.template_json["Resources"]

    def of_type(self, resource_type: str) -> dict[str, dict]:
        return {lid: r for lid, r in self.resources.items() if r["Type"] == resource_type}

    def logical_id(self, construct) -> str:
        """The logical id of an L2 construct's CloudFormation resource."""
        return self.stack.get_logical_id(construct.node.default_child)


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory, worker_id) -> Synthesized:
    """The app synthesized once for all xdist workers: the first one synthesizes under a file lock, the others
    build the same construct tree (cheap, and enough for logical ids) and read its cloud assembly."""
    from aws_cdk.assertions import Template

    from infra.cdk.app import build_app

    basetemp = tmp_path_factory.getbasetemp()
    shared = basetemp if worker_id == "master" else basetemp.parent
    outdir = shared / "incasso-cdk.out"
    app, stack = build_app(outdir=str(outdir), context=CONTEXT)
    with open(shared / "incasso-cdk.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        outcome = shared / "incasso-cdk.outcome.json"
        if not outcome.exists():
            synth_error = None
            try:
                app.synth()
            except RuntimeError as error:  # the template is written before validation runs
                synth_error = str(error)
            outcome.write_text(json.dumps({"synth_error": synth_error}), encoding="utf-8")
        synth_error = json.loads(outcome.read_text(encoding="utf-8"))["synth_error"]
    template_path = outdir / f"{stack.artifact_id}.template.json"
    template_json = json.loads(template_path.read_text(encoding="utf-8"))
    return Synthesized(
        stack=stack,
        outdir=outdir,
        template_path=template_path,
        template_json=template_json,
        template=Template.from_json(template_json),
        synth_error=synth_error,
    )


def refs(value) -> set[str]:
    """Every logical id that a CloudFormation value points at (Ref and Fn::GetAtt, however nested)."""
    found: set[str] = set()
    if isinstance(value, dict):
        if "Ref" in value and isinstance(value["Ref"], str):
            found.add(value["Ref"])
        if "Fn::GetAtt" in value:
            found.add(value["Fn::GetAtt"][0])
        for inner in value.values():
            found |= refs(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= refs(inner)
    return found
