"""Character-by-character text normalisation shared by indexing and querying.

``normalize`` never changes the length of a string: offset ``i`` of the normalised text is
offset ``i`` of the original. Exact-phrase search runs over normalised text and reports offsets
that are valid in the original without any mapping table.

What it does, per character:
- full-width ASCII (U+FF01–U+FF5E) and the ideographic space → their half-width forms;
- Traditional → Simplified by OpenCC's character table (``TSCharacters``); where a character has
  several Simplified candidates, the first is used (phrase tables are not used: they can change
  length and depend on segmentation, and the same mapping must apply to documents and queries);
- ASCII upper case → lower case (``str.lower`` is not used: it can lengthen some non-ASCII
  characters).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


def _opencc_table() -> dict[int, str]:
    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    table: dict[int, str] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 2 or len(parts[0]) != 1:
                continue
            first = parts[1].split(" ")[0]
            if len(first) == 1 and first != parts[0]:
                table[ord(parts[0])] = first
    # A few entries chain (薴 → 苧 → 苎): follow them so normalising is idempotent.
    for cp, target in list(table.items()):
        seen = {cp}
        while ord(target) in table and ord(target) not in seen:
            seen.add(ord(target))
            target = table[ord(target)]
        table[cp] = target
    return table


@lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    table = _opencc_table()
    for cp in range(0xFF01, 0xFF5F):
        table[cp] = chr(cp - 0xFEE0)
    table[0x3000] = " "
    # Upper-case ASCII, including what full-width letters became above.
    for cp in range(ord("A"), ord("Z") + 1):
        table[cp] = chr(cp + 32)
    for cp in range(0xFF21, 0xFF3B):
        table[cp] = chr(cp - 0xFEE0 + 32)
    return table


def normalize(text: str) -> str:
    """The normalised form of ``text``; ``len(normalize(t)) == len(t)`` always."""
    return text.translate(_table())


def warm() -> None:
    """Load the conversion table now rather than on the first query."""
    _table()
