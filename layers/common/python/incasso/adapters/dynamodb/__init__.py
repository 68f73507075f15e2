"""The claims table, one adapter per record kind: ``claims`` (claims, timeline, ledger, listings, the due
index), ``messages`` (the record of each message sent), ``tenants`` (profile, policy, registry) and
``import_records``; ``table`` is what they share, ``errors`` what they raise. ``ClaimsStore``
(``incasso.adapters.claims_store``) is the four together, as the services take them today."""
