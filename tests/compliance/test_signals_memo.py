"""The per-process memo of what the lexicon and the text model find in a text (compliance.content):
a report served with the memo is the report computed without it, for every input the memo is keyed by, and
a new lexicon or model object is never answered from an entry made with the old one."""

from __future__ import annotations

import itertools

import pytest

from asistente.compliance import content
from asistente.compliance import textmodel as tm
from asistente.compliance.content import check_text
from asistente.compliance.detect import Detection
from asistente.compliance.packs import load_packs

REG = load_packs()
TEXTS = [
    "Si no paga hoy vamos a ir a su trabajo a hablar con su jefe y le vamos a embargar todo.",
    "Le recuerdo que no existe prisión por deudas en México.",
    "Buenas tardes, le habla Laura del área de cobranza; podemos revisar un plan de pagos de $500.00.",
    "This is an attempt to collect a debt and any information obtained will be used for that purpose.",
    "Dígale a su hijo que tiene una deuda pendiente con el banco.",
    "Somos del juzgado y esto es un emplazamiento. Responda BAJA para no recibir más mensajes.",
]


def _report(text: str, **kw):
    return check_text(text, packs=REG, **kw)


@pytest.mark.parametrize(
    ("jurisdiction", "channel", "role", "first", "barred", "language"),
    [
        ("MX", "CALL", "DEBTOR", False, False, "es"),
        ("MX", "SMS", "DEBTOR", True, False, None),
        ("US-NY", "SMS", "DEBTOR", True, True, "en"),
        ("CL", "CALL", "FAMILY", False, False, "es"),
        ("ES", "EMAIL", "DEBTOR", False, True, None),
    ],
)
def test_memoised_reports_equal_fresh_ones(jurisdiction, channel, role, first, barred, language):
    kw = dict(
        channel=channel,
        jurisdiction=jurisdiction,
        recipient_role=role,
        is_first_contact=first,
        time_barred=barred,
        language=language,
    )
    for text in TEXTS:
        content._SIGNALS.clear()
        fresh = _report(text, **kw)
        assert content._SIGNALS, "the first reading is kept"
        for _ in range(2):
            assert _report(text, **kw) == fresh
        # another input of the key never reuses this entry
        other = _report(text, **{**kw, "is_first_contact": not first})
        content._SIGNALS.clear()
        assert other == _report(text, **{**kw, "is_first_contact": not first})


def test_the_returned_containers_are_fresh():
    content._SIGNALS.clear()
    d1, e1 = content._default_signals(TEXTS[0], "es", "MX", "CALL", "DEBTOR", False, False, True)
    d1.append("x")
    e1.setdefault("X", []).append((0, 1))
    d2, e2 = content._default_signals(TEXTS[0], "es", "MX", "CALL", "DEBTOR", False, False, True)
    assert "x" not in d2 and "X" not in e2


def test_a_new_model_is_not_answered_from_the_old_one_s_entry(monkeypatch):
    text = TEXTS[1]  # the lexicon reads a negation; the real model finds nothing either
    kw = dict(channel="CALL", jurisdiction="MX", language="es")
    content._SIGNALS.clear()
    real = _report(text, **kw)
    assert real.compliant

    class Threatening:
        def detections(self, text, **kwargs):
            return [Detection(tm.CODE_SIGNAL["THREAT_OF_ARREST"], 0, 8, "fake:model", text[0:8])]

    monkeypatch.setattr(tm, "default_model", lambda: Threatening())
    other = _report(text, **kw)  # the real model's entry is not used for another model
    assert not other.compliant
    monkeypatch.undo()
    assert _report(text, **kw) == real  # nor the other model's for the real one


def test_the_memo_is_bounded_and_skips_long_texts():
    content._SIGNALS.clear()
    for n, text in zip(range(content._SIGNALS_SIZE + 50), itertools.cycle(TEXTS), strict=False):
        content._default_signals(f"{text} {n}", "es", "MX", "SMS", "DEBTOR", False, False, False)
    assert len(content._SIGNALS) == content._SIGNALS_SIZE
    content._SIGNALS.clear()
    long = " ".join(TEXTS) * 10
    assert len(long) > content._SIGNALS_MAX_TEXT
    _report(long[: content.MAX_TEXT_CHARS], channel="LETTER", jurisdiction="MX")
    assert not content._SIGNALS
