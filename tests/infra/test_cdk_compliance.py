"""The template passes the reviews a production stack must pass: no wildcard IAM actions, zero unacknowledged
cdk-nag AwsSolutions findings, and cfn-lint without errors."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.xdist_group("cdk")

IAM_TYPES = ("AWS::IAM::Policy", "AWS::IAM::Role", "AWS::IAM::ManagedPolicy")
# CDK adds DependsOn on a function's role next to the GetAtt of the role: harmless, and not ours to change.
TOLERATED_CFN_LINT = {"W3005"}


def _identity_statements(synthesized) -> list[tuple[str, dict]]:
    statements = []
    for logical_id, resource in synthesized.resources.items():
        if resource["Type"] not in IAM_TYPES:
            continue
        properties = resource["Properties"]
        documents = [properties["PolicyDocument"]] if "PolicyDocument" in properties else []
        documents += [policy["PolicyDocument"] for policy in properties.get("Policies", [])]
        statements += [(logical_id, statement) for document in documents for statement in document["Statement"]]
    return statements


def test_no_identity_policy_allows_a_wildcard_action(synthesized):
    # given every statement of every IAM role and policy in the stack
    statements = _identity_statements(synthesized)
    assert len(statements) > 40
    # when their actions are listed
    wildcard = [
        (logical_id, action)
        for logical_id, statement in statements
        for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
        if "*" in action
    ]
    # then none is "*", a service-wide "svc:*", or any other pattern: every action is named
    assert wildcard == []


def test_cdk_nag_finds_nothing_unacknowledged(synthesized):
    # given the synthesis of the app with cdk-nag's AwsSolutions pack as validation plugin
    report = json.loads((synthesized.outdir / "validation-report.json").read_text(encoding="utf-8"))
    violations = [
        f"{violation['ruleName']} at {construct['constructPath']}"
        for plugin in report["pluginReports"]
        for violation in plugin["violations"]
        for construct in violation["violatingConstructs"]
    ]
    # and every warning or error annotation left in the cloud assembly
    metadata = json.loads((synthesized.outdir / f"{synthesized.stack.artifact_id}.metadata.json").read_text())
    annotations = [
        f"{entry['type']} at {path}: {entry['data']}"
        for path, entries in metadata.items()
        for entry in entries
        if entry["type"] in ("aws:cdk:warning", "aws:cdk:error")
    ]
    # then there are none, and synthesis did not fail
    assert violations == []
    assert annotations == []
    assert synthesized.synth_error is None


def test_every_acknowledged_finding_carries_a_reason(synthesized):
    # given the findings the stack acknowledges / then each says why, in words a reviewer can check
    metadata = json.loads((synthesized.outdir / f"{synthesized.stack.artifact_id}.metadata.json").read_text())
    acknowledged = {
        rule: reason
        for entries in metadata.values()
        for entry in entries
        if entry["type"] == "aws:cdk:acknowledged-rules"
        for rule, reason in entry["data"].items()
    }
    assert acknowledged
    assert all(len(reason) > 40 for reason in acknowledged.values()), acknowledged


def test_cdk_nag_is_really_wired_in(tmp_path):
    # given a throwaway app with a bucket that allows plain HTTP and logs nothing, checked like the real one
    import aws_cdk as cdk
    from aws_cdk import aws_s3 as s3

    from infra.cdk.app import add_checks

    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Careless")
    s3.Bucket(stack, "Careless")
    add_checks(app)
    # when it is synthesized / then the checks fail it
    with pytest.raises(RuntimeError, match="AwsSolutions-S10") as failure:
        app.synth()
    assert "AwsSolutions-S1'" in str(failure.value)


def test_cfn_lint_finds_no_errors(synthesized):
    # given the synthesized template / when cfn-lint checks it for two EU regions
    from cfnlint.api import ManualArgs, lint_file

    matches = lint_file(synthesized.template_path, config=ManualArgs(regions=["eu-west-1", "eu-central-1"]))
    # then there is no error and no warning other than the tolerated ones
    findings = [f"{m.rule.id} {m.message} ({m.linenumber})" for m in matches if m.rule.id not in TOLERATED_CFN_LINT]
    assert findings == []
