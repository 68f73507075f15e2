"""Handlers in flight at the same time each run in a sandbox of their own (``infra.local.sandbox``): their
function's environment, settings read from it, logger keys of their own, and the same in the threads
they start; the process's environment stays as it was. The fixtures ``hold`` (given the records table)
and ``hold_bare`` (given nothing) wait inside the handler until the test lets them go, so both are
in flight together by construction, not by timing."""

from __future__ import annotations

import os
import sys
import threading
import types
from concurrent.futures import ThreadPoolExecutor

import pytest

HELD_AT_MOST_SECONDS = 30  # a safety net only: the test lets every hold go itself


class Holds:
    """What the fixtures ``hold`` and ``hold_bare`` run: announce, wait, then report what they see."""

    def __init__(self) -> None:
        self.arrived: dict[str, threading.Event] = {}
        self.release: dict[str, threading.Event] = {}

    def expect(self, name: str) -> None:
        self.arrived[name], self.release[name] = threading.Event(), threading.Event()

    def hold(self, event: dict, context: object) -> dict:
        from incasso.handlers import logger
        from incasso.settings import get_settings

        name = event["name"]
        logger.append_keys(claim_id=f"C-{name}")
        self.arrived[name].set()
        assert self.release[name].wait(HELD_AT_MOST_SECONDS), "never let go"

        def seen() -> dict:
            return {"CLAIMS_TABLE": os.environ.get("CLAIMS_TABLE"), "in": "CLAIMS_TABLE" in os.environ,
                    "settings": get_settings().claims_table, "log_claim_id": logger.get_current_keys().get("claim_id")}

        with ThreadPoolExecutor(1) as pool:  # a thread the handler starts is in its sandbox too
            in_pool = pool.submit(seen).result()
        return {"handler": seen(), "pool": in_pool}


@pytest.fixture
def holds():
    found = Holds()
    module = types.ModuleType("incasso_local_test_holds")
    module.hold = found.hold  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    yield found
    for release in found.release.values():
        release.set()
    del sys.modules[module.__name__]


def test_two_functions_in_flight_together_each_see_only_their_own_environment_settings_and_log_keys(stack, holds):
    # Given a handler of a function with the records table and one of a function with nothing, both in flight
    holds.expect("table")
    holds.expect("bare")
    with ThreadPoolExecutor(2) as pool:
        with_table = pool.submit(stack.invoke, "hold", {"name": "table"})
        bare = pool.submit(stack.invoke, "hold_bare", {"name": "bare"})
        assert holds.arrived["table"].wait(20) and holds.arrived["bare"].wait(20), "both run at the same time"
        # (the test's own thread sees the process's environment meanwhile)
        assert "CLAIMS_TABLE" not in os.environ

        # When they go on, the bare one first, and report what they see
        holds.release["bare"].set()
        bare_saw = bare.result(20)
        holds.release["table"].set()
        table_saw = with_table.result(20)

    # Then each saw its own function's environment and settings, in its handler and in its pool's thread
    for place in ("handler", "pool"):
        assert table_saw[place] == {"CLAIMS_TABLE": "local-test-records", "in": True,
                                    "settings": "local-test-records", "log_claim_id": "C-table"}
        assert bare_saw[place] == {"CLAIMS_TABLE": None, "in": False, "settings": "incasso-claims",
                                   "log_claim_id": "C-bare"}
    # and the process's environment, settings and logger keys are as they were
    from incasso.handlers import logger
    from incasso.settings import get_settings

    assert "CLAIMS_TABLE" not in os.environ and get_settings().claims_table == "incasso-claims"
    assert "claim_id" not in logger.get_current_keys()


def test_twenty_invocations_of_one_function_run_together(stack, holds):
    # Given twenty invocations of one function (twenty sandboxes, as AWS would start)
    names = [f"n{n}" for n in range(20)]
    for name in names:
        holds.expect(name)
    with ThreadPoolExecutor(20) as pool:
        calls = {name: pool.submit(stack.invoke, "hold", {"name": name}) for name in names}
        # Then all of them are in flight at once
        assert all(holds.arrived[name].wait(20) for name in names)
        for name in reversed(names):
            holds.release[name].set()
        # and each logs under its own keys only
        assert all(calls[name].result(20)["handler"]["log_claim_id"] == f"C-{name}" for name in names)
