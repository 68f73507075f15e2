"""The Dutch structured payment reference (betalingskenmerk) of a claim.

Sixteen digits: a check digit followed by fifteen digits. The check digit is the weighted modulus-11
check of the Betaalvereniging (formerly Currence/NVB, the acceptgiro's "specificaties betalingskenmerk"):
from the right, the digits are weighted 2, 4, 8, 5, 10, 9, 7, 3, 6, 1 (repeating); C = 11 - (sum mod 11),
where 10 becomes 1 and 11 becomes 0. The published example: 5000 0567 8901 2345.

A claim's reference is derived from its tenant and claim id (``for_claim``): the same on every read, so
claims created before references existed get the one they would have had, and nothing needs writing
back. Fifteen digits are 10^15 numbers; two claims of one tenant sharing one is improbable (about
n²/2·10^-15: 5·10^-6 at 100,000 claims) and harmless: the matcher sees two candidates and never guesses.
"""

from __future__ import annotations

import hashlib
import re

LENGTH = 16
_WEIGHTS = (2, 4, 8, 5, 10, 9, 7, 3, 6, 1)
_SEPARATORS = re.compile(r"[\s.\-/]+")


def check_digit(body: str) -> int:
    """The check digit of a reference's digits after the check digit itself."""
    if not body.isdigit() or not body.isascii():
        raise ValueError("a payment reference holds digits only")
    total = sum(int(digit) * _WEIGHTS[i % len(_WEIGHTS)] for i, digit in enumerate(reversed(body)))
    check = 11 - total % 11
    return {10: 1, 11: 0}.get(check, check)


def is_valid(reference: str) -> bool:
    """A 16-digit betalingskenmerk whose first digit is the check digit of the other fifteen."""
    digits = normalized(reference)
    return digits is not None and len(digits) == LENGTH and check_digit(digits[1:]) == int(digits[0])


def normalized(text: str) -> str | None:
    """The digits of a reference as people write it (``5000 0567 8901 2345``, dots, dashes); None when it
    holds anything but digits and separators."""
    digits = _SEPARATORS.sub("", text or "")
    return digits if digits.isdigit() and digits.isascii() else None


def with_check_digit(body: str) -> str:
    if len(body) != LENGTH - 1:
        raise ValueError("a 16-digit reference has a 15-digit body")
    return f"{check_digit(body)}{body}"


def for_claim(tenant_id: str, claim_id: str) -> str:
    """The claim's reference: fifteen digits from a hash of (tenant, claim id), behind their check digit."""
    digest = hashlib.sha256(f"payment-reference\n{tenant_id}\n{claim_id}".encode()).digest()
    return with_check_digit(f"{int.from_bytes(digest[:8], 'big') % 10 ** (LENGTH - 1):015d}")


def grouped(reference: str) -> str:
    """``5000056789012345`` -> ``5000 0567 8901 2345``, as printed on a letter."""
    return " ".join(reference[i:i + 4] for i in range(0, len(reference), 4))
