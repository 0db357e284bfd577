"""The one check of user text (queries, questions, history turns, chat messages).

API, CLI and UI all call ``check_text``; it raises ``InvalidText`` with a ``reason`` so each edge
words the message its own way (the API's English ``detail``, the UI's Chinese toast).
"""

from __future__ import annotations

import unicodedata

from ingest.errors import InvalidText

MAX_TEXT = 2000


def check_text(value: object, what: str, limit: int = MAX_TEXT) -> str:
    """The stripped text, or ``InvalidText`` saying what to fix."""
    if not isinstance(value, str):
        raise InvalidText("type", what, f"{what} must be a string")
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise InvalidText("surrogate", what, f"{what} contains an unpaired surrogate; send valid UTF-8 text")
    bad = [c for c in value if unicodedata.category(c) == "Cc" and c not in "\t\n\r"]
    if bad:
        raise InvalidText("control", what,
                          f"{what} contains control character U+{ord(bad[0]):04X}; remove control characters")
    text = value.strip()
    if not text:
        raise InvalidText("empty", what, f"{what} must not be empty or whitespace only")
    if len(text) > limit:
        raise InvalidText("too_long", what, f"{what} is {len(text)} characters; the limit is {limit}", len(text))
    return text
