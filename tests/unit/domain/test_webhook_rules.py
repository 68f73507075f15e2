"""Webhook rules: the signature of CONTRACT.md §10, backoff within 24 hours, stable event ids, URLs."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import pytest

from incasso.domain.webhooks import Attempt, Delivery, check_url, event_id, next_attempt, signature

T0 = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.timezone.utc)


def test_the_signature_is_hmac_sha256_over_t_dot_body():
    body = '{"id":"evt_1"}'
    expected = hmac.new(b"whsec_x", b"1767600000." + body.encode(), hashlib.sha256).hexdigest()
    assert signature("whsec_x", 1767600000, body) == f"t=1767600000,v1={expected}"


def test_an_event_id_is_stable_for_one_bus_event_and_differs_between_two():
    assert event_id("a1") == event_id("a1") != event_id("a2")


def test_retries_back_off_and_stop_after_24_hours():
    delivery = Delivery(event_id="evt_1", webhook_id="wh_1", type="claim.created", body="{}", created_at=T0)
    now, delays = T0, []
    while True:
        delivery = delivery.model_copy(update={"attempts": [*delivery.attempts, Attempt(at=now, status=500)]})
        planned = next_attempt(delivery, now)
        if planned is None:
            break
        delays.append(planned - now)
        now = planned
    assert delays[:3] == [dt.timedelta(minutes=1), dt.timedelta(minutes=4), dt.timedelta(minutes=16)]
    assert all(later > earlier for earlier, later in zip(delays[:-2], delays[1:-1]))
    assert now == T0 + dt.timedelta(hours=24)  # the last attempt is at the deadline, none after it


@pytest.mark.parametrize("url", ["https://hooks.example.com/x", "https://93.184.216.34/x"])
def test_public_https_urls_are_accepted(url):
    assert check_url(url, allow_http_loopback=False) == url


@pytest.mark.parametrize("url", ["http://hooks.example.com/x", "https://10.1.2.3/x", "https://[::1]/x",
                                 "https://user:pw@hooks.example.com/x", "https://localhost/x", "hooks.example.com"])
def test_other_urls_are_refused_on_aws(url):
    with pytest.raises(ValueError):
        check_url(url, allow_http_loopback=False)


def test_locally_http_to_loopback_is_allowed_but_not_elsewhere():
    assert check_url("http://127.0.0.1:8000/h", allow_http_loopback=True)
    with pytest.raises(ValueError):
        check_url("http://192.168.0.2/h", allow_http_loopback=True)
