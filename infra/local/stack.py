"""The local stack: the whole topology on moto, in this process, on a simulated clock.

    with LocalStack(clock=SimulatedClock(start)) as stack:
        arn = stack.start_execution("escalation", "claim-1-reminders", {"claim_id": "..."})
        stack.advance(days=14)            # day by day: schedules fire, waits end, all settles
        stack.describe_execution(arn)["status"]

Everything runs under ``moto.mock_aws`` with Step Functions executing the real ASL, Lambda running the
real handlers in process (``lambda_runtime``) and time on the simulated clock (``scheduler``); the moto
internals involved are patched while the stack is open (``patches``). One stack per process at a time.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from typing import Any

import boto3
from botocore.config import Config

from incasso import process
from incasso.clock import set_clock
from incasso.settings import Settings
from infra.topology import TOPOLOGY, Topology

from infra.local import delivery, deployer, patches
from infra.local.scheduler import SimulatedClock
from infra.local.deployer import ACCOUNT_ID, DeployError
from infra.local.lambda_runtime import Invocation, LambdaRuntime
from infra.local.schedules import ScheduleSource

DEFAULT_REGION = "eu-west-1"
_open_stack: LocalStack | None = None
_MOCK_CONFIG = {
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": True},  # keeps moto on LambdaFunction._invoke_lambda, which runs our handlers
}


def speedups_default() -> bool:
    """Speed-ups are on unless ``INCASSO_LOCAL_SPEEDUPS=0``."""
    return os.environ.get("INCASSO_LOCAL_SPEEDUPS", "1") not in ("0", "false", "no", "off")


class HandlerError(Exception):
    """A handler invoked through ``LocalStack.invoke`` failed; carries AWS's error payload."""

    def __init__(self, function_id: str, payload: dict[str, Any]) -> None:
        self.function_id = function_id
        self.payload = payload
        self.error_type = payload.get("errorType", "")
        self.error_message = payload.get("errorMessage", "")
        super().__init__(f"{function_id}: {self.error_type}: {self.error_message}")


class LocalStack:
    """Deploys ``topology`` (plus ``extra``) on moto when created; ``close()`` takes it all down.

    ``speedups`` (default: on unless ``INCASSO_LOCAL_SPEEDUPS=0``) switches the interpreter's speed-ups;
    ``deploy_endpoint`` creates the resources through a server's endpoint (server mode).
    """

    def __init__(
        self,
        topology: Topology = TOPOLOGY,
        *,
        clock: SimulatedClock | None = None,
        extra: Topology | None = None,
        speedups: bool | None = None,
        region: str = DEFAULT_REGION,
        deploy_endpoint: str | None = None,
    ) -> None:
        if extra is not None:
            topology = deployer.merge(topology, extra)
        self.topology = topology
        self.region = region
        self.account_id = ACCOUNT_ID
        self.speedups = speedups_default() if speedups is None else speedups
        if clock is not None and clock.closed:
            raise ValueError("this clock belonged to a closed stack; give the new stack a new clock")
        self.clock = clock or SimulatedClock(dt.datetime.now(dt.timezone.utc).replace(microsecond=0))
        self.names = deployer.resource_names(topology, region)
        definitions = {machine.id: deployer.render_definition(machine, self.names)
                       for machine in deployer.local_state_machines(topology)}
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()
        self._closed = False
        self._lambdas = LambdaRuntime(self.clock, deployer.function_codes(topology, self.names), region)
        self._runtime = patches.LocalRuntime(self.clock, self._lambdas, self.account_id, region, self.speedups)

        from moto import mock_aws

        self._uninstall = patches.install(self._runtime)  # refuses a second open stack
        self._previous_clock = set_clock(self.clock)
        self._mock = mock_aws(config=_MOCK_CONFIG)  # type: ignore[arg-type]
        self._mock_started = False
        process.reset()  # settings, services, clients and tenant copies of an earlier stack
        try:
            self._mock.start()
            self._mock_started = True
            deploy_client = self.client if deploy_endpoint is None else self._endpoint_clients(deploy_endpoint)
            deployer.create_resources(deploy_client, topology, self.names, definitions, Settings().sender_email)
            self.schedules = ScheduleSource(
                self.account_id,
                region,
                self.clock.now,
                self._deliver,
                self._send_rule_event,
            )
            self.clock.add_source(self.schedules)
            self._caller_environ = self._set_caller_environ()
        except BaseException:
            self._teardown()
            raise
        global _open_stack
        _open_stack = self

    def _set_caller_environ(self) -> dict[str, str | None]:
        """Code calling the services from this process (tests, the demo) acts as the API does: it knows the
        state machines' ARNs (a rejected dispute starts a run). Returns what to restore on closing."""
        from incasso.settings import reset_settings

        saved: dict[str, str | None] = {}
        for machine in deployer.local_state_machines(self.topology):
            if machine.env:
                saved[machine.env] = os.environ.get(machine.env)
                os.environ[machine.env] = self.names[machine.id]
        reset_settings()
        return saved

    # -- clients ------------------------------------------------------------------------------------

    def client(self, service: str) -> Any:
        """A boto3 client of this stack (cached; thread-safe to use), served in process: an endpoint URL in
        the environment (``incasso serve`` points S3 at its HTTP endpoint for presigned URLs) is ignored."""
        client = self._clients.get(service)
        if client is None:
            with self._clients_lock:
                client = self._clients.get(service)
                if client is None:
                    client = self._clients[service] = boto3.client(
                        service, region_name=self.region,
                        config=Config(retries={"max_attempts": 1}, ignore_configured_endpoint_urls=True),
                    )
        return client

    def _endpoint_clients(self, endpoint_url: str) -> Any:
        def client(service: str) -> Any:
            return boto3.client(service, region_name=self.region, endpoint_url=endpoint_url)

        return client

    # -- time ---------------------------------------------------------------------------------------

    def now(self) -> dt.datetime:
        return self.clock.now()

    def advance(self, *, days: float = 0, hours: float = 0, minutes: float = 0, seconds: float = 0) -> dt.datetime:
        """Move the simulated clock forward, day by day; returns once everything due has settled."""
        return self.clock.advance(days=days, hours=hours, minutes=minutes, seconds=seconds)

    def advance_to(self, moment: dt.datetime) -> dt.datetime:
        return self.clock.advance_to(moment)

    def settle(self) -> None:
        """Wait until every execution is blocked (on the clock or a task token) and no handler runs."""
        self.clock.settle()

    @property
    def running_executions(self) -> int:
        return self.clock.running_executions

    # -- Lambda -------------------------------------------------------------------------------------

    def invoke(self, function_id: str, event: Any) -> Any:
        """Invoke a function through the Lambda API and return its result; ``HandlerError`` if it fails."""
        response = self.client("lambda").invoke(FunctionName=self.names[function_id], Payload=json.dumps(event).encode())
        payload = json.loads(response["Payload"].read() or b"null")
        if response.get("FunctionError"):
            raise HandlerError(function_id, payload)
        return payload

    def invocations(self, function_id: str | None = None) -> list[Invocation]:
        """Handler calls so far (the most recent 20,000), oldest first."""
        return [call for call in self._lambdas.invocations if function_id is None or call.function_id == function_id]

    def invocation_count(self, function_id: str) -> int:
        return self._lambdas.counts[function_id]

    # -- Step Functions -----------------------------------------------------------------------------

    def start_execution(self, machine_id: str, name: str, input: Any) -> str:  # noqa: A002 - the API's word
        """Start an execution of a declared state machine; returns its ARN (it runs in the background)."""
        response = self.client("stepfunctions").start_execution(
            stateMachineArn=self.names[machine_id], name=name, input=json.dumps(input)
        )
        return response["executionArn"]

    def describe_execution(self, execution_arn: str) -> dict[str, Any]:
        return self.client("stepfunctions").describe_execution(executionArn=execution_arn)

    def execution_status(self, execution_arn: str) -> str:
        return self.describe_execution(execution_arn)["status"]

    # -- closing ------------------------------------------------------------------------------------

    def _send_rule_event(self, rule: Any, event: dict[str, Any]) -> None:
        assert self._runtime.send_rule_event is not None
        with self.clock.api_lock:
            self._runtime.send_rule_event(rule, event)

    def _deliver(self, arn: str, payload: Any) -> None:
        parts = arn.split(":")
        with self.clock.api_lock:
            delivery.deliver(parts[4], parts[3], arn, payload)

    def close(self) -> None:
        """Stop every execution, take the patches back, reset moto and restore the previous clock."""
        if self._closed:
            return
        self._teardown()

    def _teardown(self) -> None:
        global _open_stack
        if _open_stack is self:
            _open_stack = None
        self._closed = True
        try:
            self.clock.close()
        finally:
            try:
                if self._mock_started:
                    self._mock.stop()
            finally:
                self._lambdas.forget_modules()
                for name, value in getattr(self, "_caller_environ", {}).items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value
                process.reset()
                self._uninstall()
                set_clock(self._previous_clock)

    def __enter__(self) -> LocalStack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_stack() -> LocalStack | None:
    """The stack open in this process, if any."""
    return _open_stack


def deploy(
    topology: Topology = TOPOLOGY,
    *,
    clock: SimulatedClock | None = None,
    extra: Topology | None = None,
    speedups: bool | None = None,
    region: str = DEFAULT_REGION,
) -> LocalStack:
    """Deploy ``topology`` (and ``extra``) on moto in this process; see ``LocalStack``."""
    return LocalStack(topology, clock=clock, extra=extra, speedups=speedups, region=region)


__all__ = ["DeployError", "HandlerError", "LocalStack", "deploy"]
