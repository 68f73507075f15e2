"""Read -> decide -> write on the claim's version, once for every service: on a conflict (someone wrote in
between) the claim is read again and the decision made again, so nothing is lost or applied twice."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TYPE_CHECKING, TypeVar

from incasso import clock
from incasso.domain.errors import ConcurrentModificationError
from incasso.domain.models import Claim, LedgerEntry, TimelineEvent

if TYPE_CHECKING:  # the ports are types only: importing them costs a cold start ~20 ms
    from incasso.domain.ports import ClaimRepository

MAX_ATTEMPTS = 8  # optimistic-locking retries before giving up (a claim is rarely this busy)

T = TypeVar("T")


@dataclass(frozen=True)
class Change(Generic[T]):
    """What a decision writes: the claim as it is to be, the ledger entries and timeline events it brings,
    and what the caller learns from it (``outcome``: e.g. the step taken)."""

    claim: Claim
    ledger: Sequence[LedgerEntry] = ()
    timeline: Sequence[TimelineEvent] = ()
    outcome: T | None = None


@dataclass(frozen=True)
class Changed(Generic[T]):
    """The claim after the write (or as read, when the decision was to write nothing) and the outcome."""

    claim: Claim
    written: bool
    outcome: T | None = None


def change_claim(store: ClaimRepository, read: Callable[[], Claim], decide: Callable[[Claim], Change[T] | None], *,
                 first: Claim | None = None, gave_up: Callable[[], Exception]) -> Changed[T]:
    """Decide on the claim ``read`` gives (``first`` saves the first read) and write the ``Change``
    conditional on its version; ``decide`` answering None writes nothing. After ``MAX_ATTEMPTS``
    conflicts, raises what ``gave_up`` makes."""
    claim = first
    for _ in range(MAX_ATTEMPTS):
        if claim is None:
            claim = read()
        change = decide(claim)
        if change is None:
            return Changed(claim=claim, written=False)
        try:
            saved = store.save_claim(change.claim.model_copy(update={"updated_at": clock.now()}),
                                     expected_version=claim.version, ledger=list(change.ledger),
                                     timeline=list(change.timeline), previous=claim)
        except ConcurrentModificationError:
            claim = None
            continue
        return Changed(claim=saved, written=True, outcome=change.outcome)
    raise gave_up()
