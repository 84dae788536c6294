"""The word lists and the entry exceptions of the scope rules are lexicon data (`vocabulary`,
`entryFlags`): loaded, validated, merged across languages, and they change what is detected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asistente.compliance import detect
from asistente.compliance.lexicon_loader import VOCABULARY_LISTS, LexiconError, Vocabulary, load_lexicon
from asistente.compliance.text import Tokens

ES = detect.LEXICON_DIR / "es.json"
EN = detect.LEXICON_DIR / "en.json"


def _copy(tmp_path: Path, name: str, edit) -> Path:
    data = json.loads((detect.LEXICON_DIR / name).read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_every_list_is_in_the_schema_and_merged_from_both_languages():
    es, en = load_lexicon(ES), load_lexicon(EN)
    assert set(es.vocabulary) | set(en.vocabulary) == set(VOCABULARY_LISTS)
    v = Vocabulary([es, en])
    assert {"policia", "sheriff"} <= set(v.police_words)
    assert isinstance(v.other_speakers, frozenset) and {"deudor", "debtor", "the debtor"} <= v.other_speakers
    only_en = Vocabulary([en])
    assert only_en.determiners == frozenset() and "sheriff" in only_en.police_words


def test_fold_true_lists_are_folded_like_text_and_others_are_kept_as_written():
    es = load_lexicon(ES)
    assert es.vocabulary["payStems"] == tuple(
        Tokens("pag pagu abon liquid cubr regularis cancel deposit consign").folded
    )
    assert "cansel" in es.vocabulary["payStems"]  # "cancel" folded (c before e -> s)
    assert "regula " in es.vocabulary["channelWords"]  # written as is, trailing space included


def test_entry_flags_select_by_signal_id_ending_and_exclusion():
    es = load_lexicon(ES)
    by_id = {e.id: e for e in es.entries}
    named = [e for e in es.entries if e.id.endswith(".named_holder")]
    assert named and all("nameUsedElsewhere" in e.flags for e in named)
    impersonation = [e for e in es.entries if e.name == "AUTHORITY_IMPERSONATION"]
    masthead = [e for e in impersonation if ".masthead" in e.id]
    assert masthead and all(
        "complaintChannel" not in e.flags and "impostorWarning" in e.flags for e in masthead
    )
    assert all("complaintChannel" in e.flags for e in impersonation if ".masthead" not in e.id)
    assert all(not e.flags for e in by_id.values() if e.name == "INSULT")


def test_an_unknown_flag_or_list_fails_at_load_with_file_and_path(tmp_path):
    bad_flag = _copy(tmp_path, "es.json", lambda d: d["entryFlags"][0]["flags"].append("beneficiary"))
    with pytest.raises(LexiconError) as err:
        load_lexicon(bad_flag)
    assert err.value.file == "es.json" and err.value.path.startswith("$.entryFlags[0].flags")
    bad_list = _copy(
        tmp_path, "en.json", lambda d: d["vocabulary"].update({"policeWord": {"words": ["cop"]}})
    )
    with pytest.raises(LexiconError) as err:
        load_lexicon(bad_list)
    assert err.value.file == "en.json" and err.value.path.startswith("$.vocabulary")


@pytest.mark.parametrize(
    ("text", "signal", "strip"),
    [
        # creditRegisterNotPublic: published in the credit report, not to the public
        ("Si no paga, sus datos serán publicados en DICOM.", "PUBLIC_SHAMING", "flags"),
        # the credit registers are a word list: without it, the same sentence is public shaming
        ("Si no paga, sus datos serán publicados en DICOM.", "PUBLIC_SHAMING", "creditRegisters"),
    ],
)
def test_the_data_decides(tmp_path, text, signal, strip):
    shipped = detect.Matcher([load_lexicon(ES), load_lexicon(EN)])
    assert signal not in {e.name for e, _s, _t in shipped.hits(text, "es", "signal")}

    def edit(d):
        if strip == "flags":
            d.pop("entryFlags")
        else:
            d["vocabulary"].pop(strip)

    edited = detect.Matcher([load_lexicon(_copy(tmp_path, "es.json", edit)), load_lexicon(EN)])
    assert signal in {e.name for e, _s, _t in edited.hits(text, "es", "signal")}
