"""Express state machines as AWS runs them, where moto runs every machine as Standard.

- **The definition**: AWS refuses, when an Express machine is created, what Express cannot do (a task
  token, ``.sync``, an activity). moto's parser backend checks every definition as Standard; here an
  Express one also goes through moto's own ``ExpressStaticAnalyser`` and is refused as AWS refuses it.
- **Names**: "StartExecution isn't idempotent for EXPRESS workflows" (AWS's API reference): a second start
  with the same name starts a second execution. moto deduplicates names as for Standard; here every start
  of an Express machine gets an execution of its own, named ``<name>:<id>`` (an Express execution's ARN
  ends in its name and an id on AWS too), so that the product's idempotency is what keeps a run delivered
  twice from acting twice, as on AWS.

What is not reproduced (docs/scale.md, "The local stack and Express"): the five-minute limit, the missing
execution history (moto keeps it, and the benchmarks count transitions from it), and delivery at least once
(moto runs each start exactly once; tests/e2e start runs twice on purpose).
"""

from __future__ import annotations

import uuid
from typing import Any

from infra.local.patches.patcher import Patcher
from infra.local.patches.points import EXPRESS_ANALYSER, SFN_MODELS

EXPRESS = "EXPRESS"


def _install_express(patcher: Patcher) -> None:
    from moto.core.exceptions import AWSError

    class InvalidDefinition(AWSError):  # AWS's error code, as boto3's client knows it
        TYPE = "InvalidDefinition"
        STATUS = 400

    analyser_module = __import__(EXPRESS_ANALYSER, fromlist=["ExpressStaticAnalyser"])

    def create_state_machine(self: Any, name: str, definition: str, roleArn: str, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("sm_type") == EXPRESS:
            try:
                analyser_module.ExpressStaticAnalyser().analyse(definition)
            except ValueError as error:
                raise InvalidDefinition(str(error)) from error
        return create_original(self, name, definition, roleArn, *args, **kwargs)

    def start_execution(self: Any, state_machine_arn: str, name: Any = None, execution_input: Any = None,
                        trace_header: Any = None) -> Any:
        machine = self.describe_state_machine(state_machine_arn)
        if getattr(machine, "type", None) == EXPRESS:
            name = f"{name or uuid.uuid4().hex}:{uuid.uuid4().hex[:12]}"
        return start_original(self, state_machine_arn, name, execution_input, trace_header)

    create_original = patcher.set(SFN_MODELS, "StepFunctionsParserBackend.create_state_machine", create_state_machine)
    start_original = patcher.set(SFN_MODELS, "StepFunctionsParserBackend.start_execution", start_execution)
