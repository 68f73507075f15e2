"""Every moto internal the local stack patches, declared once (``PATCH_POINTS``) and installed together.

moto is pinned exactly (5.2.5); ``tests/integration/local/test_patch_points.py`` checks that each
point below still exists with the signature the patch expects, so that an upgrade fails loudly.

What is patched, and why:

- Lambda runs the real handler in process (``LambdaFunction._invoke_lambda``).
- Time: Wait states, retry intervals and timeouts block on the simulated clock; TimestampPath and the
  interpreter's timestamps read it; EventBridge event times read it.
- Quiescence: the interpreter's threads and events become the clock's ``TrackedThread`` and
  ``SimEvent``; executions are counted as they start and finish.
- EventBridge rules deliver to Lambda and Step Functions targets; S3 events get AWS's full shape.
- Every AWS call holds the clock's API lock (atomic, as in AWS).
- No leaked threads: moto's global list of every thread it ever started is replaced by one that keeps
  nothing.
- Speed-ups (switchable): one boto3 client per service for the interpreter instead of one per Task,
  cached JSONPath parsers, the parsed definition cached per state machine, and no extra thread per
  Task or per program when no timeout asks for one; moto's routing kept per URL and its handler
  method lists per class; botocore's User-Agent kept per client, the SigV4 header written without
  its (unchecked) signature; DynamoDB answers and queries as in ``fast_dynamodb``.

moto 5.2.5 and botocore (the release ``constraints.txt`` pins) are checked by the same test.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import itertools
import logging
import re
import sys
import threading
import time
import types
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from moto.core.exceptions import AWSError

from infra.local import delivery
from infra.local.clock import ClockShutdown, SimEvent, SimulatedClock, sim_datetime_module
from infra.local.lambda_runtime import LambdaRuntime

LOG = logging.getLogger(__name__)

_SFN = "moto.stepfunctions.parser"
_ASL = f"{_SFN}.asl"
_STATE = f"{_ASL}.component.state"
_EXEC = f"{_STATE}.exec"
_TASK_SERVICE = f"{_EXEC}.state_task.service"
_MAP_ITERATION = f"{_EXEC}.state_map.iteration"

LAMBDA_MODELS = "moto.awslambda.models"
S3_NOTIFICATIONS = "moto.s3.notifications"
EVENTS_MODELS = "moto.events.models"
WAIT_FUNCTION = f"{_STATE}.wait.wait_function.wait_function"
TIMESTAMP = f"{_STATE}.wait.wait_function.timestamp"
RETRIER = f"{_ASL}.component.common.retry.retrier_decl"
EXECUTION_WORKER = f"{_SFN}.backend.execution_worker"
EXECUTION = f"{_SFN}.backend.execution"
PROGRAM = f"{_ASL}.component.program.program"
EXECUTE_STATE = f"{_EXEC}.execute_state"
CALLBACK_SERVICE = f"{_TASK_SERVICE}.state_task_service_callback"
BRANCH_WORKER = f"{_EXEC}.state_parallel.branch_worker"
BRANCHES = f"{_EXEC}.state_parallel.branches_decl"
INLINE_ITERATION = f"{_MAP_ITERATION}.inline_iteration_component"
JOB = f"{_MAP_ITERATION}.job"
ENVIRONMENT = f"{_ASL}.eval.environment"
CALLBACK = f"{_ASL}.eval.callback.callback"
SFN_UTILS = f"{_SFN}.utils"
SFN_MODELS = f"{_SFN}.models"
STATE = f"{_STATE}.state"
EVENT_MANAGER = f"{_ASL}.eval.event.event_manager"
MAP_RUN_RECORD = f"{_MAP_ITERATION}.itemprocessor.map_run_record"
BOTO_CLIENT = f"{_ASL}.utils.boto_client"
JSON_PATH = f"{_ASL}.utils.json_path"
RESULT_PATH = f"{_ASL}.component.common.path.result_path"
ASL_PARSER = f"{_ASL}.parse.asl_parser"
EVAL_COMPONENT = f"{_ASL}.component.eval_component"
STUBBER = "moto.core.botocore_stubber"
MOTO_RESPONSES = "moto.core.responses"
USER_AGENT = "botocore.useragent"
BOTO_AUTH = "botocore.auth"
DYNAMODB_CONDITIONS = "moto.dynamodb.comparisons"
SERVER_APP = "moto.moto_server.werkzeug_app"
BATCH_SERVICE = f"{_TASK_SERVICE}.state_task_service_batch"
SERVICE_FACTORY = f"{_TASK_SERVICE}.state_task_service_factory"

# Modules whose ``threading`` becomes the clock's (Thread -> TrackedThread, Event -> SimEvent).
THREADING_MODULES = (PROGRAM, EXECUTE_STATE, CALLBACK_SERVICE, BRANCH_WORKER, BRANCHES, INLINE_ITERATION, JOB, ENVIRONMENT)
THREAD_CLASS_MODULES = (EXECUTE_STATE, EXECUTION_WORKER)  # ``from threading import Thread``
EVENT_CLASS_MODULES = (CALLBACK,)  # ``from threading import Event``
TMP_THREADS_MODULES = (SFN_UTILS, PROGRAM, EXECUTE_STATE, CALLBACK_SERVICE, BRANCH_WORKER, INLINE_ITERATION, EXECUTION_WORKER)
DATETIME_MODULES = (SFN_MODELS, EXECUTION, STATE, EVENT_MANAGER, MAP_RUN_RECORD, BRANCHES)
BOTO_CLIENT_MODULES = (
    BOTO_CLIENT,
    f"{_EXEC}.state_task.lambda_eval_utils",
    f"{_TASK_SERVICE}.state_task_service_dynamodb",
    f"{_TASK_SERVICE}.state_task_service_events",
    f"{_TASK_SERVICE}.state_task_service_sqs",
    f"{_TASK_SERVICE}.state_task_service_sns",
    f"{_TASK_SERVICE}.state_task_service_sfn",
    f"{_TASK_SERVICE}.state_task_service_aws_sdk",
    f"{_TASK_SERVICE}.state_task_service_ecs",
    f"{_TASK_SERVICE}.state_task_service_glue",
    f"{_TASK_SERVICE}.state_task_service_unsupported",
    f"{_EXEC}.state_map.item_reader.eval.resource_eval_s3",
    f"{_EXEC}.state_map.result_writer.resource_eval.resource_eval_s3",
)


@dataclass(frozen=True)
class PatchPoint:
    """A moto internal: ``attribute`` (dotted) in ``module``; ``parameters`` when it is a callable
    whose signature the patch relies on."""

    module: str
    attribute: str
    parameters: tuple[str, ...] | None = None
    speedup: bool = False
    uses: str | None = None  # source text the module must contain for the patch to take effect

    def owner_and_name(self) -> tuple[Any, str]:
        owner: Any = importlib.import_module(self.module)
        *path, name = self.attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        return owner, name

    def current(self) -> Any:
        owner, name = self.owner_and_name()
        return inspect.getattr_static(owner, name)


def _points() -> tuple[PatchPoint, ...]:
    points = [
        PatchPoint(LAMBDA_MODELS, "LambdaFunction._invoke_lambda", ("self", "event")),
        PatchPoint(LAMBDA_MODELS, "LambdaFunction.invoke", ("self", "body", "request_headers", "response_headers")),
        PatchPoint(S3_NOTIFICATIONS, "_get_s3_event", ("event_name", "bucket", "key", "notification_id")),
        PatchPoint(EVENTS_MODELS, "Rule.send_to_targets", ("self", "original_event", "transform_input")),
        PatchPoint(EVENTS_MODELS, "unix_time", ("dt",)),
        PatchPoint(WAIT_FUNCTION, "WaitFunction._wait_interval", ("self", "env", "wait_seconds")),
        PatchPoint(TIMESTAMP, "Timestamp._get_wait_seconds", ("self", "env")),
        PatchPoint(TIMESTAMP, "Timestamp._from_timestamp_string", ("timestamp",)),
        PatchPoint(TIMESTAMP, "Timestamp._create_failure_event", ("self", "env", "timestamp_str")),
        PatchPoint(RETRIER, "time", uses="time.sleep(interval_seconds)"),
        PatchPoint(RETRIER, "RetrierDecl._eval_body", ("self", "env")),
        PatchPoint(EXECUTION_WORKER, "ExecutionWorker.start", ("self",)),
        PatchPoint(EXECUTION_WORKER, "ExecutionWorker._execution_logic", ("self",)),
        PatchPoint(EXECUTION, "BaseExecutionWorkerCommunication.terminated", ("self",)),
        PatchPoint(STUBBER, "BotocoreStubber.process_request", ("self", "request"),
                   uses="for url, method_to_execute in backend.urls.items():"),
        PatchPoint(STUBBER, "get_equivalent_url_in_aws_domain", ("url",)),
        PatchPoint(STUBBER, "passthrough_url", ("clean_url",)),
        PatchPoint(STUBBER, "passthrough_service", ("service",)),
        PatchPoint(STUBBER, "service_whitelisted", ("service",)),
        PatchPoint(STUBBER, "normalize_request", ("request",)),
        PatchPoint(STUBBER, "backend_index", uses="backend_index.backend_url_patterns"),
        PatchPoint(STUBBER, "BackendDict"),
        PatchPoint(STUBBER, "BotocoreStubber.__call__", ("self", "event_name", "request", "kwargs")),
        PatchPoint(SERVER_APP, "DomainDispatcherApplication.__call__", ("self", "environ", "start_response")),
        PatchPoint(BOTO_CLIENT, "boto_client_for", ("region", "service", "state_credentials"), speedup=True),
        PatchPoint(JSON_PATH, "parse", speedup=True, uses="parse(path)"),
        PatchPoint(RESULT_PATH, "parse", speedup=True, uses="parse(self.result_path_src)"),
        PatchPoint(EXECUTION_WORKER, "AmazonStateLanguageParser", uses="AmazonStateLanguageParser.parse("),
        PatchPoint(SERVICE_FACTORY, "StateTaskServiceBatch", uses="return StateTaskServiceBatch()"),
        PatchPoint(ASL_PARSER, "AmazonStateLanguageParser.parse", ("definition",), speedup=True),
        PatchPoint(PROGRAM, "Program.eval", ("self", "env"), speedup=True),
        PatchPoint(EXECUTE_STATE, "ExecutionState._evaluate_with_timeout", ("self", "env"), speedup=True),
        PatchPoint(EVAL_COMPONENT, "EvalComponent.heap_key"),
        PatchPoint(MOTO_RESPONSES, "method_names_from_class", ("clazz",), speedup=True,
                   uses="method_names_from_class(self.__class__)"),
        PatchPoint(USER_AGENT, "UserAgentString.to_string", ("self",), speedup=True),
        PatchPoint(USER_AGENT, "get_context", uses="ctx = get_context()"),
        PatchPoint(BOTO_AUTH, "SigV4Auth.add_auth", ("self", "request"), speedup=True,
                   uses="auth_str = [f'AWS4-HMAC-SHA256 Credential={self.scope(request)}']"),
        PatchPoint(BOTO_AUTH, "SigV4Auth._modify_request_before_signing", ("self", "request")),
        PatchPoint(BOTO_AUTH, "SigV4Auth.scope", ("self", "request")),
        PatchPoint(BOTO_AUTH, "get_current_datetime", ("remove_tzinfo",)),
        PatchPoint(BOTO_AUTH, "SIGV4_TIMESTAMP"),
        PatchPoint(BOTO_AUTH, "NoCredentialsError"),
        PatchPoint(DYNAMODB_CONDITIONS, "deque", uses="from collections import deque"),
        PatchPoint(DYNAMODB_CONDITIONS, "ConditionExpressionParser._lex_condition_expression", ("self",),
                   speedup=True, uses="nodes = self._lex_condition_expression()"),
    ]
    points += [PatchPoint(module, "threading", uses="threading.") for module in THREADING_MODULES]
    points += [PatchPoint(module, "Thread", uses="= Thread(") for module in THREAD_CLASS_MODULES]
    points += [PatchPoint(module, "Event", uses="= Event()") for module in EVENT_CLASS_MODULES]
    points += [PatchPoint(module, "TMP_THREADS", uses="TMP_THREADS") for module in TMP_THREADS_MODULES]
    points += [PatchPoint(module, "datetime", uses="datetime.datetime.now(") for module in DATETIME_MODULES]
    points += [
        PatchPoint(module, "boto_client_for", speedup=True, uses="boto_client_for(") for module in BOTO_CLIENT_MODULES[1:]
    ]
    return tuple(points)


PATCH_POINTS = _points()


_THREADS_PER_EXECUTION = 4


class ExecutionLimitExceeded(AWSError):
    """Step Functions' own error, raised before the local stack would run out of threads."""

    TYPE = "ExecutionLimitExceeded"
    STATUS = 400


class _KeepNothing(list):
    """Stands in for moto's global list of every thread it started: keeps none of them."""

    def append(self, item: Any) -> None:
        pass


@dataclass
class LocalRuntime:
    """What the patches dispatch to while a local stack is open."""

    clock: SimulatedClock
    lambdas: LambdaRuntime
    account_id: str
    region: str
    speedups: bool = True
    # set by install: delivers an event (moto's shape) to a rule's targets; scheduled rules use it
    send_rule_event: Callable[[Any, dict[str, Any]], None] | None = None
    # set in server mode: serves a handler's requests to the server's own endpoint in the calling
    # thread (``endpoint``, ``serve(request)``), where over HTTP they would wait for the handler lock
    loopback: Any = None


class _Patcher:
    def __init__(self) -> None:
        self._undo: list[Callable[[], None]] = []

    def set(self, module: str, attribute: str, value: Any) -> Any:
        """Replace and return the original (as ``getattr`` gives it)."""
        point = PatchPoint(module, attribute)
        owner, name = point.owner_and_name()
        own = name in vars(owner)
        raw = vars(owner)[name] if own else None
        original = getattr(owner, name)
        setattr(owner, name, value)
        self._undo.append(lambda: setattr(owner, name, raw) if own else delattr(owner, name))
        return original

    def on_undo(self, take_back: Callable[[], None]) -> None:
        """Run ``take_back`` when the patches are taken back (in reverse order with the others)."""
        self._undo.append(take_back)

    def undo(self) -> None:
        for take_back in reversed(self._undo):
            take_back()
        self._undo.clear()


_installed: _Patcher | None = None
_install_lock = threading.Lock()


def install(runtime: LocalRuntime) -> Callable[[], None]:
    """Apply every patch for ``runtime``; returns the function that takes them all back."""
    global _installed
    with _install_lock:
        if _installed is not None:
            raise RuntimeError("a local stack is already open in this process; close it first")
        defer_batch_integration()
        patcher = _Patcher()
        try:
            _install_lambda_and_events(patcher, runtime)
            _install_time(patcher, runtime)
            _install_threads(patcher, runtime)
            _install_api_lock(patcher, runtime)
            # Every claim change is a DynamoDB transaction; stock moto copies the table per item.
            from infra import moto_transactions

            moto_transactions.install()
            if runtime.speedups:
                _install_speedups(patcher, runtime)
                _install_fast_dynamodb(patcher)
        except BaseException:
            patcher.undo()
            raise
        _installed = patcher

    def uninstall() -> None:
        global _installed
        with _install_lock:
            patcher.undo()
            _installed = None

    return uninstall


def _install_fast_dynamodb(patcher: _Patcher) -> None:
    """DynamoDB answers without moto's generic serializer and Queries that read one partition
    (``fast_dynamodb``); left alone when serve, demo or a test installed it already."""
    from infra.local import fast_dynamodb

    if fast_dynamodb.installed():
        return
    fast_dynamodb.install()
    patcher.on_undo(fast_dynamodb.uninstall)


def defer_batch_integration() -> None:
    """Import moto's AWS Batch task integration only when a state machine uses it.

    The interpreter imports every task integration up front; Batch's pulls in moto's EC2, whose region
    data costs about a second on the first deployment in a process. Until the interpreter parses a
    ``batch`` task, its module is a stand-in whose class builds the real one on first use.
    """
    if BATCH_SERVICE in sys.modules or SERVICE_FACTORY in sys.modules:
        return
    stand_in = types.ModuleType(BATCH_SERVICE, "moto's Batch task integration, imported on first use")

    def real_module() -> types.ModuleType:
        if sys.modules.get(BATCH_SERVICE) is stand_in:
            del sys.modules[BATCH_SERVICE]
        return importlib.import_module(BATCH_SERVICE)

    class StateTaskServiceBatch:
        def __new__(cls, *args: Any, **kwargs: Any) -> Any:
            return real_module().StateTaskServiceBatch(*args, **kwargs)

    def forward(name: str) -> Any:
        if name.startswith("__"):  # the import system probes __path__ and the like
            raise AttributeError(name)
        return getattr(real_module(), name)

    stand_in.StateTaskServiceBatch = StateTaskServiceBatch  # type: ignore[attr-defined]
    stand_in.__getattr__ = forward  # type: ignore[method-assign]
    sys.modules[BATCH_SERVICE] = stand_in


# -- Lambda, S3, EventBridge ---------------------------------------------------------------------------


def _install_lambda_and_events(patcher: _Patcher, runtime: LocalRuntime) -> None:
    clock = runtime.clock

    def _invoke_lambda(self: Any, event: Any = None) -> tuple[str, bool, str]:
        return runtime.lambdas.invoke(self.function_name, dict(self.environment_vars or {}), event)

    patcher.set(LAMBDA_MODELS, "LambdaFunction._invoke_lambda", _invoke_lambda)

    original_s3_event = importlib.import_module(S3_NOTIFICATIONS)._get_s3_event
    sequencer = itertools.count(1)

    def _get_s3_event(event_name: str, bucket: Any, key: Any, notification_id: str) -> dict[str, Any]:
        event = original_s3_event(event_name, bucket, key, notification_id)
        now = clock.now()
        for record in event["Records"]:
            record["eventTime"] = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
            record["userIdentity"] = {"principalId": "AWS:LOCAL"}
            record["requestParameters"] = {"sourceIPAddress": "127.0.0.1"}
            request_id = uuid.uuid4().hex[:16].upper()
            record["responseElements"] = {"x-amz-request-id": request_id, "x-amz-id-2": uuid.uuid4().hex}
            record["s3"]["bucket"]["ownerIdentity"] = {"principalId": "LOCAL"}
            record["s3"]["object"]["sequencer"] = f"{next(sequencer):018X}"
            if getattr(key, "version_id", None):
                record["s3"]["object"]["versionId"] = key.version_id
        return event

    patcher.set(S3_NOTIFICATIONS, "_get_s3_event", _get_s3_event)

    original_send = importlib.import_module(EVENTS_MODELS).Rule.send_to_targets

    def send_rule_event(rule: Any, event: dict[str, Any], transform_input: bool = True) -> None:
        """Deliver ``event`` (moto's shape) to every target of ``rule``, Lambda and Step Functions here."""
        here = [target for target in rule.targets if delivery.is_delivered_here(target["Arn"])]
        elsewhere = [target for target in rule.targets if not delivery.is_delivered_here(target["Arn"])]
        if elsewhere:
            others = copy.copy(rule)
            others.targets = elsewhere
            original_send(others, event, transform_input)
        for target in here:
            arn = target["Arn"]
            region, account = arn.split(":")[3], arn.split(":")[4]
            delivery.deliver(account, region, arn, delivery.target_payload(target, event, transform_input))

    def send_to_targets(self: Any, original_event: dict[str, Any], transform_input: bool = True) -> None:
        if self.state != "ENABLED" or not self.event_pattern.matches_event(original_event):
            return
        send_rule_event(self, original_event, transform_input)

    patcher.set(EVENTS_MODELS, "Rule.send_to_targets", send_to_targets)
    runtime.send_rule_event = send_rule_event

    original_unix_time = importlib.import_module(EVENTS_MODELS).unix_time

    def unix_time(dt: Any = None) -> float:  # moto's parameter name
        return clock.now().timestamp() if dt is None else original_unix_time(dt)

    patcher.set(EVENTS_MODELS, "unix_time", unix_time)


# -- time ------------------------------------------------------------------------------------------------


def _install_time(patcher: _Patcher, runtime: LocalRuntime) -> None:
    clock = runtime.clock
    current = threading.local()

    def _wait_interval(self: Any, env: Any, wait_seconds: float) -> None:
        if wait_seconds <= 0:
            return
        deadline = clock.deadline_after(wait_seconds)
        interrupt = env.program_state_event
        while env.is_running():
            if deadline is None:
                interrupt.wait()
                continue
            remaining = (deadline - clock.now()).total_seconds()
            if remaining <= 0:
                return
            if isinstance(interrupt, SimEvent):
                interrupt.wait(remaining)
            else:
                clock.sleep(remaining)

    patcher.set(WAIT_FUNCTION, "WaitFunction._wait_interval", _wait_interval)

    failure = importlib.import_module(f"{_ASL}.component.common.error_name.failure_event")

    def _get_wait_seconds(self: Any, env: Any) -> float:
        self.string.eval(env=env)
        timestamp_str = env.stack.pop()
        timestamp = self._from_timestamp_string(timestamp=timestamp_str)
        if timestamp is None:
            raise failure.FailureEventException(self._create_failure_event(env, timestamp_str))
        return (timestamp - clock.now().replace(tzinfo=None)).total_seconds()

    patcher.set(TIMESTAMP, "Timestamp._get_wait_seconds", _get_wait_seconds)

    class _SimTime:
        """``time`` for the retrier: ``sleep`` passes simulated seconds and ends if the execution stops."""

        def sleep(self, seconds: float) -> None:
            env = getattr(current, "env", None)
            interrupt = getattr(env, "program_state_event", None)
            clock.sleep(seconds, interrupt if isinstance(interrupt, SimEvent) else None)

        def __getattr__(self, name: str) -> Any:
            return getattr(time, name)

    patcher.set(RETRIER, "time", _SimTime())
    original_retrier_eval = importlib.import_module(RETRIER).RetrierDecl._eval_body

    def _eval_body(self: Any, env: Any) -> None:
        previous, current.env = getattr(current, "env", None), env
        try:
            original_retrier_eval(self, env)
        finally:
            current.env = previous

    patcher.set(RETRIER, "RetrierDecl._eval_body", _eval_body)

    module = sim_datetime_module(clock.now)
    for name in DATETIME_MODULES:
        patcher.set(name, "datetime", module)


# -- threads and executions ---------------------------------------------------------------------------


def _install_threads(patcher: _Patcher, runtime: LocalRuntime) -> None:
    clock = runtime.clock
    tracked_thread = clock.thread_class()

    class _Threading:
        """``threading`` as the interpreter sees it: its threads and events are the clock's."""

        Thread = tracked_thread

        @staticmethod
        def Event() -> SimEvent:  # noqa: N802 - stands in for threading.Event
            return SimEvent(clock)

        def __getattr__(self, name: str) -> Any:
            return getattr(threading, name)

    shim = _Threading()
    for name in THREADING_MODULES:
        patcher.set(name, "threading", shim)
    for name in THREAD_CLASS_MODULES:
        patcher.set(name, "Thread", tracked_thread)
    for name in EVENT_CLASS_MODULES:
        patcher.set(name, "Event", shim.Event)
    importlib.import_module(SFN_UTILS).TMP_THREADS.clear()
    keep_nothing = _KeepNothing()
    for name in TMP_THREADS_MODULES:
        patcher.set(name, "TMP_THREADS", keep_nothing)

    worker_class = importlib.import_module(EXECUTION_WORKER).ExecutionWorker
    original_start = worker_class.start
    original_logic = worker_class._execution_logic

    def start(self: Any) -> None:
        # refused while fewer threads are left than one more execution may need (execution, program,
        # task, token waiter), so running executions keep room for their tasks
        if clock.tracked_threads + _THREADS_PER_EXECUTION >= clock.thread_capacity:
            raise ExecutionLimitExceeded(
                f"The local stack runs at most {clock.thread_capacity} threads for executions and "
                f"{clock.tracked_threads} are in use ({clock.running_executions} running executions); "
                "let some finish or set INCASSO_LOCAL_MAX_THREADS."
            )
        self._incasso_counted = True
        self._incasso_finished = False
        clock.execution_started()
        try:
            original_start(self)
        except BaseException:
            _finish(self)
            raise

    def _finish(worker: Any) -> None:
        if getattr(worker, "_incasso_counted", False) and not worker._incasso_finished:
            worker._incasso_finished = True
            clock.execution_finished()

    def _execution_logic(self: Any) -> None:
        try:
            original_logic(self)
        except ClockShutdown:
            raise
        except Exception as exc:  # stock moto would leave the execution RUNNING forever
            LOG.exception("execution failed inside the interpreter")
            execution = getattr(self._execution_communication, "execution", None)
            if execution is not None and execution.exec_status is not None and execution.status == "RUNNING":
                from moto.stepfunctions.parser.api import ExecutionStatus

                execution.exec_status = ExecutionStatus.FAILED
                execution.error = "States.Runtime"
                execution.cause = f"{type(exc).__name__}({exc})"
                execution.stop_date = clock.now()
        finally:
            _finish(self)

    patcher.set(EXECUTION_WORKER, "ExecutionWorker.start", start)
    patcher.set(EXECUTION_WORKER, "ExecutionWorker._execution_logic", _execution_logic)

    original_terminated = importlib.import_module(EXECUTION).BaseExecutionWorkerCommunication.terminated

    def terminated(self: Any) -> None:
        original_terminated(self)
        _finish(self.execution.exec_worker)

    patcher.set(EXECUTION, "BaseExecutionWorkerCommunication.terminated", terminated)


def _install_api_lock(patcher: _Patcher, runtime: LocalRuntime) -> None:
    clock = runtime.clock
    api_lock = clock.api_lock
    stubber_class = importlib.import_module(STUBBER).BotocoreStubber
    original_process = stubber_class.process_request
    original_stub_call = stubber_class.__call__

    process = _routed_process_request(original_process) if runtime.speedups else original_process

    def process_request(self: Any, request: Any) -> Any:
        with api_lock:
            return process(self, request)

    def stub_call(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
        loopback = runtime.loopback
        if loopback is not None and clock.in_handler() and request.url.startswith(loopback.endpoint):
            return loopback.serve(request)
        return original_stub_call(self, event_name, request, **kwargs)

    patcher.set(STUBBER, "BotocoreStubber.process_request", process_request)
    patcher.set(STUBBER, "BotocoreStubber.__call__", stub_call)

    app_class = importlib.import_module(SERVER_APP).DomainDispatcherApplication
    original_call = app_class.__call__

    def __call__(self: Any, environ: dict[str, Any], start_response: Any) -> Any:  # noqa: N807
        with api_lock:
            return original_call(self, environ, start_response)

    patcher.set(SERVER_APP, "DomainDispatcherApplication.__call__", __call__)


# -- speed-ups -----------------------------------------------------------------------------------------


def _install_speedups(patcher: _Patcher, runtime: LocalRuntime) -> None:
    original_client_for = importlib.import_module(BOTO_CLIENT).boto_client_for
    from moto.core.models import botocore_stubber
    from moto.settings import moto_server_port

    clients: dict[tuple[str, str, bool, str], Any] = {}
    clients_lock = threading.Lock()

    def boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
        key = (region, service, botocore_stubber.enabled, moto_server_port())
        client = clients.get(key)
        if client is None:
            with clients_lock:  # creating clients from one session is not thread-safe
                client = clients.get(key)
                if client is None:
                    client = clients[key] = original_client_for(region, service, state_credentials)
        return client

    for name in BOTO_CLIENT_MODULES:
        patcher.set(name, "boto_client_for", boto_client_for)

    patcher.set(JSON_PATH, "parse", lru_cache(maxsize=4096)(importlib.import_module(JSON_PATH).parse))
    patcher.set(RESULT_PATH, "parse", lru_cache(maxsize=4096)(importlib.import_module(RESULT_PATH).parse))

    parser_class = importlib.import_module(ASL_PARSER).AmazonStateLanguageParser
    original_parse = parser_class.parse
    parsed: dict[str, Any] = {}
    parse_lock = threading.Lock()

    def parse(definition: str) -> Any:
        result = parsed.get(definition)
        if result is None:
            with parse_lock:
                result = parsed.get(definition)
                if result is None:
                    result = original_parse(definition)
                    _fix_heap_keys(result[0])
                    if len(parsed) > 256:
                        parsed.clear()
                    parsed[definition] = result
        return result

    patcher.set(ASL_PARSER, "AmazonStateLanguageParser.parse", staticmethod(parse))

    eval_component = importlib.import_module(EVAL_COMPONENT).EvalComponent
    program_class = importlib.import_module(PROGRAM).Program
    original_program_eval = program_class.eval

    def program_eval(self: Any, env: Any) -> None:
        if self.timeout_seconds is not None:  # a program timeout needs the watching thread
            return original_program_eval(self, env)
        env.next_state_name = self.start_at.start_at_name
        try:
            eval_component.eval(self, env)
        except Exception:  # in its own thread this would have ended the thread, not the caller
            LOG.exception("state machine program failed")

    patcher.set(PROGRAM, "Program.eval", program_eval)

    execute_state = importlib.import_module(EXECUTE_STATE)
    timeout_module = importlib.import_module(f"{_ASL}.component.common.timeouts.timeout")
    default_timeout = timeout_module.TimeoutSeconds.DEFAULT_TIMEOUT_SECONDS
    original_with_timeout = execute_state.ExecutionState._evaluate_with_timeout

    def _evaluate_with_timeout(self: Any, env: Any) -> None:
        timeout = self.timeout
        if not (isinstance(timeout, timeout_module.TimeoutSeconds) and timeout.timeout_seconds >= default_timeout):
            return original_with_timeout(self, env)  # an explicit timeout needs the watching thread
        _evaluate_inline(self, env)

    patcher.set(EXECUTE_STATE, "ExecutionState._evaluate_with_timeout", _evaluate_with_timeout)
    _install_request_speedups(patcher)


def _install_request_speedups(patcher: _Patcher) -> None:
    """Work every AWS call does again for the same answer, kept instead: moto's list of a handler class's
    methods (``inspect.getmembers`` per request), botocore's User-Agent header (built twice per request
    from a dozen components), the SigV4 signature (which moto never checks) and moto's tokens of a
    DynamoDB condition expression."""
    original_method_names = importlib.import_module(MOTO_RESPONSES).method_names_from_class
    method_names: dict[type, list[str]] = {}

    def method_names_from_class(clazz: type) -> list[str]:
        names = method_names.get(clazz)
        if names is None:
            names = method_names[clazz] = original_method_names(clazz)
        return names

    patcher.set(MOTO_RESPONSES, "method_names_from_class", method_names_from_class)

    user_agent = importlib.import_module(USER_AGENT)
    original_to_string = user_agent.UserAgentString.to_string
    strings: weakref.WeakKeyDictionary[Any, dict[frozenset[str], str]] = weakref.WeakKeyDictionary()

    def to_string(self: Any) -> str:
        context = user_agent.get_context()  # the features of this request are part of the string
        features = frozenset(context.features) if context is not None else frozenset()
        known = strings.get(self)
        if known is None:
            known = strings[self] = {}
        text = known.get(features)
        if text is None:
            text = known[features] = original_to_string(self)
        return text

    patcher.set(USER_AGENT, "UserAgentString.to_string", to_string)

    # moto never checks a signature, but reads the account and region from the Authorization header's
    # credential scope: the header is written as botocore writes it, with the signature left uncomputed.
    # Only plain SigV4 headers: S3's signer (payload hashes) and presigned URLs keep the real one.
    auth = importlib.import_module(BOTO_AUTH)
    original_add_auth = auth.SigV4Auth.add_auth

    def add_auth(self: Any, request: Any) -> None:
        if type(self) is not auth.SigV4Auth:
            return original_add_auth(self, request)
        if self.credentials is None:
            raise auth.NoCredentialsError()
        request.context["timestamp"] = auth.get_current_datetime().strftime(auth.SIGV4_TIMESTAMP)
        self._modify_request_before_signing(request)
        request.headers["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={self.scope(request)}, "
                                            f"SignedHeaders=host;x-amz-date, Signature={UNCOMPUTED_SIGNATURE}")

    patcher.set(BOTO_AUTH, "SigV4Auth.add_auth", add_auth)

    # moto lexes every condition expression again (one regular expression after another per token); the
    # tokens depend on the text alone and are immutable tuples, read off a fresh deque by the parser.
    conditions = importlib.import_module(DYNAMODB_CONDITIONS)
    original_lex = conditions.ConditionExpressionParser._lex_condition_expression
    lexed: dict[str, tuple[Any, ...]] = {}

    def _lex_condition_expression(self: Any) -> Any:
        tokens = lexed.get(self.condition_expression)
        if tokens is None:
            tokens = tuple(original_lex(self))
            if len(lexed) > 4096:
                lexed.clear()
            lexed[self.condition_expression] = tokens
        return conditions.deque(tokens)

    patcher.set(DYNAMODB_CONDITIONS, "ConditionExpressionParser._lex_condition_expression", _lex_condition_expression)


UNCOMPUTED_SIGNATURE = "0" * 64


def _routed_process_request(original_process: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """moto's ``BotocoreStubber.process_request`` with its routing remembered per URL.

    For every request moto tries each service's URL pattern in turn, looks the service's backend up,
    builds its ``urls`` table and compiles each of its regular expressions until one matches. Here the
    handler found for a URL (scheme, host and path) is kept; the request itself is then handled as
    moto does (normalized, recorded, dispatched, HTTP errors turned into answers). A URL moto would
    pass through, refuse or not route goes to moto's own code every time."""
    stubber = importlib.import_module(STUBBER)
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.core.exceptions import HTTPException
    from moto.moto_api import recorder

    routes: dict[str, Any] = {}

    def route(clean_url: str) -> Any:
        if stubber.passthrough_url(clean_url):
            return None
        for service, pattern in stubber.backend_index.backend_url_patterns:
            if not pattern.match(clean_url):
                continue
            if stubber.passthrough_service(service) or not stubber.service_whitelisted(service):
                return None
            import moto.backends as backends

            backend_dict = backends.get_backend(service)
            if isinstance(backend_dict, stubber.BackendDict):
                regions = backend_dict[DEFAULT_ACCOUNT_ID]
                backend = regions["us-east-1"] if "us-east-1" in regions else regions["aws"]
            else:
                backend = backend_dict["global"]
            for url, method_to_execute in backend.urls.items():
                if re.compile(url).match(clean_url):
                    return method_to_execute
        return None

    def process_request(self: Any, request: Any) -> Any:
        parsed_url, _ = stubber.get_equivalent_url_in_aws_domain(request.url)
        clean_url = f"{parsed_url.scheme}://{parsed_url.netloc}{parsed_url.path}"
        method_to_execute = routes.get(clean_url)
        if method_to_execute is None:
            method_to_execute = route(clean_url)
            if method_to_execute is None:
                return original_process(self, request)
            if len(routes) > 4096:  # S3 object URLs are many
                routes.clear()
            routes[clean_url] = method_to_execute
        normalized_request = stubber.normalize_request(request)
        try:
            recorder._record_request(normalized_request)
            status, headers, body = method_to_execute(normalized_request, normalized_request.raw_url,
                                                      normalized_request.headers)
        except HTTPException as error:
            status, headers, body = error.code, error.get_headers(), error.get_body()
        return status, headers, body

    return process_request


def _evaluate_inline(state: Any, env: Any) -> None:
    """moto's ``ExecutionState._evaluate_with_timeout`` without the thread that only watches the
    (default, 99999999 s) timeout: the same frame handling, outputs and errors."""
    state.timeout.eval(env=env)
    env.stack.pop()
    frame = env.open_frame()
    frame.states.reset(input_value=env.states.get_input())
    frame.stack = copy.deepcopy(env.stack)
    execution_outputs: list[Any] = []
    execution_exception: Exception | None = None
    try:
        state._eval_execution(frame)
        execution_outputs.extend(frame.stack)
    except Exception as ex:
        execution_exception = ex
    frame.set_ended()
    env.close_frame(frame)
    if execution_exception:
        raise execution_exception
    execution_output = execution_outputs.pop()
    env.stack.append(execution_output)
    if not state._is_language_query_jsonpath():
        env.states.set_result(execution_output)
    if state.assign_decl:
        state.assign_decl.eval(env=env)
    if state.result_selector:
        state.result_selector.eval(env=env)
    if state.result_path:
        state.result_path.eval(env)
    else:
        res = env.stack.pop()
        env.states.reset(input_value=res)


def _fix_heap_keys(program: Any) -> None:
    """Give every component of a cached program its heap key now: assigned lazily, two executions
    sharing the program could otherwise each assign a different one at the same time."""
    eval_component = importlib.import_module(EVAL_COMPONENT).EvalComponent
    seen: set[int] = set()
    stack = [program]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, eval_component):
            item.heap_key  # noqa: B018 - assigns it
        if isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif hasattr(item, "__dict__") and type(item).__module__.startswith("moto.stepfunctions"):
            stack.extend(vars(item).values())

