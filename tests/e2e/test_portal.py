"""The debtor's portal at the HTTP level (CONTRACT.md §8) on the local stack: links in messages, the page,
tokens (altered, revoked, expired), CSRF, pay with the provider's webhook replayed and forged, dispute,
and arrangements within and beyond the policy's limits. The provider is an in-memory fake here; the
browser test drives ``incasso serve``'s own."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from incasso.api.portal import handle
from incasso.api.proxy import proxy_event
from incasso.domain.models import ClaimStatus
from incasso.domain.portal import ProviderPayment
from incasso.services import wiring
from incasso.services.portal import PortalLinkIssuer, PortalService

BASE = "http://portal.test"


class FakeProvider:
    def __init__(self) -> None:
        self.payments: dict[str, ProviderPayment] = {}

    def create_payment(self, *, amount, description, redirect_url, webhook_url, metadata):
        payment = ProviderPayment(payment_id=f"tr_{len(self.payments) + 1:06d}", status="open", amount=amount,
                                  checkout_url=f"https://checkout.test/{len(self.payments) + 1}", metadata=metadata)
        self.payments[payment.payment_id] = payment
        return payment

    def get_payment(self, payment_id):
        return self.payments.get(payment_id)

    def complete(self, payment_id: str, status: str, at: dt.datetime) -> None:
        self.payments[payment_id] = self.payments[payment_id].model_copy(update={"status": status, "paid_at": at})


@pytest.fixture
def portal(world, monkeypatch):
    from incasso.adapters.portal_tokens import PortalRecords
    from incasso.settings import reset_settings

    monkeypatch.setenv("INCASSO_PORTAL_BASE_URL", BASE)
    reset_settings()
    provider = FakeProvider()
    records = PortalRecords()
    links = PortalLinkIssuer(records, base_url=BASE)
    # the messages of this world carry links to this portal
    monkeypatch.setattr(wiring.messenger(), "portal_links", links)
    service = PortalService(world.store, records, world.claims, links=links, provider=provider,
                            documents=wiring.documents())
    world.tenant()
    yield world, service, provider
    reset_settings()


def call(service, method, path, *, form: str | None = None, cookie: str | None = None, query=None):
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if cookie:
        headers["Cookie"] = cookie
    return handle(proxy_event(method, path, body=form, headers=headers, query=query or {}), None, service=service)


def token_of(link: str) -> str:
    return link.rsplit("/p/", 1)[1]


def page(service, token, **query):
    answer = call(service, "GET", f"/p/{token}", query=query)
    assert answer["statusCode"] == 200, answer["body"]
    csrf = re.search(r'name="csrf" value="([^"]+)"', answer["body"])
    cookie = answer["headers"]["Set-Cookie"].split(";")[0]
    return answer, (csrf.group(1) if csrf else None), cookie


def test_every_message_carries_a_personal_link_and_the_page_shows_the_invoice(portal):
    # Given a claim whose first reminder went out
    world, service, _ = portal
    claim = world.claim(language="en")
    world.until(dt.date(2026, 1, 13))
    record = world.store.list_messages("acme", claim.claim_id)[0]
    # Then the message carries BASE/p/TOKEN, and only the token's hash is stored
    link = re.search(rf"{BASE}/p/\S+", record["body"]).group(0)
    token = token_of(link)
    assert len(token.split(".")[1]) == 43
    # When the debtor opens it
    answer, csrf, cookie = page(service, token)
    # Then the page is in English with the invoice's amounts, under a strict CSP and no-store
    body = answer["body"]
    assert 'lang="en"' in body and "F-1" in body and "Outstanding" in body and "Acme B.V." in body
    assert "€ 3,000.00" in body or "€3,000.00" in body or "3,000.00" in body
    headers = answer["headers"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"] and "script-src" not in headers[
        "Content-Security-Policy"]
    assert headers["Cache-Control"] == "no-store" and "HttpOnly" in headers["Set-Cookie"]
    # And the switch gives Dutch
    assert 'lang="nl"' in page(service, token, lang="nl")[0]["body"]
    # And the letter PDFs are served through the portal for this debtor only
    assert csrf and cookie


def test_an_altered_unknown_or_revoked_token_answers_404(portal):
    world, service, _ = portal
    claim = world.claim()
    token = token_of(service.link_for(world.get(claim)))
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (altered, "nonsense", f"other-tenant.{token.split('.')[1]}"):
        assert call(service, "GET", f"/p/{bad}")["statusCode"] == 404
    assert call(service, "GET", f"/p/{token}")["statusCode"] == 200
    # When the tenant revokes the debtor's links
    service.revoke("acme", claim.claim_id)
    assert call(service, "GET", f"/p/{token}")["statusCode"] == 404
    # A link issued after the revocation works
    world.stack.advance_to(world.stack.now() + dt.timedelta(seconds=1))
    assert call(service, "GET", f"/p/{token_of(service.link_for(world.get(claim)))}")["statusCode"] == 200


def test_a_link_expires_90_days_after_the_last_claim_closed(portal):
    world, service, provider = portal
    claim = world.claim()
    token = token_of(service.link_for(world.get(claim)))
    from incasso.services.claim_commands import DisputeOutcome

    world.claims.dispute("acme", claim.claim_id, "x")
    world.claims.resolve_dispute("acme", claim.claim_id, DisputeOutcome.UPHELD)
    world.until(dt.date(2026, 1, 5) + dt.timedelta(days=90))
    assert call(service, "GET", f"/p/{token}")["statusCode"] == 200
    world.until(dt.date(2026, 1, 5) + dt.timedelta(days=92))
    assert call(service, "GET", f"/p/{token}")["statusCode"] == 404


def test_pay_needs_the_csrf_pair_and_books_once_however_often_the_webhook_comes(portal):
    world, service, provider = portal
    claim = world.claim(principal="120.00")
    token = token_of(service.link_for(world.get(claim)))
    _, csrf, cookie = page(service, token)
    # Without the cookie, or with another value: refused
    assert call(service, "POST", f"/p/{token}/pay", form=f"csrf={csrf}")["statusCode"] == 422
    assert call(service, "POST", f"/p/{token}/pay", form="csrf=forged", cookie=cookie)["statusCode"] == 422
    # With the page's pair: 303 to the provider's checkout
    answer = call(service, "POST", f"/p/{token}/pay", form=f"csrf={csrf}", cookie=cookie)
    assert answer["statusCode"] == 303 and answer["headers"]["Location"].startswith("https://checkout.test/")
    payment_id = next(iter(provider.payments))
    # A forged webhook (unknown id) and one before payment book nothing
    assert call(service, "POST", "/p/webhooks/payments", form="id=tr_forged")["statusCode"] == 200
    call(service, "POST", "/p/webhooks/payments", form=f"id={payment_id}")
    assert world.get(claim).amounts.paid == Decimal("0.00")
    # When the provider says paid and the webhook comes twice
    provider.complete(payment_id, "paid", world.stack.now())
    for _ in range(2):
        assert call(service, "POST", "/p/webhooks/payments", form=f"id={payment_id}")["statusCode"] == 200
    # Then one payment is booked, dated today, and the claim is paid
    paid = world.get(claim)
    assert paid.status is ClaimStatus.PAID
    assert [k for k in world.ledger_keys(claim) if k.startswith("payment#")] == [f"payment#psp:{payment_id}:{claim.claim_id}"]
    assert "payment_confirmation" in world.sent(claim)


def test_dispute_pauses_the_claim(portal):
    world, service, _ = portal
    claim = world.claim()
    token = token_of(service.link_for(world.get(claim)))
    _, csrf, cookie = page(service, token)
    answer = call(service, "POST", f"/p/{token}/dispute", cookie=cookie,
                  form=f"csrf={csrf}&claim_id={claim.claim_id}&reason=Never+delivered")
    assert answer["statusCode"] == 303 and "done=disputed" in answer["headers"]["Location"]
    disputed = world.get(claim)
    assert disputed.status is ClaimStatus.PAUSED and "Never delivered" in disputed.dispute_reason


def test_an_arrangement_within_the_limits_is_agreed_beyond_them_left_for_the_tenant(portal):
    world, service, _ = portal
    inside, outside = world.claim(principal="300.00", invoice="F-1"), world.claim(principal="300.00", invoice="F-2")
    first = (dt.date(2026, 1, 5) + dt.timedelta(days=7)).isoformat()
    for claim, count, done in ((inside, 3, "accepted"), (outside, 12, "left")):
        token = token_of(service.link_for(world.get(claim)))
        _, csrf, cookie = page(service, token)
        answer = call(service, "POST", f"/p/{token}/arrangement", cookie=cookie,
                      form=f"csrf={csrf}&claim_id={claim.claim_id}&instalments={count}&first_due={first}")
        assert answer["statusCode"] == 303 and f"done={done}" in answer["headers"]["Location"]
    assert world.get(inside).status is ClaimStatus.ARRANGEMENT
    assert "arrangement_confirmation" in world.sent(inside)
    assert world.get(outside).status is ClaimStatus.OPEN
    proposed = [e for e in world.store.get_timeline("acme", outside.claim_id) if e.type == "arrangement_proposed"]
    assert len(proposed) == 1 and len(proposed[0].details["instalments"]) == 12


def test_a_dispute_of_a_part_on_the_page_pauses_only_that_part(portal):
    # Given a claim of 3000.00 and its page
    world, service, _ = portal
    claim = world.claim()
    token = token_of(service.link_for(world.get(claim)))
    _, csrf, cookie = page(service, token)
    # When the debtor disputes 750,00 of it, in Dutch notation
    answer = call(service, "POST", f"/p/{token}/dispute", cookie=cookie,
                  form=f"csrf={csrf}&claim_id={claim.claim_id}&reason=Een+deel+niet+geleverd&amount=750%2C00")
    # Then only that part is held back; the page shows it and offers no second dispute
    assert answer["statusCode"] == 303 and "done=disputed_in_part" in answer["headers"]["Location"]
    disputed = world.get(claim)
    assert disputed.status is ClaimStatus.OPEN and disputed.disputed_amount == Decimal("750.00")
    body = page(service, token)[0]["body"]
    assert "Betwist deel" in body and 'action="' not in body.split("Betwist deel")[1].split("/dispute")[0][-5:]
    assert f"{token}/dispute" not in body
    # And an amount above what is owed is refused (422), nothing changed
    other = world.claim(invoice="F-2", principal="100.00")
    other_token = token_of(service.link_for(world.get(other)))
    _, csrf, cookie = page(service, other_token)
    answer = call(service, "POST", f"/p/{other_token}/dispute", cookie=cookie,
                  form=f"csrf={csrf}&claim_id={other.claim_id}&reason=x&amount=500")
    assert answer["statusCode"] == 422 and world.get(other).status is ClaimStatus.OPEN


def test_the_tenant_refuses_a_proposal_left_for_it_and_the_debtor_is_told(portal):
    import json

    # Given a proposal beyond the policy's limits, left for the tenant
    world, service, _ = portal
    claim = world.claim(principal="300.00")
    token = token_of(service.link_for(world.get(claim)))
    _, csrf, cookie = page(service, token)
    first = dt.date(2026, 1, 12).isoformat()
    call(service, "POST", f"/p/{token}/arrangement", cookie=cookie,
         form=f"csrf={csrf}&claim_id={claim.claim_id}&instalments=12&first_due={first}")

    def refuse(reason):
        event = proxy_event("POST", f"/v1/claims/{claim.claim_id}/arrangement/refuse", tenant_id="acme",
                            body=json.dumps({"reason": reason}), headers={"Content-Type": "application/json"})
        answer = world.stack.invoke("api", event)
        return answer["statusCode"], json.loads(answer["body"])

    # When the tenant refuses it through the API
    status, body = refuse("twelve months is too long for this amount")
    # Then the proposal is closed on the timeline, the debtor got a message saying why, the claim goes on
    assert status == 200 and body["status"] == "open"
    types = [e["type"] for e in body["timeline"]]
    assert types.index("arrangement_refused") > types.index("arrangement_proposed")
    refused = [r for r in world.store.list_messages("acme", claim.claim_id) if r["kind"] == "arrangement_refused"]
    assert len(refused) == 1 and "twelve months is too long" in refused[0]["body"]
    assert "Voorstel" not in page(service, token)[0]["body"] or "ligt bij de schuldeiser" not in page(service, token)[0]["body"]
    # And a second refusal finds nothing waiting: 409
    assert refuse("again")[0] == 409
