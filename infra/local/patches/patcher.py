"""What the patches dispatch to while a local stack is open (``LocalRuntime``), and the ``Patcher`` that
replaces a patch point and takes every replacement back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from infra.local.scheduler import SimulatedClock
from infra.local.patches.points import PatchPoint


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


class Patcher:
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
