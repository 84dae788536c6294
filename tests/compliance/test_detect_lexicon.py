"""Lexicon files: schema validation, pattern language and the errors a broken file gives at load."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from asistente.compliance.detect import (
    LEXICON_DIR,
    LexiconError,
    Matcher,
    compile_pattern,
    load_lexicon,
)


def _minimal(**entry: Any) -> dict[str, Any]:
    base = {"id": "es.test.one", "signal": "ARREST_THREAT", "patterns": ["carcel"], "examples": ["cárcel"]}
    base.update(entry)
    return {"language": "es", "version": "t1", "scope": {"negationCues": ["no"]}, "entries": [base]}


def _write(tmp_path: Path, data: Any, name: str = "xx.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_shipped_lexicons_load_and_name_their_version() -> None:
    for name in ("es.json", "en.json"):
        lx = load_lexicon(LEXICON_DIR / name)
        assert lx.language == name[:2]
        assert lx.version
        assert all(e.id.startswith(lx.language + ".") for e in lx.entries)


def test_lexicon_error_is_a_value_error_naming_file_path_and_reason(tmp_path: Path) -> None:
    path = _write(tmp_path, "{not json", "broken.json")
    with pytest.raises(LexiconError) as info:
        load_lexicon(path)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.file == "broken.json" and err.path == "$"
    assert "not valid JSON" in err.reason
    assert str(err).startswith("broken.json: at $: ")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="file not found"):
        load_lexicon(tmp_path / "nope.json")


def test_schema_violation_points_at_the_field(tmp_path: Path) -> None:
    data = _minimal()
    data["entries"][0]["signal"] = "NOT_A_SIGNAL"
    with pytest.raises(LexiconError) as info:
        load_lexicon(_write(tmp_path, data))
    assert info.value.path == "$.entries[0].signal"
    assert "NOT_A_SIGNAL" in info.value.reason


def test_missing_required_field(tmp_path: Path) -> None:
    data = _minimal()
    del data["entries"][0]["examples"]
    with pytest.raises(LexiconError) as info:
        load_lexicon(_write(tmp_path, data))
    assert info.value.path == "$.entries[0]"
    assert "examples" in info.value.reason


def test_unknown_field_and_missing_version(tmp_path: Path) -> None:
    data = _minimal(colour="red")
    with pytest.raises(LexiconError, match="colour"):
        load_lexicon(_write(tmp_path, data))
    data = _minimal()
    del data["version"]
    with pytest.raises(LexiconError, match="version"):
        load_lexicon(_write(tmp_path, data))


def test_signal_and_element_together_is_refused(tmp_path: Path) -> None:
    data = _minimal(element="DEBT_MENTION")
    with pytest.raises(LexiconError) as info:
        load_lexicon(_write(tmp_path, data))
    assert info.value.path.startswith("$.entries[0]")


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(carcel|prision", "missing ')'"),
        ("carcel )", "unexpected ')'"),
        ("~20 carcel", "gap '~20'"),
        ("ca*", "too short"),
        ("car*cel", "'*' only at the end"),
        ("<NOPE> carcel", "unknown macro <NOPE>"),
        ("[carcel]", "can match nothing"),
        ("!carcel", "can match nothing"),
        ("🙂", "bad word"),
    ],
)
def test_bad_pattern_names_the_pattern_path(tmp_path: Path, pattern: str, reason: str) -> None:
    data = _minimal(patterns=["carcel", pattern])
    with pytest.raises(LexiconError) as info:
        load_lexicon(_write(tmp_path, data))
    assert info.value.path == "$.entries[0].patterns[1]"
    assert reason in info.value.reason


def test_recursive_macro_is_refused(tmp_path: Path) -> None:
    data = _minimal(patterns=["<A>"])
    data["macros"] = {"A": "x <B>", "B": "y <A>"}
    with pytest.raises(LexiconError) as info:
        load_lexicon(_write(tmp_path, data))
    assert info.value.path == "$.macros.A"
    assert "refers to itself" in info.value.reason


def test_bad_scope_cue_is_reported_with_its_path(tmp_path: Path) -> None:
    data = _minimal()
    data["scope"]["hedgeCues"] = ["si (un"]
    with pytest.raises(LexiconError) as info:
        load_lexicon(_write(tmp_path, data))
    assert info.value.path == "$.scope.hedgeCues[0]"


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    data = _minimal()
    data["entries"].append(dict(data["entries"][0]))
    with pytest.raises(LexiconError) as info:
        load_lexicon(_write(tmp_path, data))
    assert info.value.path == "$.entries[1].id"
    assert "duplicate" in info.value.reason


def test_a_custom_lexicon_drives_the_matcher(tmp_path: Path) -> None:
    data = _minimal(patterns=["(calabozo|mazmorra) [oscura]", "te ~2 encierro"])
    lx = load_lexicon(_write(tmp_path, data))
    m = Matcher([lx])
    assert m.version == "es:t1"
    text = "Irás a la MAZMORRA oscura. Te juro que te encierro."
    hits = m.hits(text, None, "signal")
    assert [(e.id, text[s:t]) for e, s, t in hits] == [
        ("es.test.one", "MAZMORRA oscura"),
        ("es.test.one", "te encierro"),
    ]
    assert m.hits("No irás a la mazmorra.", None, "signal") == []


# ------------------------------------------------------------------------------------------ pattern language


def _matches(pattern: str, text: str, macros: dict[str, str] | None = None) -> bool:
    from asistente.compliance.text import Tokens

    cp = compile_pattern(pattern, macros)
    s = " " + " ".join(Tokens(text).folded) + " "
    return cp.regex.search(s) is not None


def test_pattern_language_words_prefixes_groups_and_optionals() -> None:
    assert _matches("embarg*", "EMBARGAREMOS")
    assert not _matches("embargo", "embargos")  # whole words only
    assert _matches("(ira|iras) a [la] carcel", "irás a cárcel")
    assert _matches("(ira|iras) a [la] carcel", "ira a la carsel")
    assert not _matches("a la carcel", "a la carcelera")


def test_pattern_language_gaps_and_negative_lookahead() -> None:
    assert _matches("vamos ~2 demandar", "vamos a lo demandar")
    assert not _matches("vamos ~1 demandar", "vamos a lo demandar")
    assert _matches("orden !(de compra) ~3 aprehension", "orden de aprehension")
    assert not _matches("juzgado !civil", "juzgado civil")


def test_pattern_language_classes_and_macros() -> None:
    assert _matches("$ <NUM>", "$1,234.50")
    assert not _matches("$ <NUM>", "$ mil")
    assert _matches("<CUR> <NUM>", "MXN 500", {"CUR": "(mxn|usd)"})
    assert _matches("de parte de <CAP>", "de parte de banco")  # case is checked by the matcher, not the regex


def test_prefix_ending_in_a_context_dependent_letter_matches_both_spellings() -> None:
    # "imprison*": the final n folds to m before b/p; "garnis*" covers garnish/garnishment
    assert _matches("imprison*", "imprisonment")
    assert _matches("con*", "combinar")
    assert _matches("garnis*", "garnishment")
