"""``incasso token TENANT_ID [--role ROLE]``: a bearer token the local API (``incasso serve``) accepts for that tenant."""

from __future__ import annotations

import datetime as dt

import click


@click.command()
@click.argument("tenant_id")
@click.option("--hours", type=click.IntRange(1, 24 * 365), default=24, show_default=True,
              help="how long the token stays valid")
@click.option("--role", type=click.Choice(["viewer", "clerk", "manager"]), default="manager", show_default=True,
              help="what the token's user may do: read; also claims, payments, imports; also the account")
def token(tenant_id: str, hours: int, role: str) -> None:
    """Print a bearer token for TENANT_ID (signed with INCASSO_LOCAL_TOKEN_SECRET or the local default)."""
    from incasso.api.auth import local_token_secret, mint_local_token

    try:
        minted = mint_local_token(tenant_id, local_token_secret(), ttl=dt.timedelta(hours=hours), role=role)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="TENANT_ID") from exc
    click.echo(minted)
