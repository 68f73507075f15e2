"""Court fee (griffierecht) estimate for a kanton case, and which court is competent.

The fees change every year and are data: ``incasso/data/griffierecht.json`` (⚠️ every row
``"verified": false`` with its source), overridable without a release by the file named in
``INCASSO_GRIFFIERECHT_FILE``. In kanton cases only the claimant pays — the creditor — so the tariff
follows the creditor's type (company or individual), and the band follows the value of the claim:
hoofdsom + BIK + accrued interest.
"""

import datetime as dt
import json
import os
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ConfigDict

from incasso.domain.base import DeferredModel
from incasso.domain.models import CreditorType
from incasso.money import Money, money

GRIFFIERECHT_FILE_ENV = "INCASSO_GRIFFIERECHT_FILE"
DEFAULT_FILE = Path(__file__).resolve().parent.parent / "data" / "griffierecht.json"

# art. 93 sub a Rv — the kantonrechter hears money claims up to and including EUR 25,000.
KANTON_LIMIT = Decimal("25000.00")


class CourtFeeTableError(ValueError):
    """The griffierecht file is not usable."""


@dataclass(frozen=True)
class FeeBand:
    up_to: Decimal | None  # inclusive; None = no upper bound
    label: str
    fees: dict[str, Decimal]  # tariff -> fee


@dataclass(frozen=True)
class FeeTariff:
    valid_from: dt.date
    verified: bool
    source: str
    bands: tuple[FeeBand, ...]

    def band_for(self, claim_value: Decimal) -> FeeBand:
        for band in self.bands:
            if band.up_to is None or claim_value <= band.up_to:
                return band
        raise CourtFeeTableError("the last band of a tariff must be open-ended (up_to null)")


class CourtFee(DeferredModel):
    """The court fee estimate the bailiff's dossier carries."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    court: str  # "kantonrechter" or "rechtbank"
    claim_value: Money
    fee: Money | None  # None: no tariff in the table (rechtbank cases)
    tariff: str  # company / individual
    band: str | None
    tariff_valid_from: dt.date | None
    verified: bool
    source: str | None
    note: str


def _parse(raw: Any, origin: str) -> tuple[FeeTariff, ...]:
    try:
        tariffs = []
        for row in raw["tariffs"]:
            bands = tuple(
                FeeBand(
                    up_to=money(band["up_to"]) if band["up_to"] is not None else None,
                    label=str(band.get("label", "")),
                    fees={tariff.value: money(band[tariff.value]) for tariff in CreditorType},
                )
                for band in row["bands"]
            )
            if not bands or bands[-1].up_to is not None:
                raise CourtFeeTableError(f"{origin}: the last band must have up_to null")
            tariffs.append(FeeTariff(
                valid_from=dt.date.fromisoformat(row["valid_from"]),
                verified=bool(row.get("verified", False)),
                source=str(row["source"]),
                bands=bands,
            ))
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, CourtFeeTableError):
            raise
        raise CourtFeeTableError(f"{origin}: not a griffierecht table: {exc}") from exc
    if not tariffs:
        raise CourtFeeTableError(f"{origin}: no tariffs")
    return tuple(sorted(tariffs, key=lambda t: t.valid_from))


@lru_cache(maxsize=4)
def _load(path: str) -> tuple[FeeTariff, ...]:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CourtFeeTableError(f"cannot read griffierecht table {path}: {exc}") from exc
    return _parse(raw, path)


def court_fee_tariffs(path: str | None = None) -> tuple[FeeTariff, ...]:
    """The tariffs, oldest first: from ``path``, else ``$INCASSO_GRIFFIERECHT_FILE``, else the shipped file."""
    return _load(path or os.environ.get(GRIFFIERECHT_FILE_ENV) or str(DEFAULT_FILE))


def competent_court(claim_value: Decimal) -> str:
    """art. 93 Rv — kantonrechter up to EUR 25,000 (no lawyer needed); above it the rechtbank."""
    return "kantonrechter" if claim_value <= KANTON_LIMIT else "rechtbank"


def estimate_court_fee(claim_value: Decimal, creditor_type: CreditorType, on: dt.date,
                       *, path: str | None = None) -> CourtFee:
    """The griffierecht the creditor pays to sue for ``claim_value`` (hoofdsom + BIK + interest) on ``on``."""
    claim_value = money(claim_value)
    if claim_value <= 0:
        raise ValueError("the value of the claim must be positive")
    tariff_name = CreditorType(creditor_type).value
    court = competent_court(claim_value)
    if court != "kantonrechter":
        return CourtFee(court=court, claim_value=claim_value, fee=None, tariff=tariff_name, band=None,
                                tariff_valid_from=None, verified=False, source=None,
                                note="above EUR 25,000 the rechtbank is competent; a lawyer is required and "
                                     "its court fees are not in the kanton table")
    tariffs = court_fee_tariffs(path)
    in_force = [t for t in tariffs if t.valid_from <= on]
    tariff = in_force[-1] if in_force else tariffs[0]
    band = tariff.band_for(claim_value)
    note = f"kanton tariff from {tariff.valid_from.isoformat()}"
    if not in_force:
        note += f"; no tariff known for {on.isoformat()}, the earliest one is used"
    if not tariff.verified:
        note += "; ⚠️ unverified figure, check rechtspraak.nl"
    return CourtFee(
        court=court, claim_value=claim_value, fee=band.fees[tariff_name], tariff=tariff_name, band=band.label,
        tariff_valid_from=tariff.valid_from, verified=tariff.verified, source=tariff.source, note=note,
    )


def clear_court_fee_cache() -> None:
    _load.cache_clear()
