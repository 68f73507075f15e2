"""Fault injection for the local stack: AWS calls that fail, Lambdas that time out or lose their answer,
events delivered twice. Local runtime only — nothing here is imported by product code.

    with faults.inject(stack, faults.throttle("sesv2", "SendEmail", share=0.3),
                       faults.lost_response("send_message"), seed=7) as report:
        stack.advance(days=60)
    report.injected  # Counter: fault name -> times injected

Where the faults enter:

- AWS errors: a ``before-call`` hook (botocore's event system) on the product's own clients
  (``incasso.adapters.aws``, ``.messaging``, ``.documents``) answers the call with an AWS error before
  it reaches moto. That is above the SDK's own retries: an injected error is one that outlasted them,
  and the product's handling (``TransientSendError`` -> Step Functions Retry, ...) takes over.
- Lambda failures and duplicate deliveries: ``LambdaRuntime.interceptor`` wraps every handler call.
  A timeout cuts the handler off before its (n+1)-th AWS call (``after_calls=n``), or after it finished
  (``after_calls=None``: the work is done, the answer is lost); either way the invocation fails with
  ``Sandbox.Timedout`` and Step Functions retries the Task.

Only calls made inside a handler (the state machine's steps, the sweep, S3 notifications) are
faulted; the test's own calls and the interpreter's are not.

Deterministic: whether a call is faulted depends only on the seed, the fault, the task it belongs to
(function, tenant, claim, step) and how many such calls that task made before — not on the order in
which the simulated clock's threads happen to run. A burst is bounded: after ``max_failed_in_a_row``
failed attempts of one task, the next attempt runs clean, so Step Functions' retries (1 + 4 attempts
on every Task) outlast it; ``bounded=False`` faults (permanent rejections) are never held back.
"""

from __future__ import annotations

import copy
import random
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from infra.local.lambda_runtime import SandboxError

# The services a handler calls through the product's clients (all hooked, so that a timeout's
# ``after_calls`` counts every AWS call of the handler).
HOOKED_SERVICES = ("dynamodb", "sesv2", "sns", "s3", "events", "stepfunctions")
WRITE_OPERATIONS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"})
# What each service answers when it throttles (error code, HTTP status, message).
THROTTLING = {
    "sesv2": ("TooManyRequestsException", 429, "Maximum sending rate exceeded."),
    "sns": ("Throttled", 429, "Rate exceeded"),
    "dynamodb": ("ProvisionedThroughputExceededException", 400,
                 "The level of configured provisioned throughput for the table was exceeded."),
    "s3": ("SlowDown", 503, "Please reduce your request rate."),
    "events": ("ThrottlingException", 400, "Rate exceeded"),
    "stepfunctions": ("ThrottlingException", 400, "Rate exceeded"),
}
DEFAULT_MAX_FAILED_IN_A_ROW = 4  # Step Functions: 1 attempt + 4 retries on every Task of the escalation


@dataclass(frozen=True)
class AwsError:
    """A share of one service's calls (``operations``; empty: all) answer ``code`` instead of moto."""

    name: str
    service: str
    operations: frozenset[str]
    code: str
    status: int
    message: str
    share: float = 1.0
    bounded: bool = True
    matches: Callable[[dict[str, Any]], bool] | None = None  # on the call's parameters


@dataclass(frozen=True)
class LambdaFailure:
    """An invocation of ``functions`` fails in the sandbox: cut off before its (n+1)-th AWS call
    (``after_calls=n``) or after it finished (``None``). At most once per ``once_per(event)``."""

    name: str
    functions: frozenset[str]
    error_type: str = "Sandbox.Timedout"
    message: str = "Task timed out after 30.00 seconds"
    after_calls: int | Callable[[dict[str, Any]], int | None] | None = None
    share: float = 1.0
    once_per: Callable[[Any], Hashable] | None = None
    matches: Callable[[Any], bool] | None = None


@dataclass(frozen=True)
class DuplicateDelivery:
    """An event to ``functions`` is delivered twice (S3 and EventBridge deliver at least once): after
    the first delivery finished, or — ``during_call=n`` — while it runs, at its n-th AWS call (the
    second delivery runs whole there, then the first goes on: two overlapping invocations)."""

    name: str
    functions: frozenset[str]
    matches: Callable[[Any], bool] | None = None
    during_call: int | Callable[[Any], int | None] | None = None


Fault = AwsError | LambdaFailure | DuplicateDelivery


def throttle(service: str, *operations: str, share: float, name: str | None = None,
             matches: Callable[[dict[str, Any]], bool] | None = None) -> AwsError:
    """``share`` of the calls of ``service`` (``operations``; none: all) are throttled."""
    code, status, message = THROTTLING[service]
    return AwsError(name or f"{service} throttled", service, frozenset(operations), code, status, message,
                    share=share, matches=matches)


def throttle_writes(share: float) -> AwsError:
    """``share`` of DynamoDB writes (PutItem, UpdateItem, TransactWriteItems, ...) are throttled."""
    return throttle("dynamodb", *sorted(WRITE_OPERATIONS), share=share, name="dynamodb writes throttled")


def reject(service: str, *operations: str, code: str, message: str, status: int = 400, share: float = 1.0,
           matches: Callable[[dict[str, Any]], bool] | None = None, name: str | None = None) -> AwsError:
    """Calls answered with a permanent error (never held back by the burst bound)."""
    return AwsError(name or f"{service} {code}", service, frozenset(operations), code, status, message,
                    share=share, bounded=False, matches=matches)


def _step_key(event: Any) -> Hashable:
    if isinstance(event, dict):
        return (event.get("tenant_id"), event.get("claim_id"), event.get("step") or "")
    return None


def timeout(*functions: str, after_calls: int | Callable[[dict[str, Any]], int | None] | None = 0,
            share: float = 1.0, once_per: Callable[[Any], Hashable] | None = _step_key,
            matches: Callable[[Any], bool] | None = None, name: str | None = None) -> LambdaFailure:
    """Invocations time out after their first ``after_calls`` AWS calls (a callable picks it per event);
    by default each step of each claim once."""
    return LambdaFailure(name or f"{'/'.join(functions)} timed out", frozenset(functions), after_calls=after_calls,
                         share=share, once_per=once_per, matches=matches)


def lost_response(*functions: str, share: float = 1.0, once_per: Callable[[Any], Hashable] | None = _step_key,
                  matches: Callable[[Any], bool] | None = None, name: str | None = None) -> LambdaFailure:
    """The handler does all its work, then its answer is lost (a timeout at the very end): Step
    Functions sees a failure and retries a Task whose side effects already happened."""
    return LambdaFailure(name or f"{'/'.join(functions)} answer lost", frozenset(functions), after_calls=None,
                         share=share, once_per=once_per, matches=matches)


def duplicate(*functions: str, during_call: int | Callable[[Any], int | None] | None = None,
              matches: Callable[[Any], bool] | None = None, name: str | None = None) -> DuplicateDelivery:
    """Every matching event is delivered twice: in turn, or overlapping (``during_call``)."""
    return DuplicateDelivery(name or f"{'/'.join(functions)} delivered twice", frozenset(functions), matches,
                             during_call)


@dataclass(frozen=True)
class Delivery:
    """A message that left through a provider: an e-mail, an SMS, a letter into the print outbox."""

    channel: str  # email | sms | letter
    to: str  # e-mail address, phone number, or the print-outbox key
    kind: str | None  # the e-mail's kind tag, the letter's file name; None for an SMS


@dataclass(frozen=True)
class FailedAttempt:
    """An invocation the sandbox failed: which, and the AWS calls it made before (``dynamodb.GetItem``...)."""

    function_id: str
    event: Any
    error_type: str
    calls: tuple[str, ...]


@dataclass
class FaultReport:
    injected: Counter[str] = field(default_factory=Counter)  # fault name -> times
    sandbox_failures: list[FailedAttempt] = field(default_factory=list)
    invocations: Counter[str] = field(default_factory=Counter)  # function id -> handler calls seen
    failed_invocations: Counter[str] = field(default_factory=Counter)  # function id -> failed ones
    deliveries: list[Delivery] = field(default_factory=list)  # every successful send, any thread
    events: list[tuple[str, str]] = field(default_factory=list)  # (detail-type, detail JSON) put on the bus

    @property
    def total_injected(self) -> int:
        return sum(self.injected.values())


class _CutOff(BaseException):
    """Raised at a handler's AWS call to cut it off (a BaseException: product code must not catch it)."""


@dataclass
class _Attempt:
    function_id: str
    task: Hashable
    cut_after: int | None = None
    calls: list[str] = field(default_factory=list)
    injected: int = 0
    redeliver_at: int | None = None  # the second delivery runs before this AWS call (None: after the first)
    redeliver: Callable[[], Any] | None = None


class FaultPlan:
    def __init__(self, stack: Any, faults: tuple[Fault, ...], seed: int, max_failed_in_a_row: int | None) -> None:
        self.stack = stack
        self.aws_faults = [f for f in faults if isinstance(f, AwsError)]
        self.lambda_failures = [f for f in faults if isinstance(f, LambdaFailure)]
        self.duplicates = [f for f in faults if isinstance(f, DuplicateDelivery)]
        self.seed = seed
        self.max_failed_in_a_row = max_failed_in_a_row
        self.report = FaultReport()
        self._lock = threading.Lock()
        self._local = threading.local()
        self._draws: Counter[tuple[str, Hashable]] = Counter()
        self._failed_in_a_row: Counter[Hashable] = Counter()
        self._done_once: set[tuple[str, str, Hashable]] = set()
        self._id = f"incasso-faults-{uuid.uuid4().hex[:8]}"
        self._registered: list[tuple[Any, str]] = []
        self._previous_interceptor: Any = None

    # -- deciding -----------------------------------------------------------------------------------

    def _draw(self, fault_name: str, task: Hashable, share: float) -> bool:
        """The n-th draw of this fault for this task: the same in every run with the same seed."""
        if share >= 1.0:
            return True
        if share <= 0.0:
            return False
        with self._lock:
            n = self._draws[(fault_name, task)]
            self._draws[(fault_name, task)] = n + 1
        return random.Random(f"{self.seed}|{fault_name}|{task!r}|{n}").random() < share

    def _held_back(self, task: Hashable) -> bool:
        limit = self.max_failed_in_a_row
        return limit is not None and self._failed_in_a_row[(task)] >= limit

    # -- Lambda ---------------------------------------------------------------------------------------

    def intercept(self, function_id: str, event: Any, call: Callable[..., Any]) -> Any:
        task = (function_id, _step_key(event))
        attempt = _Attempt(function_id, task)
        failure = self._pick_failure(function_id, event, task)
        if failure is not None:
            attempt.cut_after = _for_event(failure.after_calls, event)
        again = self._pick_duplicate(function_id, event, task, call)
        if again is not None:
            attempt.redeliver_at, attempt.redeliver = again
        previous, self._local.attempt = getattr(self._local, "attempt", None), attempt
        failed = True
        try:
            try:
                result = call()
                if attempt.redeliver is not None:  # overlapping, or (``None``) after the first delivery
                    attempt.redeliver, redeliver = None, attempt.redeliver
                    redeliver()
            except _CutOff:
                result = None
            if failure is not None:
                self._count_injected(failure.name)
                with self._lock:
                    self.report.sandbox_failures.append(
                        FailedAttempt(function_id, event, failure.error_type, tuple(attempt.calls)))
                raise SandboxError(failure.error_type, failure.message)
            failed = False
            return result
        finally:
            self._local.attempt = previous
            with self._lock:
                self.report.invocations[function_id] += 1
                if failed:
                    self.report.failed_invocations[function_id] += 1
                    self._failed_in_a_row[task] += 1
                else:
                    self._failed_in_a_row[task] = 0

    def _pick_duplicate(self, function_id: str, event: Any, task: Hashable,
                        call: Callable[..., Any]) -> tuple[int | None, Callable[[], None]] | None:
        """(before which AWS call of the first delivery, the second delivery) — or None."""
        duplicate = next((d for d in self.duplicates
                          if function_id in d.functions and (d.matches is None or d.matches(event))), None)
        if duplicate is None:
            return None
        self._count_injected(duplicate.name)
        delivered = copy.deepcopy(event)  # before the first delivery can touch it

        def second_delivery() -> None:
            """An invocation of its own: its calls are its own, what it raises fails only itself."""
            with self._lock:
                self.report.invocations[function_id] += 1
            try:
                self._as_attempt(_Attempt(function_id, task), lambda: call(copy.deepcopy(delivered)))
            except Exception:
                with self._lock:
                    self.report.failed_invocations[function_id] += 1

        return _for_event(duplicate.during_call, event), second_delivery

    def _as_attempt(self, attempt: _Attempt, call: Callable[[], Any]) -> Any:
        previous, self._local.attempt = getattr(self._local, "attempt", None), attempt
        try:
            return call()
        finally:
            self._local.attempt = previous

    def _pick_failure(self, function_id: str, event: Any, task: Hashable) -> LambdaFailure | None:
        if self._held_back(task):
            return None
        for failure in self.lambda_failures:
            if function_id not in failure.functions or (failure.matches is not None and not failure.matches(event)):
                continue
            once = (failure.name, function_id, failure.once_per(event)) if failure.once_per is not None else None
            if once is not None and once in self._done_once:
                continue
            if self._draw(failure.name, task, failure.share):
                if once is not None:
                    self._done_once.add(once)
                return failure
        return None

    def _count_injected(self, name: str) -> None:
        with self._lock:
            self.report.injected[name] += 1

    # -- AWS calls ------------------------------------------------------------------------------------

    def _keep_params(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context[self._id] = params

    def _before_call(self, service: str, model: Any, context: dict[str, Any], **_: Any) -> Any:
        attempt: _Attempt | None = getattr(self._local, "attempt", None)
        if attempt is None or not self.stack.clock.in_handler():
            return None
        if attempt.cut_after is not None and len(attempt.calls) >= attempt.cut_after:
            raise _CutOff()
        overlap_at = attempt.redeliver_at
        if attempt.redeliver is not None and overlap_at is not None and len(attempt.calls) >= overlap_at:
            attempt.redeliver, redeliver = None, attempt.redeliver
            redeliver()  # the second delivery runs whole, here, before this call of the first
        attempt.calls.append(f"{service}.{model.name}")
        params = context.get(self._id) or {}
        for fault in self.aws_faults:
            if fault.service != service or (fault.operations and model.name not in fault.operations):
                continue
            if fault.matches is not None and not fault.matches(params):
                continue
            if fault.bounded and self._held_back(attempt.task):
                continue
            if self._draw(fault.name, (attempt.task, model.name), fault.share):
                attempt.injected += 1
                self._count_injected(fault.name)
                return _error_response(fault)
        return None

    def _after_call(self, service: str, http_response: Any, model: Any, context: dict[str, Any], **_: Any) -> None:
        if http_response.status_code >= 300:
            return
        params = context.get(self._id) or {}
        delivery = _delivery(service, model.name, params)
        with self._lock:
            if delivery is not None:
                self.report.deliveries.append(delivery)
            if service == "events" and model.name == "PutEvents":
                self.report.events += [(e.get("DetailType", ""), e.get("Detail", "")) for e in params.get("Entries", [])]

    # -- switching on and off ---------------------------------------------------------------------------

    def install(self) -> None:
        for service, client in _product_clients():
            events = client.meta.events
            service_id = client.meta.service_model.service_id.hyphenize()
            hooks = {
                f"before-parameter-build.{service_id}": self._keep_params,
                f"before-call.{service_id}": lambda service=service, **kw: self._before_call(service, **kw),
                f"after-call.{service_id}": lambda service=service, **kw: self._after_call(service, **kw),
            }
            for event_name, hook in hooks.items():
                events.register(event_name, hook, unique_id=f"{self._id}-{event_name}")
                self._registered.append((events, event_name))
        runtime = self.stack._lambdas
        self._previous_interceptor, runtime.interceptor = runtime.interceptor, self.intercept

    def uninstall(self) -> None:
        for events, event_name in self._registered:
            events.unregister(event_name, unique_id=f"{self._id}-{event_name}")
        self._registered.clear()
        self.stack._lambdas.interceptor = self._previous_interceptor


def _for_event(value: Any, event: Any) -> Any:
    return value(event) if callable(value) else value


def _product_clients() -> Iterator[tuple[str, Any]]:
    """The clients product code calls AWS with: one per service (``incasso.adapters.aws``), created here
    on first use."""
    from incasso.adapters import aws

    for service in HOOKED_SERVICES:
        yield service, aws.client(service)


def _error_response(fault: AwsError) -> tuple[Any, dict[str, Any]]:
    from botocore.awsrequest import AWSResponse

    request_id = uuid.uuid4().hex
    http = AWSResponse("https://local.fault", fault.status, {"x-amzn-requestid": request_id}, None)
    parsed = {
        "Error": {"Code": fault.code, "Message": fault.message},
        "ResponseMetadata": {"RequestId": request_id, "HTTPStatusCode": fault.status, "HTTPHeaders": {},
                             "RetryAttempts": 0},
    }
    return http, parsed


def _delivery(service: str, operation: str, params: dict[str, Any]) -> Delivery | None:
    if service == "sesv2" and operation == "SendEmail":
        tags = {tag.get("Name"): tag.get("Value") for tag in params.get("EmailTags") or []}
        to = (params.get("Destination") or {}).get("ToAddresses") or [""]
        return Delivery("email", to[0], tags.get("kind"))
    if service == "sns" and operation == "Publish" and params.get("PhoneNumber"):
        return Delivery("sms", params["PhoneNumber"], None)
    if service == "s3" and operation == "PutObject" and "/print-outbox/" in str(params.get("Key", "")):
        key = str(params["Key"])
        return Delivery("letter", key, key.rsplit("/", 1)[-1].removesuffix(".pdf"))
    return None


@contextmanager
def inject(stack: Any, *faults: Fault, seed: int = 0,
           max_failed_in_a_row: int | None = DEFAULT_MAX_FAILED_IN_A_ROW) -> Iterator[FaultReport]:
    """Switch ``faults`` on for the ``with`` block; yields the report (filled while it runs)."""
    plan = FaultPlan(stack, faults, seed, max_failed_in_a_row)
    plan.install()
    try:
        yield plan.report
    finally:
        plan.uninstall()


def observe(stack: Any) -> Any:
    """The same report with no fault injected: deliveries and invocations of a fault-free run."""
    return inject(stack)
