"""The fast E.164 check agrees with phonenumbers' parse-then-validate, for every region and number type."""

from __future__ import annotations

import random

import phonenumbers
from phonenumbers import PhoneNumberType as T

from asistente.portfolio.validation import valid_e164, valid_e164_by_parsing

TYPES = (
    T.MOBILE,
    T.FIXED_LINE,
    T.TOLL_FREE,
    T.VOIP,
    T.PERSONAL_NUMBER,
    T.PAGER,
    T.UAN,
    T.PREMIUM_RATE,
    T.SHARED_COST,
)


def test_fast_e164_agrees_with_parsing():
    rnd = random.Random(20261122)
    checked = 0
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in TYPES:
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
            variants = [e164, e164[:-1], e164 + "5", e164[:4] + "0" + e164[4:], e164[:3] + e164[4:]]
            for _ in range(3):
                i = rnd.randint(2, len(e164) - 1)
                variants.append(e164[:i] + str(rnd.randint(0, 9)) + e164[i + 1 :])
            for v in variants:
                if not 8 <= len(v) <= 16:  # E.164: at most 15 digits (the record schema allows 7 to 15)
                    continue
                checked += 1
                assert valid_e164(v) == valid_e164_by_parsing(v), v
    assert checked > 5000


def test_malformed_strings():
    for bad in (
        "",
        "+",
        "52",
        "+52 998 123 4567",
        "+52-998",
        "++529981234567",
        "+0123456789",
        "+1234567890123456",
        "+52abc",
        "+٥٢٩٩٨١٢٣٤٥٦٧",
    ):
        assert valid_e164(bad) is False, bad
    assert valid_e164("+529981234567") is True
