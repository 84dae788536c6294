"""The objection classifier: what kind of objection a debtor's turn is (ObjectionCategory).

A multinomial logistic regression over word and character n-grams of the normalised turn (and word classes
with negation scope when the normalisation data defines them), and two shape features (the share of its
words the model does not know, its length) (features.py, normalize.py), trained offline with scikit-learn by `asistente.objections.train` on the labelled corpus
(tests/objections/corpus/) and shipped as data: `data/classifier-model.json`, validated against
schema/objection-model.schema.json and versioned. Inference is pure Python (no network, no numpy); the
probabilities are temperature-scaled, the temperature fitted on cross-validated scores, so `confidence` is
a calibrated probability of `category`. A turn of two clauses or more ("ya pagué, mándemelo por escrito")
mixes in the mean of its clauses' probabilities, so a second intent shows among the alternatives.

A turn with no letters (emoji, digits), or whose words the model mostly does not know (another language,
gibberish), is out of scope: the model cannot read it and claims nothing, so it answers NONE at the uniform
probability (1/15) with no alternatives.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import chain, compress, pairwise
from operator import mul
from pathlib import Path

from asistente.enums import ObjectionCategory
from asistente.errors import BadInput
from asistente.objections.features import (
    LENGTH,
    LONG_TURN_WORDS,
    SHAPE_FEATURES,
    UNKNOWN_SHARE,
    char_grams,
    clause_texts,
    features_of,
    vectorise,
)
from asistente.objections.normalize import (
    NORMALIZATION_FILE,
    Normalizer,
    ObjectionDataError,
    has_letters,
    load_normalizer,
    read_validated,
)

MODEL_FILE = Path(__file__).parent / "data" / "classifier-model.json"
SCHEMA_NAME = "objection-model.schema.json"
MAX_TEXT_CHARS = 2000  # one turn of a call; longer texts are refused (BAD_INPUT naming the limit)
ALTERNATIVE_MIN = 0.05  # alternatives shown: next categories over this probability
ALTERNATIVES_MAX = 3
# A turn is out of scope when fewer than this share of its words (2+ letters) are words the model or the
# stop-word lists know.
MIN_KNOWN_SHARE = 0.5
LANGUAGES = ("es", "en")
MIN_CLAUSE_WORDS = 2  # shorter clauses ("sí", "mire") do not count as a statement of their own
# Two intents in one turn: the one that decides the agent's next move is the category (the labelling guide,
# tests/objections/blind/README.md): legal status and claimed facts first, then commitments and requests,
# then complaints and stalls, reasons (hardship, no money) last.
DOMINANCE = (
    "BANKRUPTCY_OR_LAWYER",
    "WRONG_PARTY",
    "ALREADY_PAID",
    "DISPUTE",
    "PROMISE_TO_PAY",
    "DISCOUNT_OR_PLAN",
    "REQUEST_VALIDATION",
    "SEND_IN_WRITING",
    "INTEREST_FEES",
    "CALL_LATER",
    "REFUSAL",
    "CONSEQUENCES",
    "HARDSHIP",
    "NO_MONEY",
    "NONE",
)
# ... applied when a multi-clause turn's runner-up has at least this probability.
DOMINANCE_MIN = 0.25


def decide(probs: list[float], categories: list[str], multi_clause: bool) -> int:
    """Index of the category to show: the most probable, unless the turn has several clauses and the
    runner-up (probability >= DOMINANCE_MIN) is the intent that outranks it in DOMINANCE."""
    order = sorted(range(len(probs)), key=lambda i: -probs[i])
    best, second = order[0], order[1]
    if multi_clause and probs[second] >= DOMINANCE_MIN:
        rank = DOMINANCE.index
        if rank(categories[second]) < rank(categories[best]):
            return second
    return best


# The character grams of a word, kept for the words seen most recently (a pure function of the word; a new
# turn is mostly words said before).
_word_grams = lru_cache(maxsize=8192)(lambda word: tuple(char_grams(word)))


@dataclass(frozen=True)
class Classification:
    """`category` is the most probable category, except in a turn of several clauses where the runner-up
    (probability >= DOMINANCE_MIN) outranks it in DOMINANCE: then `confidence` is below the first
    alternative's."""

    category: ObjectionCategory
    confidence: float  # calibrated probability of `category`
    alternatives: tuple[tuple[ObjectionCategory, float], ...]  # next categories, descending, at most 3
    language: str  # "es" or "en" (given or detected)
    version: str  # model version (for the ledger)


def check_text(text: str) -> str:
    """The text as given, or BadInput when it is empty or longer than MAX_TEXT_CHARS."""
    if not isinstance(text, str) or not text.strip():
        raise BadInput("text: must not be empty")
    if len(text) > MAX_TEXT_CHARS:
        raise BadInput(f"text: at most {MAX_TEXT_CHARS} characters (got {len(text)})")
    return text


def check_language(language: str | None) -> str | None:
    """ "es" / "en" from "es", "es-MX", "EN_us"...; None stays None; anything else is BadInput."""
    if language is None:
        return None
    code = language.strip().lower().replace("_", "-").split("-")[0]
    if code not in LANGUAGES:
        raise BadInput(f"language: one of {', '.join(LANGUAGES)} (optionally with a region, e.g. es-MX)")
    return code


class Classifier:
    """Reads the model and normalisation data once; `classify` is a pure function of the text."""

    def __init__(self, model: dict, normalizer: Normalizer, *, file: str = MODEL_FILE.name) -> None:
        if model["normalization"] != normalizer.version:
            raise ObjectionDataError(
                file,
                "$.normalization",
                f"model trained with normalisation {model['normalization']}, "
                f"data file is {normalizer.version}: retrain",
            )
        categories = model["categories"]
        if sorted(categories) != sorted(c.value for c in ObjectionCategory):
            raise ObjectionDataError(file, "$.categories", "must list every ObjectionCategory once")
        vocabulary, idf = model["vocabulary"], model["idf"]
        if len(vocabulary) != len(idf) or len(set(vocabulary)) != len(vocabulary):
            raise ObjectionDataError(file, "$.idf", "one idf per vocabulary entry, entries unique")
        odd = next((f for f in vocabulary if f[1:2] != ":" or f[0] not in "wbcxkn"), None)
        if odd is not None:
            raise ObjectionDataError(
                file, "$.vocabulary", f"{odd!r}: a feature is w:, b:, c:, k:, n: or x: and its text"
            )
        shape = next((f for f in vocabulary if f[0] == "x" and f not in SHAPE_FEATURES), None)
        if shape is not None:
            raise ObjectionDataError(file, "$.vocabulary", f"{shape!r}: shape features are {SHAPE_FEATURES}")
        index = {c: i for i, c in enumerate(categories)}
        k = len(categories)
        dense: dict[str, list[float]] = {}  # feature -> its weight for each category (0.0: none)
        known = frozenset(vocabulary)
        for category, coef in model["coef"].items():
            if category not in index:
                raise ObjectionDataError(file, f"$.coef.{category}", "not a category of the model")
            stray = next(iter(coef.keys() - known), None)
            if stray is not None:
                raise ObjectionDataError(file, f"$.coef.{category}", f"{stray!r} is not in the vocabulary")
            i = index[category]
            for f, w in coef.items():
                row = dense.get(f)
                if row is None:
                    row = dense[f] = [0.0] * k
                row[i] = w
        self.version: str = model["version"]
        self.normalizer = normalizer
        self.categories = tuple(ObjectionCategory(c) for c in categories)
        self._names = [c.value for c in self.categories]
        self.temperature = float(model["temperature"])
        self.clause_weight = float(model["clauseWeight"])
        self.intercepts = tuple(float(b) for b in model["intercepts"])
        self.idf = dict(zip(vocabulary, map(float, idf), strict=True))
        self._dense = dense
        self.known_words = frozenset(f[2:] for f in vocabulary if f.startswith("w:")) | frozenset().union(
            *normalizer.stopwords.values()
        )
        self._build_tables(k)

    @cached_property
    def weights(self) -> dict[str, tuple[tuple[int, float], ...]]:
        """feature -> its (category index, weight) pairs (the path with word classes)."""
        return {f: tuple((i, w) for i, w in enumerate(row) if w) for f, row in self._dense.items()}

    def _build_tables(self, k: int) -> None:
        """The model regrouped for inference (`_logits`): per block a table from the feature's text without
        its prefix to its idf, and one to its weight row (the idf times its weight for each of the k
        categories, dense; absent when the feature has no weight), so that a turn's score is a sum of rows
        computed in C. Same features, same values as `features_of` + `vectorise` (the trainer's path)."""
        idf, dense = self.idf, self._dense
        idfs: dict[str, dict[str, float]] = {"c": {}, "w": {}}
        rows: dict[str, dict[str, tuple[float, ...]]] = {"c": {}, "w": {}}
        for f, v in idf.items():
            if f[0] in "cwb":
                block = "c" if f[0] == "c" else "w"
                idfs[block][f[2:]] = v
                ws = dense.get(f)
                if ws:
                    rows[block][f[2:]] = tuple([v * w for w in ws])
        self._char_idf, self._char_rows = idfs["c"], rows["c"]
        self._word_idf, self._word_rows = idfs["w"], rows["w"]  # words and bigrams ("no tengo")
        self._vocabulary_words = frozenset(f[2:] for f in idf if f[0] == "w")

        zero = [0.0] * k
        self._unknown_row = tuple(dense.get(UNKNOWN_SHARE, zero)) if UNKNOWN_SHARE in idf else None
        self._length_row = tuple(dense.get(LENGTH, zero)) if LENGTH in idf else None

    def _softmax(self, z: list[float]) -> list[float]:
        t = self.temperature
        top = max(z)
        e = [math.exp((v - top) / t) for v in z]
        s = sum(e)
        return [v / s for v in e]

    def probabilities(self, words: list[str]) -> list[float]:
        """Calibrated probability of each category (in `self.categories` order) for normalised words."""
        if self.normalizer.word_classes is None:
            return self._softmax(self._logits(words))
        z = list(self.intercepts)
        weights = self.weights
        for f, v in vectorise(features_of(words, self.normalizer.word_classes), self.idf).items():
            for i, w in weights.get(f, ()):
                z[i] += w * v
        return self._softmax(z)

    @staticmethod
    def _block(counts: Counter, idf: dict[str, float], rows: dict[str, tuple[float, ...]]) -> list[float]:
        """One block's share of the scores: the sum over its known features of the sublinear TF-IDF times the
        weights, divided by the block's L2 norm (as `vectorise`, the division taken out of the sum)."""
        idfs = list(filter(None, map(idf.get, counts)))  # idf >= 1 (smoothed); an idf of 0 adds nothing
        found = list(filter(None, map(rows.get, counts)))
        norm2 = sum(map(mul, idfs, idfs))
        if len(counts) != counts.total():  # repeated features: tf 1 + log(n) instead of the 1 taken above
            log = math.log
            for f in compress(counts, map((1).__lt__, counts.values())):
                v = idf.get(f)
                if v is not None:
                    tf = 1.0 + log(counts[f])
                    norm2 += (tf * v) ** 2 - v * v
                    row = rows.get(f)
                    if row:
                        found.append([(tf - 1.0) * w for w in row])
        if not found:
            return []
        norm = math.sqrt(norm2) or 1.0
        return [s / norm for s in map(sum, zip(*found, strict=True))]

    def _logits(self, words: list[str]) -> list[float]:
        """The categories' scores for normalised words without word classes: intercepts, the word block
        (words and bigrams), the character block and the shape features."""
        z = list(self.intercepts)
        counts = Counter(words)
        counts.update(map(" ".join, pairwise(words)))  # bigrams, "no tengo"
        grams = Counter(chain.from_iterable(map(_word_grams, words)))
        for part in (
            self._block(counts, self._word_idf, self._word_rows),
            self._block(grams, self._char_idf, self._char_rows),
        ):
            if part:
                z = [a + b for a, b in zip(z, part, strict=True)]
        if self._unknown_row is not None and words:
            total = len(words)
            vocabulary = self._vocabulary_words
            share = sum(w not in vocabulary for w in words) / total
            length = min(1.0, math.log(1 + total) / math.log(1 + LONG_TURN_WORDS))
            z = [a + share * u for a, u in zip(z, self._unknown_row, strict=True)]
            if self._length_row is not None:
                z = [a + length * u for a, u in zip(z, self._length_row, strict=True)]
        return z

    def turn_probabilities(self, text: str, words: list[str]) -> tuple[list[float], bool]:
        """The whole turn's probabilities, mixed (weight `clauseWeight`) with the mean of its clauses' when
        it has two clauses or more (a turn saying two things keeps a share for each); and whether it has."""
        p = self.probabilities(words)
        tokens = self.normalizer.tokens
        clauses = [w for w in map(tokens, clause_texts(text)) if len(w) >= MIN_CLAUSE_WORDS]
        if len(clauses) < 2 or not self.clause_weight:
            return p, False
        per = [self.probabilities(c) for c in clauses]
        lam, k = self.clause_weight, len(per)
        mixed = [(1 - lam) * a + lam * sum(col) / k for a, col in zip(p, zip(*per, strict=True), strict=True)]
        return mixed, True

    def in_scope(self, text: str, words: list[str]) -> bool:
        if not words or not has_letters(text):
            return False
        lettered = [w for w in words if len(w) > 1 and not w.isdigit()]
        if not lettered:
            return True  # "ok", "y", "0": too short to be another language
        known = sum(w in self.known_words for w in lettered)
        return known >= MIN_KNOWN_SHARE * len(lettered)

    def distribution(self, text: str) -> dict[ObjectionCategory, float]:
        """Every category's calibrated probability for the turn; empty when the turn is out of scope."""
        check_text(text)
        raw = self.normalizer.raw_tokens(text)
        words = self.normalizer.tokens_of(raw) or raw
        if not self.in_scope(text, words):
            return {}
        probs, _ = self.turn_probabilities(text, words)
        return dict(zip(self.categories, probs, strict=True))

    def classify(self, text: str, language: str | None = None) -> Classification:
        check_text(text)
        given = check_language(language)
        normalizer = self.normalizer
        raw = normalizer.raw_tokens(text)
        words = normalizer.tokens_of(raw) or raw  # a turn made only of fillers is read as it is
        lang = given or normalizer.language(raw) or "es"
        if not self.in_scope(text, words):
            uniform = round(1.0 / len(self.categories), 4)
            return Classification(ObjectionCategory.NONE, uniform, (), lang, self.version)
        probs, multi = self.turn_probabilities(text, words)
        chosen = decide(probs, self._names, multi)
        rest = sorted((i for i in range(len(probs)) if i != chosen), key=lambda i: -probs[i])
        alternatives = tuple(
            (self.categories[i], round(probs[i], 4))
            for i in rest[:ALTERNATIVES_MAX]
            if probs[i] > ALTERNATIVE_MIN
        )
        return Classification(
            self.categories[chosen], round(probs[chosen], 4), alternatives, lang, self.version
        )


def load_classifier(
    model_path: str | Path = MODEL_FILE, normalization_path: str | Path = NORMALIZATION_FILE
) -> Classifier:
    """Read and validate the model and normalisation files; errors name file, JSON path and reason."""
    model_path = Path(model_path)
    model = read_validated(model_path, SCHEMA_NAME, fast=True)
    return Classifier(model, load_normalizer(normalization_path), file=model_path.name)


@lru_cache(maxsize=1)
def default_classifier() -> Classifier:
    """The shipped classifier, loaded once per process."""
    return load_classifier()
