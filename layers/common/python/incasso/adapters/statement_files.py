"""The statement objects of the imports bucket, read whole but never beyond ``MAX_STATEMENT_BYTES``; the
files are parsed by ``incasso.domain.bank.statement_files``."""

from __future__ import annotations

from typing import Any

from incasso.adapters import aws
from incasso.domain.bank.statement_files import MAX_STATEMENT_BYTES


class StatementFiles:
    """Statement objects of the imports bucket; ``s3`` replaces the process's client."""

    def __init__(self, s3: Any = None) -> None:
        self._s3 = s3

    @property
    def s3(self) -> Any:
        if self._s3 is None:
            self._s3 = aws.client("s3")
        return self._s3

    def read(self, bucket: str, key: str, version_id: str | None = None) -> bytes:
        """The whole object, but never more than ``MAX_STATEMENT_BYTES`` (+1, to know it was more)."""
        version = {"VersionId": version_id} if version_id and version_id != "null" else {}
        body = self.s3.get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{MAX_STATEMENT_BYTES}", **version)["Body"]
        try:
            return body.read(MAX_STATEMENT_BYTES + 1)
        finally:
            body.close()

    def size(self, bucket: str, key: str) -> int:
        return int(self.s3.head_object(Bucket=bucket, Key=key)["ContentLength"])
