"""The portfolio summary: counts and amounts by status and stage, collected, outstanding, DSO."""

import datetime as dt
from decimal import Decimal

from incasso.domain.models import Amounts, Claim, ClaimStatus, Debtor, Stage
from incasso.services.reports import summarize

AT = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)


def claim(n, principal, status=ClaimStatus.OPEN, stage=Stage.NONE, paid="0.00", invoice_date=dt.date(2025, 1, 1),
          paid_principal="0.00", extra="0.00"):
    principal, paid, extra = Decimal(principal), Decimal(paid), Decimal(extra)
    return Claim(tenant_id="acme", claim_id=f"clm_{n}", invoice_number=f"F-{n}",
                 debtor=Debtor(name="Jan", type="consumer"), invoice_date=invoice_date,
                 due_date=invoice_date + dt.timedelta(days=30), principal=principal, status=status, stage=stage,
                 amounts=Amounts(principal=principal, interest=extra, paid=paid, outstanding=principal + extra - paid),
                 paid_principal=Decimal(paid_principal), created_at=AT, updated_at=AT)


def test_an_empty_portfolio_has_zeros_and_no_dso():
    summary = summarize([], dt.date(2025, 3, 1))
    assert summary.claims == 0
    assert summary.dso is None
    assert summary.model_dump(mode="json")["outstanding"] == "0.00"
    # every status and stage is present, so the shape does not depend on the data
    assert set(summary.by_status) == {s.value for s in ClaimStatus}
    assert set(summary.by_stage) == {s.value for s in Stage}


def test_counts_and_amounts_by_status_and_stage():
    # given an open claim, one in collection with interest, one paid and one cancelled
    claims = [
        claim(1, "100.00"),
        claim(2, "200.00", ClaimStatus.IN_COLLECTION, Stage.REMINDER_2, extra="3.50"),
        claim(3, "50.00", ClaimStatus.PAID, Stage.REMINDER_1, paid="50.00", paid_principal="50.00"),
        claim(4, "80.00", ClaimStatus.CANCELLED, Stage.REMINDER_1),
    ]
    # when summarized
    summary = summarize(claims, dt.date(2025, 3, 2)).model_dump(mode="json")
    # then every group adds up, and outstanding leaves out closed claims
    assert summary["claims"] == 4
    assert summary["by_status"]["open"] == {"count": 1, "principal": "100.00", "collected": "0.00", "outstanding": "100.00"}
    assert summary["by_status"]["in_collection"]["outstanding"] == "203.50"
    assert summary["by_status"]["paid"] == {"count": 1, "principal": "50.00", "collected": "50.00", "outstanding": "0.00"}
    assert summary["by_stage"]["reminder_1"]["count"] == 2
    assert summary["by_stage"]["none"]["count"] == 1
    assert summary["principal"] == "430.00"
    assert summary["collected"] == "50.00"
    assert summary["outstanding"] == "303.50"


def test_dso_is_open_principal_over_invoiced_times_days():
    # given 300.00 invoiced since 1 January, of which 150.00 principal still open, on 31 March (89 days)
    claims = [claim(1, "150.00", ClaimStatus.IN_COLLECTION),
              claim(2, "150.00", ClaimStatus.PAID, paid="150.00", paid_principal="150.00", invoice_date=dt.date(2025, 2, 1))]
    # when summarized
    summary = summarize(claims, dt.date(2025, 3, 31))
    # then DSO = 150 / 300 x 89 days
    assert summary.dso == 44.5


def test_dso_is_exact_days_rounded_half_up_to_a_tenth():
    # given 1,000.00 open of 3,000.00 invoiced over 100 days, and 1/3 of 100 days = 33.333...
    from incasso.services.reports import days_sales_outstanding

    # when / then the figure is an exact decimal, rounded half up to 0.1 day
    assert days_sales_outstanding(Decimal("1000.00"), Decimal("3000.00"), dt.date(2026, 1, 1),
                                  dt.date(2026, 4, 11)) == Decimal("33.3")
    assert days_sales_outstanding(Decimal("1.00"), Decimal("4.00"), dt.date(2026, 1, 1),
                                  dt.date(2026, 1, 3)) == Decimal("0.5")
    assert days_sales_outstanding(Decimal("0"), Decimal("0"), None, dt.date(2026, 1, 3)) is None
