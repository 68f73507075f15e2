"""Shared fixtures for the whole suite.

Nothing reaches AWS or the network: fake credentials and region are set before anything imports boto3,
shared AWS config files are ignored, and a socket may only connect to this machine.

``local_stack`` is the whole product topology on moto with the simulated clock at
2026-01-05T08:00Z; ``make_local_stack(topology=..., extra=..., start=...)`` deploys any topology.
Each stack is closed after its test: moto is reset and the previous clock restored.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
import sys

import pytest

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_REGION": "eu-west-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
)
for _name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_DEFAULT_PROFILE"):
    os.environ.pop(_name, None)

LOCAL_START = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.timezone.utc)

_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def _check_local(address: object) -> None:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        try:
            local = ipaddress.ip_address(host.split("%")[0]).is_loopback
        except ValueError:
            local = host == "localhost"
        if not local:
            raise ConnectionRefusedError(f"tests may not reach the network (connect to {host})")


def _guarded_connect(self: socket.socket, address: object) -> None:
    _check_local(address)
    return _connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    _check_local(address)
    return _connect_ex(self, address)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _no_local_stack_left_open():
    """A test that leaves a local stack open would break every later one: close it and fail."""
    yield
    stack_module = sys.modules.get("infra.local.stack")
    leftover = stack_module.open_stack() if stack_module else None
    if leftover is not None:
        leftover.close()
        pytest.fail("the test left a local stack open (use make_local_stack or close it)")


@pytest.fixture
def make_local_stack():
    """Deploys a topology on a fresh local stack; closed after the test."""
    from infra.local import LocalStack, SimulatedClock
    from infra.topology import TOPOLOGY

    stacks = []

    def make(topology=TOPOLOGY, *, extra=None, start: dt.datetime = LOCAL_START, speedups: bool | None = None):
        stack = LocalStack(topology, clock=SimulatedClock(start), extra=extra, speedups=speedups)
        stacks.append(stack)
        return stack

    yield make
    for stack in reversed(stacks):
        stack.close()


@pytest.fixture
def local_stack(make_local_stack):
    """The whole product topology on the local stack, clock at 2026-01-05T08:00Z."""
    return make_local_stack()
