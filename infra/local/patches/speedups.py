"""Speed-ups (switchable): one boto3 client per service for the interpreter, cached JSONPath parsers and
parsed definitions, no extra thread per Task or program without a timeout; moto's routing and method
lists kept, botocore's User-Agent kept, the SigV4 header written without its (unchecked) signature;
DynamoDB answers and queries as in ``fast_dynamodb``.
"""

from __future__ import annotations

import copy
import importlib
import logging
import re
import threading
import weakref
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from infra.local.patches.patcher import LocalRuntime, Patcher
from infra.local.patches.points import (
    ASL_PARSER,
    BOTO_AUTH,
    BOTO_CLIENT,
    BOTO_CLIENT_MODULES,
    DYNAMODB_CONDITIONS,
    EVAL_COMPONENT,
    EXECUTE_STATE,
    JSON_PATH,
    MOTO_RESPONSES,
    PROGRAM,
    RESULT_PATH,
    STUBBER,
    USER_AGENT,
    _ASL,
)

LOG = logging.getLogger(__name__)


def _install_fast_dynamodb(patcher: Patcher) -> None:
    """DynamoDB answers without moto's generic serializer and Queries that read one partition
    (``fast_dynamodb``); left alone when serve, demo or a test installed it already."""
    from infra.local import fast_dynamodb

    if fast_dynamodb.installed():
        return
    fast_dynamodb.install()
    patcher.on_undo(fast_dynamodb.uninstall)


def _install_speedups(patcher: Patcher, runtime: LocalRuntime) -> None:
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


def _install_request_speedups(patcher: Patcher) -> None:
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
