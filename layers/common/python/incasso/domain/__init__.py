"""Pure domain: the claim, its debtor, its tenant and policy, ledger and timeline. No AWS here."""
