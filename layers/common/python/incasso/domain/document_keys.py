"""Where each document lives in the documents bucket: every key begins with ``tenants/{tenant}/`` and no
segment can climb out of its prefix (tenant isolation is in the key, DESIGN.md). The layout is described in
``incasso.adapters.documents``."""

from __future__ import annotations

import re

_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def _segment(name: str, value: str) -> str:
    """A key segment that cannot climb out of its prefix (no '/', no '..')."""
    value = str(getattr(value, "value", value))
    if not _SEGMENT.match(value) or ".." in value:
        raise ValueError(f"{name} is not usable in a document key: {value!r}")
    return value


def document_key(tenant_id: str, claim_id: str, kind: str) -> str:
    return f"tenants/{_segment('tenant_id', tenant_id)}/documents/{_segment('claim_id', claim_id)}/{_segment('kind', kind)}.pdf"


# The name of the original invoice in the claim's documents (a UBL file the claim was imported from).
ORIGINAL_INVOICE_NAME = "invoice.xml"


def original_invoice_key(tenant_id: str, claim_id: str) -> str:
    """The UBL invoice a claim was imported from, kept beside its letters."""
    return f"tenants/{_segment('tenant_id', tenant_id)}/documents/{_segment('claim_id', claim_id)}/{ORIGINAL_INVOICE_NAME}"


def print_outbox_key(tenant_id: str, claim_id: str, kind: str) -> str:
    return f"tenants/{_segment('tenant_id', tenant_id)}/print-outbox/{_segment('claim_id', claim_id)}/{_segment('kind', kind)}.pdf"


def dossier_key(tenant_id: str, claim_id: str) -> str:
    return f"tenants/{_segment('tenant_id', tenant_id)}/bailiff-inbox/{_segment('claim_id', claim_id)}/dossier.json"
