"""The imports bucket: where a tenant's CSV is uploaded (a presigned PUT), read back as a stream, and
where the batches of a large file leave their reports for the final tally.

The S3 clients are the process's (``incasso.adapters.aws``), asked for on first use.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from incasso.adapters import aws

CHUNK_BYTES = 64 * 1024


class ImportFiles:
    """Objects of the imports bucket; ``s3`` replaces the process's client (it then also signs URLs)."""

    def __init__(self, s3: Any = None) -> None:
        self._s3 = s3
        self._presigner = s3

    @property
    def s3(self) -> Any:
        if self._s3 is None:
            self._s3 = aws.client("s3")
        return self._s3

    @property
    def presigner(self) -> Any:
        """An S3 client that signs URLs with SigV4 (what every region accepts), unless one was given."""
        if self._presigner is None:
            self._presigner = aws.client("s3", signature_version="s3v4")
        return self._presigner

    def upload_url(self, bucket: str, key: str, *, expires_in: int) -> str:
        """A presigned PUT of ``key``."""
        return self.presigner.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": key},
                                                     ExpiresIn=expires_in)

    @contextmanager
    def chunks(self, bucket: str, key: str, version_id: str | None = None) -> Iterator[Iterator[bytes]]:
        """The object (that version, where given) as a stream of chunks, closed when the block ends."""
        version = {"VersionId": version_id} if version_id and version_id != "null" else {}
        body = self.s3.get_object(Bucket=bucket, Key=key, **version)["Body"]
        try:
            yield body.iter_chunks(CHUNK_BYTES)
        finally:
            body.close()

    def head(self, bucket: str, key: str, size: int = CHUNK_BYTES) -> bytes:
        """The first ``size`` bytes of the object."""
        return self.s3.get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{size - 1}")["Body"].read()

    def put_json(self, bucket: str, key: str, data: Any) -> None:
        self.s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(data).encode("utf-8"),
                           ContentType="application/json")

    def read_json_under(self, bucket: str, prefix: str) -> Iterator[Any]:
        """Every JSON object whose key begins with ``prefix``, in key order."""
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                yield json.loads(self.s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read())
