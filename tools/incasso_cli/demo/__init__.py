"""``incasso demo``: a sample tenant and its invoices through the whole trajectory on the local stack."""
