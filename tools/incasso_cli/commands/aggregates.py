"""``incasso aggregates TENANT_ID``: rebuild a tenant's aggregates (docs/architecture.md, "Aggregates") on
the DynamoDB of the environment: AWS with its credentials, or a running ``incasso serve`` with
``AWS_ENDPOINT_URL`` set to the ``AWS http://...`` line it printed. For a tenant whose claims predate the
aggregates and are too many to recount within the first summary's request; a tenant built already is
left as it is."""

from __future__ import annotations

import click


@click.command()
@click.argument("tenant_id")
@click.option("--table", envvar="CLAIMS_TABLE", default=None, help="the claims table [env CLAIMS_TABLE]")
def aggregates(tenant_id: str, table: str | None) -> None:
    """Count every claim of TENANT_ID not counted yet into its aggregates, once, under the tenant's lock."""
    import os

    from incasso.adapters import keys
    from incasso.services import wiring

    if table:
        os.environ["CLAIMS_TABLE"] = table
    try:
        keys.tenant_prefix(tenant_id)
    except keys.InvalidTenantId as error:
        raise click.BadParameter(str(error), param_hint="TENANT_ID") from error
    wiring.reset()
    service = wiring.report_service()
    if service.rebuild(tenant_id):
        summary = service.summary(tenant_id)
        click.echo(f"rebuilt the aggregates of {tenant_id}: {summary.claims} claims")
    elif service.store.read_aggregates(tenant_id).built:
        click.echo(f"the aggregates of {tenant_id} are built already")
    else:
        raise click.ClickException(f"another process is rebuilding the aggregates of {tenant_id}; try again later")
