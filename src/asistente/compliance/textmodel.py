"""The text model: a statistical second reader behind the lexicon (asistente.compliance.detect).

The lexicon finds what it has words for; collectors keep finding new words. The model, one logistic
regression per content code over TF-IDF word unigrams and bigrams of the accent-folded text (plus
jurisdiction, channel, recipient role, first-contact and time-barred tokens, and per the file's `featureSet`
negation-marked unigrams or stems), was trained on the labelled
corpora by `asistente.compliance.train_model` and is data: `lexicon/text-model.json`, validated against
`schema/text-model.schema.json`, versioned. Inference here is pure Python.

When it is confident (probability at or over the model's threshold, chosen by leave-one-set-out
cross-validation to keep its false positives low) that a text carries a code the lexicon did not find, it
adds the matching signal, spanning the sentence that scores highest for that code; the jurisdiction's
rule pack then decides, exactly as for lexicon signals, whether it is a violation there (so ASKING_REASON
stays Colombian and TIME_BARRED_THREAT needs a time-barred account).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from asistente.compliance.detect import Detection
from asistente.textfold import fold, sigmoid

MODEL_FILE = Path(__file__).parent / "lexicon" / "text-model.json"
SCHEMA_NAME = "text-model.schema.json"

# The signal each code's model raises (the packs map signals to codes per jurisdiction).
CODE_SIGNAL = {
    "THREAT_OF_ARREST": "ARREST_THREAT",
    "FALSE_LEGAL_THREAT": "SEIZURE_THREAT",
    "FAKE_LEGAL_DOCUMENT": "FAKE_COURT_DOCUMENT",
    "IMPERSONATION": "AUTHORITY_IMPERSONATION",
    "HARASSMENT": "INTIMIDATION",
    "PUBLIC_SHAMING": "PUBLIC_SHAMING",
    "THIRD_PARTY_DISCLOSURE": "THIRD_PARTY_DISCLOSURE_THREAT",
    "MISREPRESENTATION": "FALSE_URGENCY_OR_DECEPTION",
    "TIME_BARRED_THREAT": "LAWSUIT_THREAT",
    "ASKING_REASON": "ASKING_REASON",
    "PAYMENT_DESTINATION": "PERSONAL_ACCOUNT_PAYMENT",
}
# Every lexicon signal, by the code it stands for (to skip codes the lexicon has found already).
SIGNAL_CODE = {
    **{signal: code for code, signal in CODE_SIGNAL.items()},
    "CRIMINAL_ACCUSATION": "FALSE_LEGAL_THREAT",
    "CLAIMED_LAWSUIT": "FALSE_LEGAL_THREAT",
    "INSULT": "HARASSMENT",
    "PERMANENT_CREDIT_DAMAGE": "MISREPRESENTATION",
}
# The model was trained on whole messages (about 10 to 200 words); shorter snippets (one suggested answer,
# one transcript line) are out of its range and left to the lexicon.
MIN_WORDS = 15
# A model file may also carry `shortThreshold`: then texts of SHORT_MIN_WORDS to MIN_WORDS words are read too,
# at that (higher) threshold, chosen by the leave-one-real-set-out estimate (benchmarks/compliance_holdout.py).
SHORT_MIN_WORDS = 4
# Codes the model never raises on a short text: on a few words the time-barred token outweighs the words
# ("We can offer you a repayment plan on this credit card account." scored 0.98 on a time-barred account), so
# a threat to sue on a time-barred debt is left to the lexicon there.
SHORT_SKIP = frozenset({"TIME_BARRED_THREAT"})
# The pattern-id suffix of a companion finding (see TextModel.companion_threshold).
COMPANION = ":companion"
# `featureSet` "words+stems" adds each longer word's first STEM letters ("~amena" for amenazar, amenazamos,
# amenazas...), so a verb or noun seen in one form counts in another: wording varies more across authors than
# stems do.
STEM = 5
# `featureSet` "words+neg" marks the NEG_SCOPE words (of two letters or more) after a negation ("no", "nunca", "not", "never", "won't"...)
# as negated ("!carcel"), so "no va a ir a la cárcel" and "va a ir a la cárcel" stop sharing their strongest
# unigram; bigrams stay as they are.
NEG_SCOPE = 5
NEGATORS = frozenset(
    [
        "no",
        "nunca",
        "jamas",
        "ni",
        "sin",
        "tampoco",
        "nadie",
        "ningun",
        "ninguna",
        "ninguno",
        "nada",
        "not",
        "never",
        "no",
        "nobody",
        "nothing",
        "neither",
        "nor",
        "without",
        "cannot",
        "don",
        "doesn",
        "didn",
        "won",
        "wouldn",
        "couldn",
        "shouldn",
        "isn",
        "aren",
        "wasn",
        "weren",
        "haven",
        "hasn",
        "hadn",
    ]
)
# `featureSet` "words+neg+chars" adds, to "words+neg", the character CHARS-grams of each word padded with a space on
# each side ("#carc", "#arce", "#rcel", "#cel " for carcel): a misspelt, inflected or run-together word still
# shares most of its grams with the form the model learnt ("enbargo", "embargamos", "carcel"/"carceles").
CHARS = 4
# "words+neg+shortchars" adds them only to a text of fewer than MIN_WORDS words (a short line, where one unseen
# spelling decides everything), so a whole message costs what "words+neg" costs.
FEATURE_SETS = ("words", "words+stems", "words+neg", "words+neg+chars", "words+neg+shortchars")
_WORD = re.compile(r"\w\w+")
_SENTENCE = re.compile(r"[^.!?¡¿\n]+[.!?]*")


# 1 + log(n), the term frequency weight, for the counts a text usually has (the same value, computed once)
_TF_MAX = 64
_TF = [0.0, *(1.0 + math.log(n) for n in range(1, _TF_MAX))]


class TextModelError(ValueError):
    """A model file that cannot be used: names the file, the JSON path inside it and the reason."""

    def __init__(self, file: str, path: str, reason: str) -> None:
        super().__init__(f"{file}: at {path}: {reason}")
        self.file, self.path, self.reason = file, path, reason


def features_of(
    text: str,
    *,
    jurisdiction: str,
    channel: str,
    recipient_role: str,
    is_first_contact: bool,
    time_barred: bool,
    feature_set: str = "words",
) -> list[str]:
    words = _WORD.findall(fold(text))
    return [
        f"__j_{jurisdiction[:2].upper()}",
        f"__c_{channel}",
        f"__r_{recipient_role}",
        f"__fc_{int(is_first_contact)}",
        f"__tb_{int(time_barred)}",
        *_grams(words, feature_set),
    ]


def _grams(words: list[str], feature_set: str) -> list[str]:
    """The text features of a word sequence: unigrams (negated ones marked with "!" under "words+neg"),
    bigrams, and stems under "words+stems"."""
    if feature_set.startswith("words+neg"):
        unigrams, left = [], 0
        for w in words:
            if w in NEGATORS:
                unigrams.append(w)
                left = NEG_SCOPE
            elif left:
                unigrams.append("!" + w)
                left -= 1
            else:
                unigrams.append(w)
    else:
        unigrams = words
    grams = [*unigrams, *map(" ".join, pairwise(words))]
    if feature_set == "words+stems":
        grams += ["~" + w[:STEM] for w in words if len(w) > STEM]
    elif feature_set == "words+neg+chars" or (
        feature_set == "words+neg+shortchars" and len(words) < MIN_WORDS
    ):
        for w in words:
            padded = f" {w} "
            grams += ["#" + padded[i : i + CHARS] for i in range(len(padded) - CHARS + 1)]
    return grams


def word_count(features: list[str]) -> int:
    """How many words `features` came from (the unigrams: no space, no metadata or stem prefix)."""
    return sum(1 for f in features if " " not in f and f[0] not in "~#" and not f.startswith("__"))


def too_short(features: list[str], short_threshold: float | None = None) -> bool:
    """Fewer words than the model reads: MIN_WORDS, or SHORT_MIN_WORDS with a `shortThreshold`."""
    return word_count(features) < (MIN_WORDS if short_threshold is None else SHORT_MIN_WORDS)


@dataclass(frozen=True)
class TextModel:
    version: str
    threshold: float
    idf: dict[str, float]
    codes: tuple[str, ...]
    intercepts: tuple[float, ...]
    weights: dict[str, tuple[tuple[int, float], ...]]  # feature -> (code index, weight) where not zero
    feature_set: str = "words"
    short_threshold: float | None = None  # None: texts under MIN_WORDS words are left to the lexicon
    # Companion codes: codes at or over this lower probability are returned too, marked with COMPANION in their
    # pattern id, and the content check keeps them only when the text already breaks a content rule without
    # them (asistente.compliance.content): a text that is a violation often carries a second one (shaming sent
    # to the debtor's contacts is also a disclosure to third parties), and the lower bar can never turn a
    # compliant text into a flagged one. None: no companion codes.
    companion_threshold: float | None = None

    def features(self, text: str, **meta: Any) -> list[str]:
        return features_of(text, feature_set=self.feature_set, **meta)

    def threshold_for(self, features: list[str]) -> float | None:
        """The decision threshold for a text with these features, None when it is out of the model's range."""
        n = word_count(features)
        if n >= MIN_WORDS:
            return self.threshold
        if self.short_threshold is not None and n >= SHORT_MIN_WORDS:
            return self.short_threshold
        return None

    def _vector(self, features: list[str]) -> dict[str, float]:
        idf = self.idf
        log = math.log
        vec = {f: (1.0 + log(n)) * idf[f] for f, n in Counter(features).items() if f in idf}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {f: v / norm for f, v in vec.items()}

    def _z(self, vec: dict[str, float]) -> list[float]:
        z = list(self.intercepts)
        weights = self.weights
        for f, v in vec.items():
            for i, w in weights.get(f, ()):
                z[i] += w * v
        return z

    @cached_property
    def _idf_weights(self) -> dict[str, tuple[float, tuple[tuple[int, float], ...] | None]]:
        """feature -> (idf, its (code index, weight) pairs or None): one look-up per feature."""
        weights = self.weights
        return {f: (x, weights.get(f)) for f, x in self.idf.items()}

    def _z_of(self, features: list[str]) -> list[float]:
        """`_z(_vector(features))` in one pass, with the very same floating-point operations in the same
        order (so the same bits): tf-idf of each known feature in first-seen order, the L2 norm summed in
        that order, then intercept + w * (v / norm) per feature with weights, in that order."""
        counts = Counter(features)
        known = [
            ((_TF[n] if n < _TF_MAX else 1.0 + math.log(n)) * e[0], e[1])
            for e, n in zip(map(self._idf_weights.get, counts), counts.values(), strict=True)
            if e is not None
        ]
        norm = math.sqrt(sum([v * v for v, _ws in known])) or 1.0
        z = list(self.intercepts)
        for v, ws in known:
            if ws:
                v = v / norm
                for i, w in ws:
                    z[i] += w * v
        return z

    def probabilities(self, features: list[str]) -> dict[str, float]:
        return dict(zip(self.codes, map(sigmoid, self._z_of(features)), strict=True))

    def scores(self, text: str, **meta: Any) -> tuple[dict[str, float], bool]:
        """Every code's probability for `text`, and whether the text is within the model's range (at least
        MIN_WORDS words, or SHORT_MIN_WORDS with a short threshold; below it the probabilities mean less and
        `detections` ignores them). Used to tell how close to the threshold a text the local engine passes
        came (the second reader's margin)."""
        feats = self.features(text, **meta)
        return self.probabilities(feats), self.threshold_for(feats) is not None

    def detections(self, text: str, *, skip: set[str], **meta: Any) -> list[Detection]:
        """Signals for the codes this text most likely carries, except codes in `skip` (found already)."""
        feats = self.features(text, **meta)
        n = word_count(feats)
        if n >= MIN_WORDS:  # threshold_for(feats), counting the words once
            threshold = self.threshold
        elif self.short_threshold is not None and n >= SHORT_MIN_WORDS:
            threshold = self.short_threshold
        else:
            return []
        probs = self.probabilities(feats)
        if n < MIN_WORDS:
            skip = skip | SHORT_SKIP
        wanted = [(c, "") for c, p in probs.items() if p >= threshold and c not in skip]
        companion = self.companion_threshold
        if companion is not None and companion < threshold:
            # Companion findings: kept by the content check only when the text is a violation without them.
            wanted += [
                (c, COMPANION) for c, p in probs.items() if companion <= p < threshold and c not in skip
            ]
        if not wanted:
            return []
        # Where: the sentence whose words weigh most for the code (idf x weight; a cheap ranking, no
        # probabilities), read on a length-preserving fold so offsets index the original text.
        folded = _fold_same_length(text)
        weights = self.weights
        sentences = []
        for m in _SENTENCE.finditer(text):
            if not m.group().strip():
                continue
            words = _WORD.findall(folded[m.start() : m.end()])
            grams = [g for g in _grams(words, self.feature_set) if g in weights]
            sentences.append((m.start(), m.end(), grams))
        idf = self.idf
        out = []
        for code, suffix in wanted:
            i = self.codes.index(code)
            best, best_score = (0, len(text)), float("-inf")
            for start, end, grams in sentences:
                score = sum(w * idf[g] for g in grams for j, w in weights[g] if j == i)
                if score > best_score:
                    best, best_score = (start, end), score
            start, end = best
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            out.append(
                Detection(
                    CODE_SIGNAL[code], start, end, f"model:{self.version}:{code}{suffix}", text[start:end]
                )
            )
        return out


def _fold_same_length(text: str) -> str:
    folded = fold(text)
    if len(folded) == len(text):
        return folded
    return "".join(fold(ch)[:1] or ch for ch in text)


def load_model(path: str | Path = MODEL_FILE) -> TextModel:
    """Read and validate a model file; raises TextModelError naming file, JSON path and reason."""
    from asistente.schemas import schema_errors

    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TextModelError(path.name, "$", f"file not found: {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise TextModelError(path.name, "$", f"not valid JSON: {exc}") from None
    errors = schema_errors(SCHEMA_NAME, data)
    if errors:
        where, _, reason = errors[0].partition(": ")
        raise TextModelError(path.name, "$" if where == "(record)" else f"$.{where}", reason)
    unknown = sorted(set(data["codes"]) - set(CODE_SIGNAL))
    if unknown:
        raise TextModelError(path.name, f"$.codes.{unknown[0]}", "not a content code the model can signal")
    features = data["features"]
    if len(data["idf"]) != len(features) or len(set(features)) != len(features):
        raise TextModelError(path.name, "$.idf", "one idf per feature, features unique")
    known = set(features)
    for code, w in data["codes"].items():
        stray = next((f for f in w["coef"] if f not in known), None)
        if stray is not None:
            raise TextModelError(path.name, f"$.codes.{code}.coef", f"{stray!r} is not in features")
    codes = list(data["codes"])
    by_feature: dict[str, list[tuple[int, float]]] = {}
    for i, code in enumerate(codes):
        for f, v in data["codes"][code]["coef"].items():
            by_feature.setdefault(f, []).append((i, float(v)))
    return TextModel(
        version=data["version"],
        threshold=float(data["threshold"]),
        idf=dict(zip(features, map(float, data["idf"]), strict=True)),
        codes=tuple(codes),
        intercepts=tuple(float(data["codes"][c]["intercept"]) for c in codes),
        weights={f: tuple(ws) for f, ws in by_feature.items()},
        feature_set=data.get("featureSet", "words"),
        short_threshold=float(data["shortThreshold"]) if "shortThreshold" in data else None,
        companion_threshold=float(data["companionThreshold"]) if "companionThreshold" in data else None,
    )


@lru_cache(maxsize=1)
def default_model() -> TextModel:
    return load_model(MODEL_FILE)
