"""Machine credentials over the local front's HTTP, as an integration uses them (CONTRACT.md §7): the
manager creates a client, the integration exchanges id and secret at ``/oauth2/token`` (Cognito's token
endpoint on AWS) with the client-credentials grant, calls the API with the token; once revoked, the same
token is refused and no new one is issued. The front listens on 127.0.0.1 only."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

from incasso.api.auth import local_token_secret, mint_local_token
from infra.local.http import LocalFront


def request(front: LocalFront, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None):
    req = urllib.request.Request(front.endpoint + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def manager(front: LocalFront, method: str, path: str, payload: object = None):
    return request(front, method, path, body=None if payload is None else json.dumps(payload).encode(), headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {mint_local_token('acme', local_token_secret())}"})


def exchange(front: LocalFront, client_id: str, secret: str, *, basic: bool = False):
    form = {"grant_type": "client_credentials"}
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if basic:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    else:
        form.update(client_id=client_id, client_secret=secret)
    return request(front, "POST", "/oauth2/token", body=urllib.parse.urlencode(form).encode(), headers=headers)


@pytest.fixture
def front(local_stack):
    front = LocalFront("127.0.0.1", 0)
    front.attach(local_stack)
    front.start()
    yield front
    front.stop()


def test_an_integration_exchanges_its_credentials_for_a_token_until_the_client_is_revoked(front):
    # given acme's manager created a clerk client for its accounting system
    status, created = manager(front, "POST", "/v1/tenant/clients", {"name": "Exact Online", "role": "clerk"})
    assert status == 201, created
    # when the integration exchanges id and secret (HTTP Basic, as Cognito's token endpoint takes them)
    status, token = exchange(front, created["client_id"], created["client_secret"], basic=True)
    # then it gets a bearer token that works on acme's claims, as a clerk
    assert status == 200 and token["token_type"] == "Bearer" and token["expires_in"] == 3600
    bearer = {"Authorization": f"Bearer {token['access_token']}", "Content-Type": "application/json"}
    assert request(front, "GET", "/v1/claims", headers=bearer) == (200, {"items": [], "next_token": None})
    assert request(front, "GET", "/v1/tenant/clients", headers=bearer)[0] == 403
    # when the manager revokes the client
    assert manager(front, "DELETE", f"/v1/tenant/clients/{created['client_id']}")[0] == 204
    # then the token it already has is refused, and no new one is issued
    assert request(front, "GET", "/v1/claims", headers=bearer)[0] == 401
    assert exchange(front, created["client_id"], created["client_secret"]) == (400, {"error": "invalid_client"})


def test_wrong_credentials_and_other_grants_get_no_token(front):
    _, created = manager(front, "POST", "/v1/tenant/clients", {"name": "ERP"})
    assert exchange(front, created["client_id"], "not-the-secret") == (400, {"error": "invalid_client"})
    assert exchange(front, "cli.globex." + "0" * 32, created["client_secret"]) == (400, {"error": "invalid_client"})
    status, answer = request(front, "POST", "/oauth2/token", body=b"grant_type=password&username=a&password=b",
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert (status, answer) == (400, {"error": "unsupported_grant_type"})


def test_incasso_token_client_prints_the_same_kind_of_token(front, monkeypatch):
    from click.testing import CliRunner
    from incasso_cli import main

    # given a client of acme's
    _, created = manager(front, "POST", "/v1/tenant/clients", {"name": "ERP", "role": "viewer"})
    # when incasso token --client runs against the server, the secret in the environment
    monkeypatch.setenv("INCASSO_CLIENT_SECRET", created["client_secret"])
    result = CliRunner().invoke(main, ["token", "--client", created["client_id"], "--api", front.endpoint])
    # then it prints a token that reads acme's claims
    assert result.exit_code == 0, result.output
    bearer = {"Authorization": f"Bearer {result.output.strip()}"}
    assert request(front, "GET", "/v1/claims", headers=bearer)[0] == 200
    # and a wrong secret is an error, not a token
    monkeypatch.setenv("INCASSO_CLIENT_SECRET", "wrong")
    failed = CliRunner().invoke(main, ["token", "--client", created["client_id"], "--api", front.endpoint])
    assert failed.exit_code != 0 and "invalid_client" in failed.output
