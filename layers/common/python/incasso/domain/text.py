"""Free text a person typed (names, addresses, reasons): one validation for the API and the CSV import.

Refused: control characters (NUL and the like, which no name holds and which break letters, logs and
CSV exports), bidirectional overrides and isolates (which make a name read differently from what it
is: "Trojan Source"), and text that is only white space. Surrounding white space is stripped.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator

# U+200E/F marks, U+202A-202E embeddings and overrides, U+2066-2069 isolates.
BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def text_problem(value: str) -> str | None:
    """Why ``value`` is not acceptable as text a person typed, or None."""
    if not value.strip():
        return "must not be empty or only white space"
    for char in value:
        if unicodedata.category(char) == "Cc":
            return f"holds a control character (U+{ord(char):04X})"
        if char in BIDI_CONTROLS:
            return f"holds a bidirectional control character (U+{ord(char):04X})"
    return None


def clean_text(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise ValueError(problem)
    return value.strip()


# A pydantic field type: validated and stripped; combine with Field(min_length=..., max_length=...).
Text = Annotated[str, AfterValidator(clean_text)]
