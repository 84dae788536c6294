"""SMS segments (GSM-7 with its extension table, UCS-2) and letters as PDF."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from asistente.drafting.pdf import latin1, letter_pdf
from asistente.drafting.sms import sms_length


def test_gsm7_single_and_concatenated():
    assert sms_length("a" * 160) == sms_length("a" * 160)
    assert (sms_length("a" * 160).encoding, sms_length("a" * 160).segments) == ("GSM-7", 1)
    assert sms_length("a" * 161).segments == 2
    assert sms_length("a" * 306).segments == 2 and sms_length("a" * 307).segments == 3
    assert sms_length("ñÑüé¿¡").encoding == "GSM-7"  # in the default alphabet


def test_extension_characters_cost_two_septets_and_are_not_split():
    s = sms_length("€" * 80)
    assert (s.encoding, s.units, s.segments) == ("GSM-7", 160, 1)
    assert sms_length("€" * 81).segments == 2
    # 152 plain septets then an escape pair: the pair does not fit in the first 153, so it starts segment 2
    assert sms_length("a" * 152 + "€" + "a" * 10).segments == 2
    assert sms_length("a" * 152 + "€" + "a" * 152).segments == 3


def test_ucs2_for_accented_vowels_and_emoji():
    s = sms_length("á" * 70)
    assert (s.encoding, s.segments) == ("UCS-2", 1)
    assert sms_length("á" * 71).segments == 2
    assert sms_length("á" * 134).segments == 2 and sms_length("á" * 135).segments == 3
    e = sms_length("😀" * 35)
    assert (e.units, e.segments) == (70, 1)
    assert sms_length("a" * 66 + "😀").segments == 1
    assert sms_length("a" * 66 + "😀" + "a" * 4).segments == 2  # 72 units; the pair is not split


def test_letter_pdf_is_a_pdf_with_the_text():
    text = "Estimada Ana:\n\nLe recordamos que su saldo es de 2.400,75 € al 20 de noviembre de 2026.\n" * 40
    pdf = letter_pdf(
        text, title="Recordatorio", author="Recobros Delta S.L.", created=datetime(2026, 11, 20, tzinfo=UTC)
    )
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    pages = re.search(rb"/Count (\d+)", pdf)
    assert pages and int(pages.group(1)) >= 2  # 40 paragraphs do not fit on one A4 page
    assert latin1("2.400,75 € “ok”") == '2.400,75 EUR "ok"'
