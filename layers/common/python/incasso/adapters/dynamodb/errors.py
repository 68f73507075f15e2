"""What the claims table's adapters raise on purpose: the domain's errors (``incasso.domain.errors``),
named here too for the code that imports them from the adapter."""

from incasso.domain.errors import AlreadyDoneError, ClaimAlreadyExistsError, ClaimNotFoundError  # noqa: F401
from incasso.domain.errors import ConcurrentModificationError, DuplicateInvoiceError, InvalidPageToken  # noqa: F401
from incasso.domain.errors import StoreError  # noqa: F401 (all three lines re-export)
