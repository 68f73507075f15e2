"""Services decide what happens to a claim: they combine the domain with the store and the adapters."""
