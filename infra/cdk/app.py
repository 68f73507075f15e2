"""The CDK app: `cdk synth` / `cdk deploy` from the repository root (cdk.json runs this module).

Every finding of cdk-nag's AwsSolutions pack either is fixed or is acknowledged beside the resource with its
reason; an unacknowledged finding fails the synthesis."""

from __future__ import annotations

import json
import os
from typing import Any

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from infra.cdk.settings import DeploySettings
from infra.cdk.stack import IncassoStack
from infra.topology import ROOT, TOPOLOGY, Topology

STACK_NAME = "Incasso"


def build_app(
    *, outdir: str | None = None, context: dict[str, Any] | None = None, topology: Topology = TOPOLOGY
) -> tuple[cdk.App, IncassoStack]:
    """The app with its one stack and the cdk-nag checks; ``app.synth()`` writes the cloud assembly."""
    # cdk.json's context (feature flags) also applies when the app is built outside the CLI (tests).
    app = cdk.App(outdir=outdir, context=_cdk_json_context() | (context or {}))
    settings = DeploySettings.from_context(app.node)
    stack = IncassoStack(
        app,
        STACK_NAME,
        topology=topology,
        settings=settings,
        description="incasso: Dutch debt-collection engine (Step Functions, Lambda, DynamoDB, S3, API Gateway)",
        env=cdk.Environment(account=_env("CDK_DEFAULT_ACCOUNT"), region=_env("CDK_DEFAULT_REGION")),
    )
    add_checks(app)
    return app, stack


def add_checks(app: cdk.App) -> None:
    """cdk-nag's AwsSolutions pack as a validation plugin: synthesis fails on any unacknowledged finding."""
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))


def _env(name: str) -> str | None:
    return os.environ.get(name) or None


def _cdk_json_context() -> dict[str, Any]:
    return json.loads((ROOT / "cdk.json").read_text(encoding="utf-8")).get("context", {})


def main() -> None:
    app, _ = build_app()
    app.synth()


if __name__ == "__main__":
    main()
