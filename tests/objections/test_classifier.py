"""The objection classifier on turns it was never trained on (each checked to be absent from the corpus):
missing accents, fillers, slang, voseo, two intents, small talk, out-of-scope text, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asistente.enums import ObjectionCategory as C
from asistente.errors import BadInput
from asistente.objections.classifier import (
    MAX_TEXT_CHARS,
    MODEL_FILE,
    default_classifier,
    load_classifier,
)
from asistente.objections.features import LENGTH, UNKNOWN_SHARE, features_of, vectorise
from asistente.objections.normalize import NORMALIZATION_FILE, ObjectionDataError, load_normalizer
from asistente.textfold import fold

CORPUS = Path(__file__).parent / "corpus"
_TRAINING = {
    " ".join(fold(json.loads(line)["text"]).split())
    for path in CORPUS.glob("*.jsonl")
    for line in path.read_text(encoding="utf-8").splitlines()
    if line.strip()
}


def classify(text: str, language: str | None = None):
    assert " ".join(fold(text).split()) not in _TRAINING, f"test turn is training data: {text!r}"
    return default_classifier().classify(text, language)


def alternatives(result) -> set[C]:
    return {c for c, _ in result.alternatives}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # no accents, no punctuation, no capitals (transcript style)
        ("ya le deposite el martes en el banco tengo mi ficha", C.ALREADY_PAID),
        ("eso no lo debo yo nunca pedi ese prestamo", C.DISPUTE),
        ("que pasa si no pago me van a embargar", C.CONSEQUENCES),
        ("mandeme la propuesta por correo electronico", C.SEND_IN_WRITING),
        # fillers
        ("este o sea eh pues mire es que ahorita no tengo dinero", C.NO_MONEY),
        ("eh mira pues este llamame en la tarde que ando ocupado", C.CALL_LATER),
        # regional words for money and work
        ("no tengo ni un peso de guita este mes", C.NO_MONEY),
        # job loss is a life event: HARDSHIP (labelling guide, tests/objections/blind/README.md)
        ("estoy sin chamba desde septiembre", C.HARDSHIP),
        ("hace dos meses que no consigo laburo", C.HARDSHIP),
        ("no me alcanza el pisto ni para la renta", C.NO_MONEY),
        # voseo
        ("¿me podés dar un plan en cuotas?", C.DISCOUNT_OR_PLAN),
        ("llamame vos mañana que ahora estoy con los chicos", C.CALL_LATER),
        ("mostrame de dónde sale esa deuda", C.REQUEST_VALIDATION),
        # English
        ("I already paid this off back in March", C.ALREADY_PAID),
        ("my attorney is handling this account", C.BANKRUPTCY_OR_LAWYER),
        ("you've got the wrong guy, I'm not Michael", C.WRONG_PARTY),
        # negation
        ("no es que me niegue a pagar, es que no me alcanza", C.NO_MONEY),
        ("no le voy a dar ni un centavo, no insista", C.REFUSAL),
    ],
)
def test_categories_of_unseen_turns(text, expected):
    result = classify(text)
    assert result.category == expected, (text, result)
    assert 0.0 < result.confidence <= 1.0
    assert result.version == default_classifier().version


@pytest.mark.parametrize(
    ("text", "dominant", "other"),
    [
        ("ya pagué todo, mándenme la constancia por correo", C.ALREADY_PAID, C.SEND_IN_WRITING),
        ("no tengo dinero ahorita pero el viernes le deposito", C.PROMISE_TO_PAY, C.NO_MONEY),
        ("that debt isn't mine, and stop calling me", C.DISPUTE, C.REFUSAL),
    ],
)
def test_two_intents_dominant_first_other_among_alternatives(text, dominant, other):
    result = classify(text)
    assert result.category == dominant, result
    assert other in alternatives(result), result
    probs = [p for _, p in result.alternatives]
    assert probs == sorted(probs, reverse=True)
    assert len(result.alternatives) <= 3 and all(p > 0.05 for _, p in result.alternatives)


@pytest.mark.parametrize(
    "text",
    [
        "buenas tardes, ¿con quién hablo?",
        "sí, aquí estoy, lo escucho",
        "espere que se me cae la llamada",
        "how's your day going",
    ],
)
def test_small_talk_is_none(text):
    assert classify(text).category == C.NONE


@pytest.mark.parametrize(
    "text", ["😀😀😀", "🙏", "123 456", "Eu não tenho dinheiro para pagar isso agora", "我没有钱"]
)
def test_out_of_scope_text_is_none_with_low_confidence(text):
    result = classify(text)
    assert result.category == C.NONE
    assert result.confidence < 0.1
    assert result.alternatives == ()


def test_language_given_or_detected():
    assert classify("I can't pay right now, money is tight").language == "en"
    assert classify("ahorita no puedo pagar, ando corto").language == "es"
    clf = default_classifier()
    assert clf.classify("ok", "en-US").language == "en"
    assert clf.classify("ok", "es_MX").language == "es"


@pytest.mark.parametrize(
    ("text", "language", "reason"),
    [
        ("", None, "must not be empty"),
        ("   \n ", None, "must not be empty"),
        ("a" * (MAX_TEXT_CHARS + 1), None, f"at most {MAX_TEXT_CHARS} characters"),
        ("ya pagué", "fr", "language: one of es, en"),
    ],
)
def test_bad_input(text, language, reason):
    with pytest.raises(BadInput, match=reason):
        default_classifier().classify(text, language)


def test_the_longest_allowed_text_is_classified():
    result = default_classifier().classify(("ya pagué " * 300)[:MAX_TEXT_CHARS])
    assert result.category == C.ALREADY_PAID


def test_inference_matches_the_trainer_on_its_samples():
    model = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert len(model["samples"]) >= 10
    clf = default_classifier()
    for sample in model["samples"]:
        result = clf.classify(sample["text"])
        assert result.category.value == sample["category"], sample
        assert result.confidence == pytest.approx(sample["confidence"], abs=1e-3), sample


def test_normaliser_folds_fillers_slang_and_voseo():
    norm = load_normalizer()
    assert norm.tokens("Este... pues, ¡NO tengo LANA!!") == ["no", "tengo", "dinero"]
    assert norm.tokens("mirá, no tenés laburo? siiii") == ["no", "tienes", "trabajo", "si"]
    assert norm.tokens("este número es mío") == ["numero", "es", "mio"]  # "este" at the start is a filler
    assert norm.tokens("ya pagué este mes") == ["ya", "pague", "este", "mes"]  # "este mes" is not
    assert norm.tokens("I can't pay, te pago el 15") == ["i", "can", "not", "pay", "te", "pago", "el", "0"]


def test_optional_word_classes_and_negation_scope():
    """The word-class data tried for 2026.12.7 (benchmarks/, not shipped): classes across languages and
    prefixes, negated words within the window (function words skipped), no change without the data."""
    tried = Path(__file__).parents[2] / "benchmarks" / "objection-normalization-wordclasses.json"
    norm = load_normalizer(tried)
    classes = norm.word_classes
    assert classes is not None
    assert classes.of("dinero") == classes.of("cash") == ("money",)
    assert "seizure" in classes.of("embargaron")  # prefix "embarg*"
    words = norm.tokens("no le voy a pagar nada, me corrieron de la chamba")
    feats = features_of(words, classes)
    assert {"n:voy", "n:pagar", "k:joblost", "k:job"} <= set(feats)
    assert "n:le" not in feats and "n:corrieron" not in feats  # skipped, and past the window
    assert "n:#paywill" in features_of(norm.tokens("I will not pay"), classes)
    shipped = load_normalizer()
    assert shipped.word_classes is None  # not in the shipped data: the features are the plain n-grams
    plain = shipped.tokens("no le voy a pagar")
    assert features_of(plain, shipped.word_classes) == features_of(plain)
    assert not any(f[0] in "kn" for f in features_of(plain))
    vec = vectorise(["w:no", "k:money", "n:dinero"], {"w:no": 1.0, "k:money": 1.0, "n:dinero": 1.0})
    assert vec["w:no"] == pytest.approx(1.0)  # its own block
    assert vec["k:money"] == pytest.approx(vec["n:dinero"]) == pytest.approx(2**-0.5)


def test_shape_features_say_how_much_of_the_turn_the_model_cannot_read():
    idf = {"w:no": 2.0, "w:tengo": 1.5, "b:no tengo": 3.0}
    words = features_of(["no", "tengo", "plata", "hoy"])
    assert not any(f.startswith("x:") for f in vectorise(words, idf))  # a model without them
    vec = vectorise(words, {**idf, UNKNOWN_SHARE: 1.0, LENGTH: 1.0})
    assert vec[UNKNOWN_SHARE] == 0.5  # "plata" and "hoy" are not in the vocabulary
    longer = vectorise(features_of(["no", "tengo"] * 30), {**idf, UNKNOWN_SHARE: 1.0, LENGTH: 1.0})
    assert 0.0 < vec[LENGTH] < longer[LENGTH] == 1.0
    assert longer[UNKNOWN_SHARE] == 0.0
    model = default_classifier()
    assert UNKNOWN_SHARE in model.idf and LENGTH in model.idf


def test_a_broken_model_file_fails_naming_file_path_and_reason(tmp_path):
    model = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    model["temperature"] = -1
    bad = tmp_path / "classifier-model.json"
    bad.write_text(json.dumps(model), encoding="utf-8")
    with pytest.raises(ObjectionDataError) as err:
        load_classifier(bad)
    assert err.value.file == "classifier-model.json" and err.value.path == "$.temperature"

    model["temperature"] = 1.0
    model["categories"] = model["categories"][:-1]
    bad.write_text(json.dumps(model), encoding="utf-8")
    with pytest.raises(ObjectionDataError, match=r"\$\.categories"):
        load_classifier(bad)

    model["categories"] = json.loads(MODEL_FILE.read_text(encoding="utf-8"))["categories"]
    model["vocabulary"] = [*model["vocabulary"][:-1], "x:shouting"]
    bad.write_text(json.dumps(model), encoding="utf-8")
    with pytest.raises(ObjectionDataError, match="shape features"):
        load_classifier(bad)

    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ObjectionDataError, match="not valid JSON"):
        load_classifier(bad)


def test_a_normalisation_file_out_of_step_with_the_model_is_refused(tmp_path):
    norm = json.loads(NORMALIZATION_FILE.read_text(encoding="utf-8"))
    norm["version"] = "1999.1.1"
    other = tmp_path / "normalization.json"
    other.write_text(json.dumps(norm), encoding="utf-8")
    with pytest.raises(ObjectionDataError, match="retrain"):
        load_classifier(MODEL_FILE, other)

    norm["version"] = json.loads(NORMALIZATION_FILE.read_text(encoding="utf-8"))["version"]
    norm["replacements"]["Lana"] = "dinero"  # keys are folded words
    other.write_text(json.dumps(norm), encoding="utf-8")
    with pytest.raises(ObjectionDataError) as err:
        load_classifier(MODEL_FILE, other)
    assert err.value.file == "normalization.json" and err.value.path.startswith("$.replacements")
