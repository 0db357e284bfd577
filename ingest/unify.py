"""Compatibility ideographs and dash variants → the one character they stand for.

PDF text layers carry Kangxi radicals (U+2F00–U+2FD5, "⼗" for 十), CJK radical-supplement forms
(U+2E80–U+2EFF, "⺠" for 民, by Unicode's ``EquivalentUnifiedIdeograph.txt``) and CJK
compatibility ideographs (U+F900–U+FAFF, U+2F800–U+2FA1F) where the text means the ordinary
character, because a font maps one glyph to several code points; dash variants (U+2015, U+2E3A,
U+2E3B, U+FE58) become the em dash. Ingest applies it to every document; the index's
normaliser (``index.textnorm``) includes it, so queries get the same mapping.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Unicode's EquivalentUnifiedIdeograph.txt for the CJK radicals supplement (U+2E80 has none):
# "radical:ideograph" code points, hex.
_RADICAL_SUPPLEMENT = """
2E81:5382 2E82:4E5B 2E83:4E5A 2E84:4E59 2E85:4EBB 2E86:5182 2E87:20628 2E88:5200 2E89:5202 2E8A:535C
2E8B:353E 2E8C:5C0F 2E8D:5C0F 2E8E:5140 2E8F:5C23 2E90:5C22 2E91:21BC2 2E92:5DF3 2E93:5E7A 2E94:5F51
2E95:2B739 2E96:5FC4 2E97:5FC3 2E98:624C 2E99:6535 2E9B:65E1 2E9C:65E5 2E9D:6708 2E9E:6B7A 2E9F:6BCD
2EA0:6C11 2EA1:6C35 2EA2:6C3A 2EA3:706C 2EA4:722B 2EA5:722B 2EA6:4E2C 2EA7:725B 2EA8:72AD 2EA9:738B
2EAA:24D14 2EAB:76EE 2EAC:793A 2EAD:793B 2EAE:25AD7 2EAF:7CF9 2EB0:7E9F 2EB1:7F53 2EB2:7F52
2EB3:34C1 2EB4:5197 2EB5:2626B 2EB6:7F8A 2EB7:2634C 2EB8:2634B 2EB9:8002 2EBA:8080 2EBB:807F
2EBC:8089 2EBD:26951 2EBE:8279 2EBF:8279 2EC0:8279 2EC1:864E 2EC2:8864 2EC3:8980 2EC4:897F 2EC5:89C1
2EC6:89D2 2EC7:278B2 2EC8:8BA0 2EC9:8D1D 2ECA:27FB7 2ECB:8F66 2ECC:8FB6 2ECD:8FB6 2ECE:8FB6
2ECF:9091 2ED0:9485 2ED1:9577 2ED2:9578 2ED3:957F 2ED4:95E8 2ED5:28E0F 2ED6:961D 2ED7:96E8 2ED8:9752
2ED9:97E6 2EDA:9875 2EDB:98CE 2EDC:98DE 2EDD:98DF 2EDE:2967F 2EDF:98E0 2EE0:9963 2EE1:29810
2EE2:9A6C 2EE3:9AA8 2EE4:9B3C 2EE5:9C7C 2EE6:9E1F 2EE7:5364 2EE8:9EA6 2EE9:9EC4 2EEA:9EFE 2EEB:6589
2EEC:9F50 2EED:6B6F 2EEE:9F7F 2EEF:7ADC 2EF0:9F99 2EF1:9F9C 2EF2:4E80 2EF3:9F9F
"""
EM_DASH = "\u2014"
_DASHES = (0x2015, 0x2E3A, 0x2E3B, 0xFE58)
_COMPAT_RANGES = ((0x2F00, 0x2FE0), (0xF900, 0xFB00), (0x2F800, 0x2FA20))


@lru_cache(maxsize=1)
def unify_table() -> dict[int, str]:
    """Compatibility ideograph or dash variant → the one character it stands for."""
    table: dict[int, str] = {}
    for pair in _RADICAL_SUPPLEMENT.split():
        radical, ideograph = pair.split(":")
        table[int(radical, 16)] = chr(int(ideograph, 16))
    for low, high in _COMPAT_RANGES:
        for cp in range(low, high):
            unified = unicodedata.normalize("NFKC", chr(cp))
            if len(unified) == 1 and unified != chr(cp) and unicodedata.category(unified) == "Lo":
                table[cp] = unified
    for cp in _DASHES:
        table[cp] = EM_DASH
    return table


def unify(text: str) -> str:
    """Compatibility ideographs and dash variants → unified ideographs and the em dash.

    Only the characters a font or a PDF text layer substitutes change; the length is kept.
    """
    return text.translate(unify_table())


def unify_changes(text: str) -> int:
    """How many characters of ``text`` ``unify`` changes."""
    table = unify_table()
    return sum(1 for ch in text if ord(ch) in table)
