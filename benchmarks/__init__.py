"""Speed and memory figures of the product (``make bench``)."""


def bench_profile():
    """A complete creditor profile: nothing goes out for a tenant without one (CONTRACT.md §7)."""
    from incasso.domain.models import Address, Profile

    return Profile(legal_name="Acme B.V.", address=Address(street="Damrak 1", postal_code="1012 LG", city="Amsterdam"),
                   iban="NL44RABO0123456789", email="debiteuren@acme.example", phone="+31 20 123 4567")
