"""Every moto (and botocore) internal the local stack patches, declared once: ``PATCH_POINTS``.

``tests/integration/local/test_patch_points.py`` checks that each still exists with the signature the
patch expects, so that a moto upgrade fails loudly.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from typing import Any


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
EXPRESS_ANALYSER = f"{_ASL}.static_analyser.express_static_analyser"
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
        PatchPoint(SFN_MODELS, "StepFunctionsParserBackend.create_state_machine",
                   ("self", "name", "definition", "roleArn", "tags", "publish", "loggingConfiguration",
                    "tracingConfiguration", "encryptionConfiguration", "version_description", "sm_type")),
        PatchPoint(SFN_MODELS, "StepFunctionsParserBackend.start_execution",
                   ("self", "state_machine_arn", "name", "execution_input", "trace_header")),
        PatchPoint(EXPRESS_ANALYSER, "ExpressStaticAnalyser.analyse", ("self", "definition")),
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
