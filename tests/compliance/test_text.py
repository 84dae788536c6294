"""Normalisation: accents, case, punctuation, typo folding and offsets back into the original text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from asistente.compliance.text import Tokens, fold, normalize, plain, tokenize


def test_plain_strips_accents_case_and_apostrophes() -> None:
    assert plain("CÁRCEL") == "carcel"
    assert plain("Ñandú") == "nandu"
    assert plain("WON'T") == "wont"
    assert plain("aprehensión") == "aprehension"


def test_fold_absorbs_common_misspellings() -> None:
    assert fold("carcel") == fold("carsel")
    assert fold("aprehension") == fold("aprension")
    assert fold("embargo") == fold("enbargo")
    assert fold("arrestado") == fold("arestado")
    assert fold("vamos") == fold("bamos")
    assert fold("llamar") == fold("yamar")
    assert fold("arrested") == fold("arested")
    assert fold("chocolate") != fold("cocolate")  # ch is kept
    assert fold("1,234.50") == "1,234.50"  # numbers untouched


def test_tokenize_spans_index_the_original_text() -> None:
    text = "¡Hola! Usted irá a la CÁRCEL 🚔, won't you? $1,234.50 y S/ 350"
    toks = tokenize(text)
    for t in toks:
        assert text[t.start : t.end] == t.raw
    assert [t.plain for t in toks] == [
        "hola",
        "usted",
        "ira",
        "a",
        "la",
        "carcel",
        "wont",
        "you",
        "$",
        "1,234.50",
        "y",
        "s/",
        "350",
    ]
    assert toks[6].gap_before == " 🚔, "


def test_tokenize_keeps_combining_accents_inside_words() -> None:
    text = "la ca\u0301rcel"  # decomposed á
    toks = tokenize(text)
    assert [t.plain for t in toks] == ["la", "carcel"]
    assert text[toks[1].start : toks[1].end] == "ca\u0301rcel"


def test_tokens_trailing_gap_and_number_separators() -> None:
    tk = Tokens("Debe 1.234,50 €. ¿Sí?")
    assert tk.raws == ["Debe", "1.234,50", "€", "Sí"]
    assert tk.gaps[-1] == "?"
    assert len(tk.gaps) == len(tk) + 1


def test_normalize_collapses_punctuation_and_maps_offsets() -> None:
    text = "¡¡ATENCIÓN!!  Irá a la cárcel 😀 ya."
    n = normalize(text)
    assert n.text == "atencion ira a la carcel ya"
    i = n.text.index("carcel")
    s, e = n.span(i, i + len("carcel"))
    assert text[s:e] == "cárcel"
    assert len(n.offsets) == len(n.text) + 1


def test_normalize_decomposed_accents_map_back() -> None:
    text = "pri\u0301sion 🙂 ya"
    n = normalize(text)
    assert n.text == "prision ya"
    s, e = n.span(0, 7)
    assert text[s:e] == "pri\u0301sion"


def test_normalize_empty_and_symbol_only() -> None:
    assert normalize("").text == ""
    assert normalize("🙂 ... !!!").text == ""
    assert tokenize("") == []


@given(st.text(max_size=200))
def test_normalize_offsets_always_point_at_source_characters(text: str) -> None:
    n = normalize(text)
    assert len(n.offsets) == len(n.text) + 1
    for i, ch in enumerate(n.text):
        src = text[n.offsets[i]]
        if ch != " ":
            assert ch in plain(src) or plain(src) == "" or ch.isdigit() or not src.isascii()
    assert all(0 <= o <= len(text) for o in n.offsets)


@given(st.text(max_size=200))
def test_token_spans_are_ordered_and_exact(text: str) -> None:
    prev = 0
    for t in tokenize(text):
        assert prev <= t.start < t.end <= len(text)
        assert text[t.start : t.end] == t.raw
        prev = t.end
