"""``incasso calc``: collection costs and statutory interest for one principal (CONTRACT.md §2).

Bad input — a malformed amount or date, --as-of without --due or before it, a day for which no
statutory rate is known — gives a message on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import click

from incasso.money import ZERO, format_amount, format_eur

_AMOUNT = re.compile(r"^\d{1,12}(\.\d{1,2})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _principal(ctx: click.Context, param: click.Parameter, value: str) -> Decimal:
    text = value.strip()
    if not _AMOUNT.fullmatch(text):
        raise click.BadParameter(
            f"{value!r} is not an amount in euros: use up to 12 digits with at most two decimals after a dot, e.g. 1234.50"
        )
    amount = Decimal(text)
    if amount <= 0:
        raise click.BadParameter("the principal must be more than 0.00")
    return amount


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        if not _DATE.fullmatch(value.strip()):
            raise ValueError
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: use YYYY-MM-DD, e.g. 2025-06-30") from None


@click.command("calc")
@click.option("--principal", required=True, callback=_principal, metavar="AMOUNT", help="The hoofdsom in euros, e.g. 3000 or 1234.50.")
@click.option("--debtor", required=True, type=click.Choice(["consumer", "business"]), help="consumer: art. 6:119 BW rate; business: art. 6:119a BW rate.")
@click.option("--due", callback=_date, metavar="DATE", help="Last day of payment (YYYY-MM-DD); interest runs from the day after.")
@click.option("--as-of", "as_of", callback=_date, metavar="DATE", help="Interest up to and including this day (YYYY-MM-DD); default today (Dutch date).")
@click.option("--vat", is_flag=True, help="Add 21% VAT to the costs (creditor cannot deduct VAT, art. 2(3) Besluit BIK).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with amounts as two-decimal strings.")
def calc(principal: Decimal, debtor: str, due: dt.date | None, as_of: dt.date | None, vat: bool, as_json: bool) -> None:
    """Collection costs (WIK staffel) and statutory interest for one principal.

    Interest accrues from the day after --due up to and including --as-of (today, in the
    Netherlands, when --as-of is left out); each day is 1/365 of the yearly rate; after each full
    year of default the year's interest is added to the principal. Without --due there is no interest.
    """
    from incasso import clock
    from incasso.domain.models import DebtorType
    from incasso.law.interest import (
        RateNotKnownError,
        RateTableError,
        compute_interest,
        interest_kind_for,
        rate_warnings,
    )
    from incasso.law.wik import compute_collection_costs

    if as_of is not None and due is None:
        raise click.UsageError("--as-of needs --due (the last day of payment)")
    debtor_type = DebtorType(debtor)
    costs = compute_collection_costs([principal], debtor_type=debtor_type, creditor_vat_deductible=not vat)

    result = None
    if due is not None:
        if as_of is None:
            # No --as-of: interest up to today (Dutch date, from the one clock); nothing yet if not overdue.
            as_of = max(clock.today(), due)
        elif as_of < due:
            raise click.UsageError(f"--as-of {as_of.isoformat()} is before --due {due.isoformat()}")
        try:
            result = compute_interest(principal, due_date=due, as_of=as_of, kind=interest_kind_for(debtor_type))
        except RateNotKnownError as exc:
            raise click.UsageError(str(exc)) from None
        except RateTableError as exc:  # an operator's override file is broken: not the user's input
            raise click.ClickException(str(exc)) from None
    interest = result.interest if result is not None else ZERO
    total = principal + costs.costs + costs.vat + interest

    if as_json:
        click.echo(
            json.dumps(
                {
                    "principal": format_amount(principal),
                    "collection_costs": format_amount(costs.costs),
                    "collection_costs_vat": format_amount(costs.vat),
                    "interest": format_amount(interest),
                    "total": format_amount(total),
                    # Figures built on an unverified or carried-forward statutory rate say so.
                    "warnings": rate_warnings(result.segments) if result is not None else [],
                }
            )
        )
        return

    article = "art. 6:119 BW" if debtor_type is DebtorType.CONSUMER else "art. 6:119a BW"
    lines = [
        ("Principal", principal),
        ("Collection costs (WIK staffel)", costs.costs),
        ("VAT on collection costs (21%)", costs.vat),
        (f"Statutory interest ({article})", interest),
    ]
    width = max(len(label) for label, _ in lines) + 2
    amount_width = max(len(format_eur(amount, "en")) for _, amount in [*lines, ("", total)])
    for label, amount in lines:
        click.echo(f"{label:<{width}}{format_eur(amount, 'en'):>{amount_width}}")
    click.echo(f"{'Total':<{width}}{format_eur(total, 'en'):>{amount_width}}")
    if result is None:
        click.echo("\nNo interest: give --due (and --as-of) to compute it.")
        return
    click.echo(f"\nInterest from {(due + dt.timedelta(days=1)).isoformat()} up to and including {as_of.isoformat()}:")
    for segment in result.segments:
        flag = "" if segment.verified else "  (unverified rate)"
        click.echo(
            f"  {segment.start.isoformat()} .. {segment.end.isoformat()}  {segment.days:>4} days"
            f"  on {format_eur(segment.base, 'en')} at {segment.rate}%  = {format_eur(segment.amount, 'en')}{flag}"
        )
    if result.capitalised:
        click.echo(f"  added to the principal after each full year: {format_eur(result.capitalised, 'en')}")
    if not result.verified:
        click.echo("\nNote: check these rates on rijksoverheid.nl (operators can correct them with "
                   "INCASSO_INTEREST_RATES_FILE):")
        for warning in rate_warnings(result.segments):
            click.echo(f"  - {warning}")
