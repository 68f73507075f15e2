"""Log keys do not leak between invocations of a warm Lambda (issue 15, "Log keys leak").

Every handler appends per-invocation keys (``tenant_id``, ``claim_id``, ``step``) to the one
Powertools logger of the process; without ``clear_state`` a later invocation of the same warm
container logs under the previous claim, most visibly after an error.
"""

from __future__ import annotations

import ast
import json
import logging
from pathlib import Path

import pytest

from infra.local import HandlerError

FUNCTIONS = Path(__file__).resolve().parents[3] / "functions"


class JsonLines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        from incasso.handlers import logger

        self.formatter_ = logger.registered_formatter
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.split(".")[0] == "incasso":
            self.lines.append(json.loads(self.formatter_.format(record)))


def test_a_failed_step_leaves_no_claim_keys_on_the_next_invocations_log_lines(local_stack):
    # Given a step that appended its claim's keys to the logger, then failed
    capture, product = JsonLines(), logging.getLogger("incasso")
    level = product.level
    product.addHandler(capture)
    product.setLevel(logging.DEBUG)
    try:
        with pytest.raises(HandlerError):
            local_stack.invoke("send_message", {"tenant_id": "acme", "claim_id": "C-LEAKED", "step": "reminder_1"})
        capture.lines.clear()

        # When the next invocation of another handler logs
        local_stack.invoke("sweep", {})
    finally:
        product.removeHandler(capture)
        product.setLevel(level)

    # Then its lines carry none of the earlier claim's keys
    assert capture.lines, "the sweep logs its result"
    for line in capture.lines:
        assert "claim_id" not in line and "step" not in line and "tenant_id" not in line, line


def test_every_handler_clears_the_loggers_keys_at_the_start_of_an_invocation():
    # Given every Lambda handler of the product
    handlers = sorted(FUNCTIONS.glob("*/handler.py"))
    assert len(handlers) >= 10
    for path in handlers:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        decorators = [d for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name == "handler"
                      for d in node.decorator_list]
        # Then its entry point is wrapped in inject_lambda_context(clear_state=True)
        calls = [d for d in decorators if isinstance(d, ast.Call) and getattr(d.func, "attr", "") == "inject_lambda_context"]
        assert calls, f"{path}: no @logger.inject_lambda_context(...)"
        assert any(kw.arg == "clear_state" and getattr(kw.value, "value", None) is True for kw in calls[0].keywords), \
            f"{path}: inject_lambda_context without clear_state=True"
