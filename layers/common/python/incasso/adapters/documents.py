"""The documents bucket: every letter's PDF, the print outbox and the bailiff's inbox.

Keys are tenant-scoped (every key begins with ``tenants/{tenant}/``):

- ``tenants/{tenant}/documents/{claim_id}/{kind}.pdf`` — every PDF that went out, kept for the file;
- ``tenants/{tenant}/documents/{claim_id}/invoice.xml`` — the UBL invoice the claim was imported from;
- ``tenants/{tenant}/print-outbox/{claim_id}/{kind}.pdf`` — letters to be printed and posted;
- ``tenants/{tenant}/bailiff-inbox/{claim_id}/dossier.json`` — the dossier handed to the bailiff;
- ``tenants/{tenant}/bailiff-inbox/{claim_id}/{kind}.pdf`` — letters to the bailiff (a withdrawal).

The S3 client is created on first use and kept for the life of the process (Lambda cold start).
"""

from __future__ import annotations

from typing import Any

from incasso.adapters import aws
from incasso.domain.document_keys import (  # noqa: F401 - re-exported
    _segment,
    document_key,
    dossier_key,
    original_invoice_key,
    print_outbox_key,
)
from incasso.domain.ports import Dossier
from incasso.settings import get_settings

class DocumentStore:
    """Reads and writes the documents bucket. ``bucket`` and ``client`` default to settings and the cached client."""

    def __init__(self, bucket: str | None = None, client: Any | None = None) -> None:
        self._bucket = bucket
        self._client = client

    @property
    def bucket(self) -> str:
        return self._bucket or get_settings().documents_bucket

    @property
    def client(self) -> Any:
        # Asked for on every call (a dict lookup): the local stack may swap endpoints under a kept store.
        return self._client or aws.client("s3")

    def _put(self, key: str, body: bytes, content_type: str, metadata: dict[str, str] | None = None) -> str:
        self.client.put_object(
            Bucket=self.bucket, Key=key, Body=body, ContentType=content_type,
            Metadata=metadata or {},
        )
        return key

    def put_document(self, tenant_id: str, claim_id: str, kind: str, pdf: bytes) -> str:
        """Keep a letter's PDF in the claim's file; returns its key."""
        return self._put(document_key(tenant_id, claim_id, kind), pdf, "application/pdf")

    def put_original_invoice(self, tenant_id: str, claim_id: str, data: bytes) -> str:
        """Keep the UBL invoice a claim is imported from (the same key on every delivery); returns its key."""
        return self._put(original_invoice_key(tenant_id, claim_id), data, "application/xml")

    def put_print_letter(self, tenant_id: str, claim_id: str, kind: str, pdf: bytes) -> str:
        """Queue a letter for printing and posting (the print outbox); returns its key."""
        return self._put(print_outbox_key(tenant_id, claim_id, kind), pdf, "application/pdf")

    def deliver_dossier(self, dossier: Dossier) -> str:
        """Put the dossier into the bailiff's inbox; returns its key."""
        key = dossier_key(dossier.tenant_id, dossier.claim_id)
        return self._put(key, dossier.to_json().encode("utf-8"), "application/json")

    def put_bailiff_letter(self, tenant_id: str, claim_id: str, kind: str, pdf: bytes) -> str:
        """A letter to the bailiff (e.g. a withdrawal) into the bailiff's inbox; returns its key."""
        key = (f"tenants/{_segment('tenant_id', tenant_id)}/bailiff-inbox/{_segment('claim_id', claim_id)}/"
               f"{_segment('kind', kind)}.pdf")
        return self._put(key, pdf, "application/pdf")

    def delete_claim_documents(self, tenant_id: str, claim_id: str) -> int:
        """Delete every document of the claim: its letters, print outbox and bailiff inbox (erasure of
        personal data). Answers how many objects (all versions of a versioned bucket) went."""
        tenant, claim = _segment("tenant_id", tenant_id), _segment("claim_id", claim_id)
        deleted = 0
        for folder in ("documents", "print-outbox", "bailiff-inbox"):
            prefix = f"tenants/{tenant}/{folder}/{claim}/"
            paginator = self.client.get_paginator("list_object_versions")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                objects = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                           for v in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]]
                if objects:
                    self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True})
                    deleted += len(objects)
        return deleted

    def get(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except self.client.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def download_url(self, key: str, *, expires_in: int) -> str:
        """A presigned GET of ``key`` (SigV4), valid for ``expires_in`` seconds."""
        presigner = aws.client("s3", signature_version="s3v4")
        return presigner.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": key},
                                                ExpiresIn=expires_in)


def deliver_dossier(dossier: Dossier, store: DocumentStore | None = None) -> str:
    """Hand the dossier to the bailiff: ``tenants/{tenant}/bailiff-inbox/{claim_id}/dossier.json``."""
    return (store or DocumentStore()).deliver_dossier(dossier)
