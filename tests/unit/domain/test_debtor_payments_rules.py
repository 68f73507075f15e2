"""A payment naming the debtor but not the invoice (art. 6:43 BW): due invoices before those not yet
due, the oldest first, equals in proportion; nothing beyond what is owed."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incasso.domain.debtor_payments import OpenInvoice, allocate_over_invoices

PAID_ON = dt.date(2026, 3, 1)


def invoice(claim_id: str, due: dt.date, owed: str, number: str | None = None) -> OpenInvoice:
    return OpenInvoice(claim_id=claim_id, invoice_number=number or claim_id, invoice_date=due - dt.timedelta(days=30),
                       due_date=due, owed=Decimal(owed))


def test_art_6_43_lid_2_the_oldest_due_invoice_first_then_the_next():
    # given three due invoices of one debtor, not in age order
    invoices = [invoice("c", dt.date(2026, 2, 1), "300.00"), invoice("a", dt.date(2026, 1, 1), "100.00"),
                invoice("b", dt.date(2026, 1, 15), "200.00")]
    # when 350.00 is paid without naming an invoice
    allocation = allocate_over_invoices(Decimal("350.00"), PAID_ON, invoices)
    # then the oldest two are settled and the youngest gets the rest
    assert allocation.parts == (("a", Decimal("100.00")), ("b", Decimal("200.00")), ("c", Decimal("50.00")))
    assert allocation.unallocated == 0


def test_art_6_43_lid_2_due_invoices_before_those_not_yet_due_even_when_older():
    invoices = [invoice("later", dt.date(2026, 3, 15), "100.00"), invoice("due", dt.date(2026, 2, 20), "100.00")]
    allocation = allocate_over_invoices(Decimal("150.00"), PAID_ON, invoices)
    assert allocation.parts == (("due", Decimal("100.00")), ("later", Decimal("50.00")))


def test_art_6_43_lid_2_equally_old_invoices_share_in_proportion():
    # given two invoices due on the same day, owing 100.00 and 200.00
    invoices = [invoice("x", dt.date(2026, 1, 1), "100.00"), invoice("y", dt.date(2026, 1, 1), "200.00")]
    # when 100.00 is paid / then in proportion to what each owes: 33.33 and 66.67 (the cent to the largest)
    allocation = allocate_over_invoices(Decimal("100.00"), PAID_ON, invoices)
    assert dict(allocation.parts) == {"x": Decimal("33.33"), "y": Decimal("66.67")}


def test_more_than_everything_owed_is_left_unallocated():
    allocation = allocate_over_invoices(Decimal("500.00"), PAID_ON, [invoice("a", dt.date(2026, 1, 1), "120.00")])
    assert allocation.parts == (("a", Decimal("120.00")),) and allocation.unallocated == Decimal("380.00")


def test_a_payment_must_be_positive():
    with pytest.raises(ValueError):
        allocate_over_invoices(Decimal("0"), PAID_ON, [])


@given(amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2),
       owed=st.lists(st.tuples(st.integers(min_value=0, max_value=90),
                               st.decimals(min_value=Decimal("0.01"), max_value=Decimal("2000"), places=2)),
                     min_size=1, max_size=6))
def test_property_every_cent_goes_somewhere_and_no_invoice_gets_more_than_it_owes(amount, owed):
    invoices = [invoice(f"c{i}", PAID_ON - dt.timedelta(days=days - 30), str(o)) for i, (days, o) in enumerate(owed)]
    allocation = allocate_over_invoices(amount, PAID_ON, invoices)
    by_id = {i.claim_id: i.owed for i in invoices}
    assert sum((part for _, part in allocation.parts), Decimal("0")) + allocation.unallocated == amount
    assert all(Decimal("0") < part <= by_id[claim_id] for claim_id, part in allocation.parts)
