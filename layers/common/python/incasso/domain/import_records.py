"""An import of invoices — a CSV file (CONTRACT.md §3 ``/v1/imports``, §5), a UBL invoice or a zip of them
(README, "Invoices in") — its state and its report."""

import datetime as dt
from enum import StrEnum

from pydantic import Field

from incasso.domain.base import Model

# The report lists at most this many problems (plus one line saying how many more there were), so
# that a file of 100,000 bad rows still fits in one DynamoDB item (400 KB) and one API answer.
MAX_LISTED_ERRORS = 1_000


class ImportStatus(StrEnum):
    PENDING = "pending"  # the upload URL was handed out; no file yet
    PROCESSING = "processing"
    COMPLETED = "completed"  # the file was read; bad rows (if any) are in ``errors``
    FAILED = "failed"  # the file as a whole could not be imported


class ImportRowError(Model):
    """One problem in the file: the row as a spreadsheet shows it (header = 1; 0 = the whole file)."""

    row: int = Field(ge=0)
    field: str = Field(max_length=200)
    message: str = Field(max_length=1_000)



class ImportRecord(Model):
    tenant_id: str
    import_id: str = Field(min_length=1, max_length=100)
    filename: str = Field(min_length=1, max_length=255)
    # The object key of the upload in the imports bucket (inside the tenant's own prefix).
    key: str = ""
    # Which version of the object was imported (ETag or version id): a second delivery of the same
    # object is recognised and not imported twice.
    source: str | None = None
    status: ImportStatus = ImportStatus.PENDING
    accepted: int = Field(default=0, ge=0)
    rejected: int = Field(default=0, ge=0)
    errors: list[ImportRowError] = Field(default_factory=list, max_length=MAX_LISTED_ERRORS + 1)
    # Problems found beyond those listed in ``errors``.
    errors_not_listed: int = Field(default=0, ge=0)
    created_at: dt.datetime
    updated_at: dt.datetime
    finished_at: dt.datetime | None = None

    @property
    def error_count(self) -> int:
        """Every problem found, listed or not."""
        return len(self.errors) + self.errors_not_listed
