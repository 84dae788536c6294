"""Accent and case folding shared by the text models (compliance text model, objection classifier)."""

from __future__ import annotations

import math
import unicodedata


def _fold_table() -> dict[int, str]:
    table = {}
    for code in range(0xC0, 0x250):  # Latin-1 and Latin Extended-A/B: the accents of the texts we read
        ch = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        if base != ch:
            table[code] = base
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """Lower case without accents (á → a, ñ → n, ü → u); other characters as they are."""
    return text.lower().translate(_FOLD)


def sigmoid(z: float) -> float:
    if z < -700:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))
