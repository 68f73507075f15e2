"""Local bearer tokens and the tenant of a proxy event: who may call, and as whom."""

import datetime as dt

import pytest
from click.testing import CliRunner

from incasso.api.auth import (
    DEFAULT_LOCAL_TOKEN_SECRET,
    InvalidTokenError,
    bearer_token,
    local_token_secret,
    mint_local_token,
    tenant_from_event,
    verify_local_token,
)
from incasso.api.proxy import proxy_event
from incasso.settings import reset_settings

NOW = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.timezone.utc)


def test_a_minted_token_names_its_tenant():
    # given a token minted for acme
    token = mint_local_token("acme", "s3cret", now=NOW)
    # when it is verified with the same secret an hour later
    tenant = verify_local_token(token, "s3cret", NOW + dt.timedelta(hours=1))
    # then it names acme
    assert tenant == "acme"


def test_an_expired_token_is_refused():
    token = mint_local_token("acme", "s3cret", ttl=dt.timedelta(minutes=5), now=NOW)
    with pytest.raises(InvalidTokenError, match="expired"):
        verify_local_token(token, "s3cret", NOW + dt.timedelta(minutes=5))


def test_another_secret_is_refused():
    token = mint_local_token("acme", "s3cret", now=NOW)
    with pytest.raises(InvalidTokenError):
        verify_local_token(token, "other", NOW)


@pytest.mark.parametrize("tamper", [
    lambda t: t.replace(t.split(".")[1], mint_local_token("evil", "x", now=NOW).split(".")[1]),  # other payload
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # other signature
    lambda t: "v2" + t[2:],
    lambda t: t + ".x",
    lambda t: "",
    lambda t: "not a token",
    lambda t: "v1..",
    lambda t: "v1.!!!.x",
    lambda t: "x" * 5000,
])
def test_tampered_or_malformed_tokens_are_refused(tamper):
    # given a good token, changed
    token = tamper(mint_local_token("acme", "s3cret", now=NOW))
    # then it is refused
    with pytest.raises(InvalidTokenError):
        verify_local_token(token, "s3cret", NOW)


def test_a_validly_signed_payload_without_expiry_is_refused():
    # given a payload signed with the right secret but without exp (never minted like this)
    import base64, hashlib, hmac, json
    payload = base64.urlsafe_b64encode(json.dumps({"tid": "acme"}).encode()).rstrip(b"=").decode()
    signed = f"v1.{payload}"
    signature = base64.urlsafe_b64encode(hmac.new(b"s3cret", signed.encode(), hashlib.sha256).digest()).rstrip(b"=").decode()
    # then it is refused
    with pytest.raises(InvalidTokenError, match="expiry"):
        verify_local_token(f"{signed}.{signature}", "s3cret", NOW)


def test_tokens_are_only_minted_for_well_formed_tenants():
    for bad in ("", "A", "Acme", "acme corp", "acme#1", "-acme", "x" * 64):
        with pytest.raises(ValueError):
            mint_local_token(bad, "s3cret", now=NOW)


def test_the_bearer_scheme_is_read_case_insensitively():
    assert bearer_token("Bearer abc") == "abc"
    assert bearer_token("bearer  abc ") == "abc"
    assert bearer_token("Basic abc") is None
    assert bearer_token("Bearer ") is None
    assert bearer_token(None) is None


def test_the_tenant_comes_from_the_authorizer_claims_only():
    # given events with and without authorizer claims
    good = proxy_event("GET", "/v1/claims", tenant_id="acme")
    anonymous = proxy_event("GET", "/v1/claims", headers={"x-tenant-id": "acme"}, query={"tenant_id": "acme"})
    odd = proxy_event("GET", "/v1/claims", tenant_id="acme")
    odd["requestContext"]["authorizer"]["claims"]["custom:tenant_id"] = "ACME#claim"
    # then only the claims count, and only a well-formed tenant id
    assert tenant_from_event(good) == "acme"
    assert tenant_from_event(anonymous) is None
    assert tenant_from_event(odd) is None
    assert tenant_from_event({"requestContext": {"authorizer": {"claims": None}}}) is None
    assert tenant_from_event({"requestContext": None}) is None


def test_incasso_token_prints_a_token_the_local_secret_verifies(monkeypatch):
    # given the default local secret (no environment override)
    monkeypatch.delenv("INCASSO_LOCAL_TOKEN_SECRET", raising=False)
    reset_settings()
    from incasso_cli import main
    # when incasso token runs
    result = CliRunner().invoke(main, ["token", "acme"])
    # then it prints one token that verifies with the secret the server uses
    assert result.exit_code == 0, result.output
    assert local_token_secret() == DEFAULT_LOCAL_TOKEN_SECRET
    assert verify_local_token(result.output.strip(), local_token_secret()) == "acme"


def test_incasso_token_uses_the_configured_secret(monkeypatch):
    monkeypatch.setenv("INCASSO_LOCAL_TOKEN_SECRET", "configured")
    reset_settings()
    try:
        from incasso_cli import main
        result = CliRunner().invoke(main, ["token", "acme"])
        assert verify_local_token(result.output.strip(), "configured") == "acme"
        with pytest.raises(InvalidTokenError):
            verify_local_token(result.output.strip(), DEFAULT_LOCAL_TOKEN_SECRET)
    finally:
        monkeypatch.delenv("INCASSO_LOCAL_TOKEN_SECRET")
        reset_settings()


def test_incasso_token_refuses_a_bad_tenant_with_exit_2():
    from incasso_cli import main
    result = CliRunner().invoke(main, ["token", "Not A Tenant"])
    assert result.exit_code == 2
    assert "tenant id" in result.output


def test_the_local_server_turns_an_authorization_header_into_the_events_tenant():
    # given the header of a request to incasso serve
    from incasso.api.app import handle
    from incasso.api.auth import tenant_for_authorization

    good = f"Bearer {mint_local_token('acme', local_token_secret())}"
    # when it is verified as the server does / then the tenant, or None for anything else
    assert tenant_for_authorization(good) == "acme"
    assert tenant_for_authorization(good.replace("Bearer", "Basic")) is None
    assert tenant_for_authorization(good + "x") is None
    assert tenant_for_authorization(None) is None
    # and a request whose token did not verify reaches the handler without claims: 401
    event = proxy_event("GET", "/v1/claims", tenant_id=tenant_for_authorization("Bearer forged"))
    assert handle(event, None)["statusCode"] == 401
