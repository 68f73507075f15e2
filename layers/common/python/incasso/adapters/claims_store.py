"""The claims store: every record kind of the claims table behind one object, as the services take it
(``incasso.services.wiring.claims_store``). Each kind has its own adapter in ``incasso.adapters.dynamodb``;
this class only puts them together on one table and one client."""

from __future__ import annotations

from incasso.adapters.dynamodb.aggregates import AggregateRecords
from incasso.adapters.dynamodb.debtor_letters import DebtorLetterRecords
from incasso.adapters.dynamodb.debtors import DebtorRecords
from incasso.adapters.dynamodb.import_records import ImportRecords
from incasso.adapters.dynamodb.messages import MessageRecords
from incasso.adapters.dynamodb.statements import StatementRecords
from incasso.adapters.dynamodb.tenants import TenantRecords


class ClaimsStore(DebtorRecords, AggregateRecords, MessageRecords, TenantRecords, ImportRecords, StatementRecords,
                  DebtorLetterRecords):
    """Claims (``DebtorRecords`` builds on ``ClaimRecords``) and their aggregates, debtors, messages, tenants,
    imports, bank statements and a debtor's letters and payments of the claims table (the table of the
    settings unless named)."""
