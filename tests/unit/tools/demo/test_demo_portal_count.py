"""The demo's summary counts the debtors who paid through the portal, from the claims' timelines."""

from decimal import Decimal

from incasso_cli.demo.console import portal_payments


def _claim(claim_id, reference, *payments):
    timeline = [{"type": "claim_created", "at": "2026-01-05T08:00:00Z"}]
    timeline += [{"type": "payment_received", "at": "2026-01-07T09:00:00Z", "amount": amount,
                  **({"via": via} if via else {})} for amount, via in payments]
    return {"claim_id": claim_id, "debtor": {"reference": reference} if reference else {}, "timeline": timeline}


def test_portal_payments_are_counted_per_payment_and_per_debtor():
    # given a debtor paying two claims in one checkout, one paying online, one paying by bank transfer
    claims = [_claim("c1", "K-1", ("100.00", "portal")), _claim("c2", "K-1", ("50.50", "portal")),
              _claim("c3", None, ("20.00", "portal")), _claim("c4", None, ("999.00", None))]
    # when counted
    online = portal_payments(claims)
    # then three payments by two debtors, the bank transfer left out
    assert (online.payments, online.debtors, online.amount) == (3, 2, Decimal("170.50"))
