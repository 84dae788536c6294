"""The text model: the shipped file is valid and read exactly as it was trained; a broken file names itself;
its signals go through the jurisdiction's rules like the lexicon's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asistente.compliance import check_text, load_packs
from asistente.compliance import textmodel as tm
from asistente.compliance.textmodel import MODEL_FILE, TextModelError, features_of, load_model

PACKS = load_packs(None)


def test_the_shipped_model_reproduces_the_training_library():
    model = load_model()
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert 0 < model.threshold < 1 and model.version == data["version"]
    assert set(model.codes) <= set(tm.CODE_SIGNAL) and len(data["samples"]) >= 10
    for sample in data["samples"]:
        got = model.probabilities(
            model.features(
                sample["text"],
                jurisdiction=sample["jurisdiction"],
                channel=sample["channel"],
                recipient_role=sample["recipientRole"],
                is_first_contact=sample["isFirstContact"],
                time_barred=sample["timeBarred"],
            )
        )
        for code, expected in sample["probabilities"].items():
            assert got[code] == pytest.approx(expected, abs=1e-5), (code, sample["text"][:60])


def test_folding_and_features():
    assert tm.fold("ÁRBOL Ñandú pingüino") == "arbol nandu pinguino"
    feats = features_of(
        "¡Págale YA!",
        jurisdiction="CO",
        channel="SMS",
        recipient_role="DEBTOR",
        is_first_contact=False,
        time_barred=True,
    )
    assert feats == ["__j_CO", "__c_SMS", "__r_DEBTOR", "__fc_0", "__tb_1", "pagale", "ya", "pagale ya"]


def _write(tmp_path: Path, doc: dict) -> Path:
    path = tmp_path / "model.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _tiny(**codes: dict) -> dict:
    features = ["__j_MX", "__j_CO", "zorblax", "quux"]
    return {
        "version": "2026.11.99",
        "trainedAt": "2026-11-22T00:00:00Z",
        "trainedOn": {"test": 2},
        "threshold": 0.5,
        "crossValidation": {"method": "none", "modelAloneRecall": 0.5, "modelFalsePositives": 0.0},
        "features": features,
        "idf": [1.0, 1.0, 2.0, 2.0],
        "codes": codes
        or {
            "THREAT_OF_ARREST": {"intercept": -3.0, "coef": {"zorblax": 8.0}},
            "ASKING_REASON": {"intercept": -3.0, "coef": {"quux": 8.0}},
        },
        "samples": [],
    }


@pytest.mark.parametrize(
    "change,where",
    [
        (lambda d: d.update(threshold=2), "$.threshold"),
        (lambda d: d.pop("idf"), "$"),
        (lambda d: d["idf"].pop(), "$.idf"),
        (
            lambda d: d["codes"]["THREAT_OF_ARREST"]["coef"].update(nowhere=1.0),
            "$.codes.THREAT_OF_ARREST.coef",
        ),
        (
            lambda d: d["codes"].update(MISSING_OPT_OUT={"intercept": 0, "coef": {}}),
            "$.codes.MISSING_OPT_OUT",
        ),
        (lambda d: d.update(featureSet="chars"), "$.featureSet"),
        (lambda d: d.update(shortThreshold=1.5), "$.shortThreshold"),
        (lambda d: d.update(companionThreshold=0), "$.companionThreshold"),
        (lambda d: d.update(setWeights={"blind": -1}), "$.setWeights.blind"),
    ],
)
def test_a_broken_model_file_names_file_path_and_reason(tmp_path, change, where):
    doc = _tiny()
    change(doc)
    with pytest.raises(TextModelError) as err:
        load_model(_write(tmp_path, doc))
    assert err.value.file == "model.json" and err.value.path == where, str(err.value)


def test_unreadable_model_files(tmp_path):
    with pytest.raises(TextModelError, match="file not found"):
        load_model(tmp_path / "absent.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(TextModelError, match="not valid JSON"):
        load_model(bad)


def test_model_signals_go_through_the_packs(tmp_path, monkeypatch):
    model = load_model(_write(tmp_path, _tiny()))
    monkeypatch.setattr(tm, "default_model", lambda: model)
    text = (
        "Buenos días, le llamamos de Cobranzas del Norte por su cuenta. Si no paga hoy, zorblax. "
        "Que tenga muy buen día y gracias por su tiempo."
    )

    report = check_text(text, channel="CALL", jurisdiction="MX", packs=PACKS)
    arrest = [v for v in report.violations if v.code.value == "THREAT_OF_ARREST"]
    assert len(arrest) == 1
    span = arrest[0].span
    assert text[span.start : span.end] == "Si no paga hoy, zorblax."  # the sentence that weighs most
    assert not check_text(text, channel="CALL", jurisdiction="MX", packs=PACKS, use_model=False).violations

    # A signal only means a violation where the jurisdiction's pack says so: asking the reason is Colombian.
    reason = "Hola, habla Ana de Cobranzas del Norte sobre su tarjeta de crédito. quux. Gracias por atender la llamada."
    assert "ASKING_REASON" in {
        v.code.value for v in check_text(reason, channel="CALL", jurisdiction="CO", packs=PACKS).violations
    }
    assert "ASKING_REASON" not in {
        v.code.value for v in check_text(reason, channel="CALL", jurisdiction="MX", packs=PACKS).violations
    }


def test_short_snippets_are_left_to_the_lexicon(tmp_path, monkeypatch):
    model = load_model(_write(tmp_path, _tiny()))
    monkeypatch.setattr(tm, "default_model", lambda: model)
    short = "Si no paga hoy, zorblax."  # under MIN_WORDS: one line of a transcript, one suggestion
    assert not check_text(short, channel="CALL", jurisdiction="MX", packs=PACKS).violations
    assert model.detections(
        short * 4,
        skip=set(),
        jurisdiction="MX",
        channel="CALL",
        recipient_role="DEBTOR",
        is_first_contact=False,
        time_barred=False,
    )


def test_the_model_does_not_repeat_what_the_lexicon_found(tmp_path, monkeypatch):
    model = load_model(_write(tmp_path, _tiny()))
    monkeypatch.setattr(tm, "default_model", lambda: model)
    text = "Si no paga hoy lo vamos a meter a la cárcel, zorblax, y no habrá más plazos para usted ni para su familia."
    report = check_text(text, channel="CALL", jurisdiction="MX", packs=PACKS)
    arrest = [v for v in report.violations if v.code.value == "THREAT_OF_ARREST"]
    assert len(arrest) == 1  # the lexicon's, with its own span; the model's is skipped
    assert "cárcel" in text[arrest[0].span.start : arrest[0].span.end]


def test_stem_features_count_as_neither_words_nor_bigrams():
    meta = dict(
        jurisdiction="ES", channel="CALL", recipient_role="DEBTOR", is_first_contact=False, time_barred=False
    )
    words = features_of("Le amenazamos con cortarle la mano", **meta)
    stems = features_of("Le amenazamos con cortarle la mano", feature_set="words+stems", **meta)
    assert stems[: len(words)] == words and stems[len(words) :] == ["~amena", "~corta"]
    assert tm.word_count(words) == tm.word_count(stems) == 6


def test_a_short_threshold_reads_short_lines_but_never_the_time_barred_threat(tmp_path, monkeypatch):
    doc = _tiny(
        THREAT_OF_ARREST={"intercept": -3.0, "coef": {"zorblax": 8.0}},
        TIME_BARRED_THREAT={"intercept": -3.0, "coef": {"zorblax": 8.0}},
    )
    model = load_model(_write(tmp_path, {**doc, "shortThreshold": 0.9}))
    monkeypatch.setattr(tm, "default_model", lambda: model)
    meta = dict(jurisdiction="MX", channel="CALL", recipient_role="DEBTOR", is_first_contact=False)
    short = "Si no paga hoy, zorblax."  # 5 words: read at the short threshold
    found = model.detections(short, skip=set(), time_barred=True, **meta)
    assert [d.signal for d in found] == [
        "ARREST_THREAT"
    ]  # not LAWSUIT_THREAT: the time-barred code is skipped
    assert {
        v.code.value for v in check_text(short, channel="CALL", jurisdiction="MX", packs=PACKS).violations
    } == {"THREAT_OF_ARREST"}
    assert model.scores(short, time_barred=False, **meta)[1] is True
    assert model.scores("zorblax ya", time_barred=False, **meta)[1] is False  # under SHORT_MIN_WORDS
    # The short threshold is stricter: a weaker short line stays with the lexicon.
    weak = load_model(_write(tmp_path, {**doc, "shortThreshold": 0.999}))
    assert not weak.detections(short, skip=set(), time_barred=False, **meta)
    assert weak.detections(short * 4, skip=set(), time_barred=False, **meta)


def test_negated_words_are_their_own_features():
    meta = dict(
        jurisdiction="MX", channel="CALL", recipient_role="DEBTOR", is_first_contact=False, time_barred=False
    )
    feats = features_of("No va a ir a la cárcel por esto", feature_set="words+neg", **meta)
    assert feats[5:13] == ["no", "!va", "!ir", "!la", "!carcel", "!por", "esto", "no va"]
    assert tm.word_count(feats) == 7


def test_character_grams_are_neither_words_nor_bigrams_and_shortchars_reads_only_short_lines():
    meta = dict(
        jurisdiction="MX", channel="CALL", recipient_role="DEBTOR", is_first_contact=False, time_barred=False
    )
    words = features_of("Te vamos a enbargar", feature_set="words+neg", **meta)
    chars = features_of("Te vamos a enbargar", feature_set="words+neg+chars", **meta)
    assert chars[: len(words)] == words
    grams = chars[len(words) :]
    # each word padded with a space on each side, cut in 4-letter grams: a misspelling keeps most of them
    assert grams[:4] == ["# te ", "# vam", "#vamo", "#amos"] and "#barg" in grams and "#gar " in grams
    assert tm.word_count(words) == tm.word_count(chars) == 3  # "a": one letter, not a word
    assert features_of("Te vamos a enbargar", feature_set="words+neg+shortchars", **meta) == chars
    long = (
        "Le recordamos que su pago vence el viernes y puede pagar en cualquier sucursal del banco sin costo"
    )
    assert tm.word_count(features_of(long, **meta)) >= tm.MIN_WORDS
    assert features_of(long, feature_set="words+neg+shortchars", **meta) == features_of(
        long, feature_set="words+neg", **meta
    )


def test_companion_codes_stand_only_beside_a_content_violation(tmp_path, monkeypatch):
    # HARASSMENT scores 0.45 on every text: under the threshold (0.5), over the companion threshold (0.3).
    doc = _tiny(
        THREAT_OF_ARREST={"intercept": -3.0, "coef": {"zorblax": 8.0}},
        HARASSMENT={"intercept": -0.2, "coef": {}},
    )
    model = load_model(_write(tmp_path, {**doc, "companionThreshold": 0.3}))
    monkeypatch.setattr(tm, "default_model", lambda: model)
    meta = dict(jurisdiction="MX", channel="CALL", recipient_role="DEBTOR", is_first_contact=False)
    polite = (
        "Buenos días, le llamamos de Cobranzas del Norte por su cuenta con Banco Azul; podemos ofrecerle un plan "
        "de pagos a su medida. Que tenga muy buen día."
    )
    found = model.detections(polite, skip=set(), time_barred=False, **meta)
    assert [(d.signal, d.pattern_id.endswith(tm.COMPANION)) for d in found] == [("INTIMIDATION", True)]
    # alone, a companion finding never flags a text
    assert not check_text(polite, channel="CALL", jurisdiction="MX", packs=PACKS).violations

    def codes(text: str, jurisdiction: str = "MX") -> set[str]:
        return {
            v.code.value
            for v in check_text(text, channel="CALL", jurisdiction=jurisdiction, packs=PACKS).violations
        }

    # beside a violation found at the model's threshold, or by the lexicon, it stands
    assert codes(polite + " Si no paga hoy, zorblax.") == {"THREAT_OF_ARREST", "HARASSMENT"}
    jail = polite + " Si no paga hoy lo vamos a meter a la cárcel."
    assert codes(jail) == {"THREAT_OF_ARREST", "HARASSMENT"}
    without = load_model(_write(tmp_path, doc))
    monkeypatch.setattr(tm, "default_model", lambda: without)
    assert codes(jail) == {"THREAT_OF_ARREST"}
