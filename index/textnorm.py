"""Character-by-character text normalisation shared by indexing and querying.

``normalize`` never changes the length of a string: offset ``i`` of the normalised text is
offset ``i`` of the original. Exact-phrase search runs over normalised text and reports offsets
that are valid in the original without any mapping table.

What it does, per character:
- compatibility forms of ideographs → the unified ideograph they stand for (``unify``): PDF
  text layers carry Kangxi radicals (U+2F00–U+2FD5, "⼗" for 十), CJK radical-supplement forms
  (U+2E80–U+2EFF, "⺠" for 民, by Unicode's ``EquivalentUnifiedIdeograph.txt``) and CJK
  compatibility ideographs (U+F900–U+FAFF, U+2F800–U+2FA1F) where the text means the ordinary
  character, because a font maps one glyph to several code points;
- dash variants (U+2015 horizontal bar, U+2E3A/U+2E3B two- and three-em dashes, U+FE58) → the
  em dash U+2014, so "――", "——" and "⸺" all read as em dashes;
- full-width ASCII (U+FF01–U+FF5E) and the ideographic space → their half-width forms;
- Traditional → Simplified by OpenCC's character table (``TSCharacters``); where a character has
  several Simplified candidates, the first is used (phrase tables are not used: they can change
  length and depend on segmentation, and the same mapping must apply to documents and queries);
- ASCII upper case → lower case (``str.lower`` is not used: it can lengthen some non-ASCII
  characters).

Every chain of mappings is followed to its end, so ``normalize`` is idempotent.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ingest.unify import unify_table


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
    return table


def _closed(table: dict[int, str]) -> dict[int, str]:
    """Follow chains (薴 → 苧 → 苎, ⻑ → 長 → 长) to their end, so normalising is idempotent."""
    out: dict[int, str] = {}
    for cp, target in table.items():
        seen = {cp}
        while ord(target) in table and ord(target) not in seen:
            seen.add(ord(target))
            target = table[ord(target)]
        if target != chr(cp):
            out[cp] = target
    return out


@lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    table = _opencc_table()
    table.update(unify_table())
    for cp in range(0xFF01, 0xFF5F):
        table[cp] = chr(cp - 0xFEE0)
    table[0x3000] = " "
    # Upper-case ASCII, including what full-width letters became above.
    for cp in range(ord("A"), ord("Z") + 1):
        table[cp] = chr(cp + 32)
    for cp in range(0xFF21, 0xFF3B):
        table[cp] = chr(cp - 0xFEE0 + 32)
    return _closed(table)


def normalize(text: str) -> str:
    """The normalised form of ``text``; ``len(normalize(t)) == len(t)`` always."""
    return text.translate(_table())


def warm() -> None:
    """Load the conversion table now rather than on the first query."""
    _table()
