"""``incasso token TENANT_ID [--role ROLE]``: a bearer token the local API (``incasso serve``) accepts for
that tenant. ``incasso token --client CLIENT_ID``: a machine client's token, exchanged at the running
server's ``/oauth2/token`` (client-credentials grant, as at Cognito's token endpoint on AWS); the secret
comes from ``--secret`` or ``INCASSO_CLIENT_SECRET``."""

from __future__ import annotations

import base64
import datetime as dt
import json
import urllib.error
import urllib.parse
import urllib.request

import click


@click.command()
@click.argument("tenant_id", required=False)
@click.option("--hours", type=click.IntRange(1, 24 * 365), default=24, show_default=True,
              help="how long the token stays valid")
@click.option("--role", type=click.Choice(["viewer", "clerk", "manager"]), default="manager", show_default=True,
              help="what the token's user may do: read; also claims, payments, imports; also the account")
@click.option("--client", "client_id", help="a machine client's id (POST /v1/tenant/clients) instead of a tenant")
@click.option("--secret", envvar="INCASSO_CLIENT_SECRET", help="the client's secret [env INCASSO_CLIENT_SECRET]")
@click.option("--api", default="http://127.0.0.1:8080", show_default=True, help="the running incasso serve")
def token(tenant_id: str | None, hours: int, role: str, client_id: str | None, secret: str | None, api: str) -> None:
    """Print a bearer token for TENANT_ID (signed with INCASSO_LOCAL_TOKEN_SECRET or the local default),
    or for a machine client with --client."""
    if client_id is not None:
        if tenant_id is not None:
            raise click.UsageError("give a TENANT_ID or --client, not both: a client's tenant is the one it was made for")
        click.echo(_client_token(api, client_id, secret))
        return
    if tenant_id is None:
        raise click.UsageError("missing TENANT_ID (or --client CLIENT_ID)")
    from incasso.api.auth import local_token_secret, mint_local_token

    try:
        minted = mint_local_token(tenant_id, local_token_secret(), ttl=dt.timedelta(hours=hours), role=role)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="TENANT_ID") from exc
    click.echo(minted)


def _client_token(api: str, client_id: str, secret: str | None) -> str:
    if not secret:
        raise click.BadParameter("the client's secret is missing (--secret or INCASSO_CLIENT_SECRET)", param_hint="--secret")
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    request = urllib.request.Request(
        api.rstrip("/") + "/oauth2/token", method="POST",
        data=urllib.parse.urlencode({"grant_type": "client_credentials"}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Authorization": f"Basic {basic}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())["access_token"]
    except urllib.error.HTTPError as error:
        raise click.ClickException(f"no token: {error.code} {error.read().decode(errors='replace')}") from None
    except urllib.error.URLError as error:
        raise click.ClickException(f"no server at {api} ({error.reason}): start it with `incasso serve`") from None
