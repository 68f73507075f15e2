"""One Lambda sandbox per invocation, inside one process: what a handler sees of the process is its own.

On AWS every invocation runs in a sandbox of its own function (a process with that function's
environment, its own settings and its own logger); two invocations at the same moment run in two
sandboxes. The local stack runs every handler in this one process, several at once (see
``lambda_runtime``), so the process-wide state a handler reads is made per invocation here:

- ``os.environ``: while a stack is open it is a ``SandboxEnviron`` (the same variables underneath).
  In a thread that runs an invocation it shows exactly that function's environment: its own
  variables, none that another function is given (``hidden``), and the rest of the process's. Writes
  there stay in the invocation. Outside an invocation it is the process's environment, as before.
- ``incasso.settings``: cached per thread, and forgotten whenever an invocation starts or ends, so that
  ``get_settings()`` reads the environment of the invocation that asks.
- The Powertools logger's keys (``append_keys``, ``clear_state``, the Lambda context and correlation
  id of ``inject_lambda_context``): kept per invocation, so that two handlers running together never
  log under each other's claim or request.
- Threads a handler starts through a ``ThreadPoolExecutor`` (the sweep's ``StartExecution`` calls, S3
  transfers) run in the handler's sandbox, as they would in its process on AWS.

``install()`` and ``uninstall()`` are called by ``patches.install`` while a stack is open.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

_local = threading.local()
_MISSING = object()
_UNSET = object()


class Sandbox:
    """What one invocation sees: its function's variables, the variables it must not see, its log keys."""

    __slots__ = ("environ", "hidden", "log_formats", "function_id")

    def __init__(self, function_id: str, environ: Mapping[str, str], hidden: set[str]) -> None:
        self.function_id = function_id
        self.environ = dict(environ)
        self.hidden = set(hidden) - self.environ.keys()
        self.log_formats: dict[Any, dict[str, Any]] = {}  # Powertools formatter -> its keys here


def current() -> Sandbox | None:
    """The sandbox of the invocation this thread runs, if any."""
    stack = getattr(_local, "stack", None)
    return stack[-1] if stack else None


def _push(sandbox: Sandbox) -> None:
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    stack.append(sandbox)


def _pop() -> None:
    _local.stack.pop()


def _forget_settings() -> None:
    from incasso.settings import reset_settings

    reset_settings()


@contextmanager
def entered(function_id: str, environ: Mapping[str, str], hidden: set[str]) -> Iterator[Sandbox]:
    """Run the ``with`` block (one invocation) in a sandbox of its own, in this thread."""
    sandbox = Sandbox(function_id, environ, hidden)
    _push(sandbox)
    _forget_settings()
    try:
        yield sandbox
    finally:
        _pop()
        _forget_settings()


def _run_in(sandbox: Sandbox, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """Run ``fn`` in a worker thread inside the sandbox of the handler that submitted it."""
    seen = getattr(_local, "seen", _UNSET)
    if seen is not _UNSET and seen is not sandbox:
        _forget_settings()  # this worker cached settings under another view before
    _local.seen = sandbox
    _push(sandbox)
    try:
        return fn(*args, **kwargs)
    finally:
        _pop()


class SandboxEnviron(os._Environ):  # type: ignore[name-defined,misc] - os.environ's own class
    """``os.environ`` while a stack is open: inside an invocation, that invocation's environment."""

    def __init__(self, base: Any) -> None:
        super().__init__(base._data, base.encodekey, base.decodekey, base.encodevalue, base.decodevalue)
        self.base = base

    def __getitem__(self, key: str) -> str:
        sandbox = current()
        if sandbox is not None:
            value = sandbox.environ.get(key, _MISSING)
            if value is not _MISSING:
                return value  # type: ignore[return-value]
            if key in sandbox.hidden:
                raise KeyError(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        try:
            self[key]  # type: ignore[index]
        except KeyError:
            return False
        return True

    def __setitem__(self, key: str, value: str) -> None:
        sandbox = current()
        if sandbox is None:
            super().__setitem__(key, value)
            return
        self.encodekey(key)
        self.encodevalue(value)  # the same type checks as the process's environment
        sandbox.environ[key] = value
        sandbox.hidden.discard(key)

    def __delitem__(self, key: str) -> None:
        sandbox = current()
        if sandbox is None:
            super().__delitem__(key)
            return
        if key not in self:
            raise KeyError(key)
        sandbox.environ.pop(key, None)
        sandbox.hidden.add(key)

    def __iter__(self) -> Iterator[str]:
        sandbox = current()
        if sandbox is None:
            yield from super().__iter__()
            return
        own = dict(sandbox.environ)
        for key in super().__iter__():
            if key not in own and key not in sandbox.hidden:
                yield key
        yield from own

    def __len__(self) -> int:
        if current() is None:
            return super().__len__()
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return f"environ({dict(self)!r})"

    def copy(self) -> dict[str, str]:
        return dict(self)


class _LogFormatPerSandbox:
    """``LambdaPowertoolsFormatter.log_format`` (the logger's keys), one copy per invocation. A formatter
    being built (a logger created by a handler module's first import) sets up the process's copy."""

    def __get__(self, formatter: Any, owner: type | None = None) -> Any:
        if formatter is None:
            return self
        state = formatter.__dict__
        sandbox = current()
        if sandbox is None or state.get(_BUILDING):
            try:
                return state["log_format"]
            except KeyError:
                raise AttributeError("log_format") from None
        keys = sandbox.log_formats.get(formatter)
        if keys is None:  # the process's keys as the invocation starts (a fresh sandbox's)
            keys = sandbox.log_formats[formatter] = dict(state.get("log_format") or {})
        return keys

    def __set__(self, formatter: Any, value: Any) -> None:
        sandbox = current()
        if sandbox is None or formatter.__dict__.get(_BUILDING):
            formatter.__dict__["log_format"] = value
        else:
            sandbox.log_formats[formatter] = value


_BUILDING = "_incasso_sandbox_building"


def _building(init: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:  # noqa: N807
        self.__dict__[_BUILDING] = True
        try:
            init(self, *args, **kwargs)
        finally:
            del self.__dict__[_BUILDING]

    return __init__


_installed: list[Callable[[], None]] = []


def install() -> None:
    """Make ``os.environ``, the logger's keys and pool threads per invocation (idempotent)."""
    if _installed:
        return
    base = os.environ
    if not isinstance(base, SandboxEnviron):
        os.environ = SandboxEnviron(base)

        def restore_environ() -> None:
            if isinstance(os.environ, SandboxEnviron):
                os.environ = os.environ.base

        _installed.append(restore_environ)

    original_submit = ThreadPoolExecutor.submit

    @functools.wraps(original_submit)
    def submit(self: ThreadPoolExecutor, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        sandbox = current()
        if sandbox is not None:
            return original_submit(self, _run_in, sandbox, fn, *args, **kwargs)
        return original_submit(self, fn, *args, **kwargs)

    ThreadPoolExecutor.submit = submit  # type: ignore[method-assign]
    _installed.append(lambda: setattr(ThreadPoolExecutor, "submit", original_submit))

    from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

    if "log_format" in vars(LambdaPowertoolsFormatter):
        raise RuntimeError("LambdaPowertoolsFormatter.log_format is a class attribute now: check the sandbox patch")
    original_init = LambdaPowertoolsFormatter.__init__
    LambdaPowertoolsFormatter.__init__ = _building(original_init)  # type: ignore[method-assign]
    LambdaPowertoolsFormatter.log_format = _LogFormatPerSandbox()  # type: ignore[attr-defined]
    _installed.append(lambda: setattr(LambdaPowertoolsFormatter, "__init__", original_init))
    _installed.append(lambda: delattr(LambdaPowertoolsFormatter, "log_format"))


def uninstall() -> None:
    while _installed:
        _installed.pop()()
