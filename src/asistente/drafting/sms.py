"""SMS length: GSM 03.38 7-bit alphabet (with its extension table) or UCS-2, in segments.

A message that fits the GSM-7 default alphabet is sent in 7-bit septets: 160 in one SMS, 153 per segment
when concatenated (the user data header takes 7). An extension-table character (€, [, ], {, }, ~, ^, \\, |,
form feed) costs two septets (escape + char) and is never split across segments. Any other character
(á, í, ó, ú, emoji...) makes the whole message UCS-2: 70 UTF-16 code units in one SMS, 67 per segment, a
surrogate pair never split.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

__all__ = ["SmsLength", "sms_length"]

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE_GSM7, MULTI_GSM7 = 160, 153
SINGLE_UCS2, MULTI_UCS2 = 70, 67


@dataclass(frozen=True)
class SmsLength:
    encoding: str  # "GSM-7" | "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def _pack(costs: list[int], single: int, multi: int) -> int:
    total = sum(costs)
    if total <= single:
        return 1 if total else 0
    segments, used = 1, 0
    for c in costs:
        if used + c > multi:  # never split an escape pair or a surrogate pair
            segments += 1
            used = 0
        used += c
    return segments


@lru_cache(maxsize=4096)  # a pure function of the text; SmsLength is immutable
def sms_length(text: str) -> SmsLength:
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        costs = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
        return SmsLength("GSM-7", sum(costs), _pack(costs, SINGLE_GSM7, MULTI_GSM7))
    costs = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    return SmsLength("UCS-2", sum(costs), _pack(costs, SINGLE_UCS2, MULTI_UCS2))
