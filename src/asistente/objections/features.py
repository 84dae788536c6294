"""The classifier's features: one definition shared by inference (pure Python) and the trainer.

Word unigrams ("w:no"), word bigrams ("b:no tengo") and character 3- to 5-grams inside each word padded
with spaces ("c: ten", "c:tengo"), over the normalised words. Character grams carry typos and unseen
inflections ("dinro", "pagé", "kede"); words and bigrams carry negation and phrasing. Weights are
sublinear TF-IDF, each block (words, characters) scaled to unit length on its own. Two shape features
say how much of the turn the model cannot read and how long it is: without them a turn of unknown words
scores only the intercepts, and NONE (greetings, short fillers) has by far the largest.

Optionally, word classes and negation scope: when the normalisation data has `wordClasses` and `negators`,
"k:money" for every word of a class (dinero, cash, lucas...) and each word and class within `negationWindow`
words after a negator as "n:pagar", "n:#money", in a third block with its own unit length. Tried for model
2026.12.7 and left out of the shipped data: no gain on held-out real turns (benchmarks/README.md, "Quality on
real text"); a normaliser without word classes gives exactly the features above.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from asistente.objections.normalize import WordClasses

CHAR_MIN, CHAR_MAX = 3, 5
# Shape features (prefix "x:"), in the model's vocabulary since 2026.12.6: not n-grams of the text.
UNKNOWN_SHARE = "x:unknown"
LENGTH = "x:length"
SHAPE_FEATURES = (LENGTH, UNKNOWN_SHARE)
LONG_TURN_WORDS = 40  # LENGTH reaches 1 at this many words (log scale)
# Blocks scaled to unit length each: characters, word classes with negation scope, and the rest (words,
# bigrams).
_BLOCK = {"c": "c", "k": "k", "n": "k"}
# Where a turn splits into clauses: punctuation, and conjunctions that join two statements.
_CLAUSE_BREAK = re.compile(
    r"[.,;:!?¡¿\n]+|\s(?:y|pero|aunque|adem[aá]s|porque|and|but|because|also|plus)\s", re.IGNORECASE
)


def features_of(words: list[str], classes: WordClasses | None = None) -> list[str]:
    out = [f"w:{w}" for w in words]
    out += [f"b:{a} {b}" for a, b in pairwise(words)]
    for w in words:
        padded = f" {w} "
        size = len(padded)
        for n in range(CHAR_MIN, CHAR_MAX + 1):
            out += [f"c:{padded[i : i + n]}" for i in range(size - n + 1)]
    if classes is not None:
        out += semantic_features(words, classes)
    return out


def char_grams(word: str) -> list[str]:
    """The character 3- to 5-grams of one word padded with spaces, as `features_of` makes them (without the
    "c:" prefix), in the same order."""
    padded = f" {word} "
    size = len(padded)
    return [padded[i : i + n] for n in range(CHAR_MIN, CHAR_MAX + 1) for i in range(size - n + 1)]


def semantic_features(words: list[str], classes: WordClasses) -> list[str]:
    """Word classes ("k:money" for dinero, cash, lucas...) and negation scope: each word (and class) within
    `classes.window` words (stop words not counted) after a negator ("no", "never", "ni"...) also as "n:pagar", "n:#money", so that
    "no voy a pagar" and "voy a pagar" differ beyond their one bigram."""
    out: list[str] = []
    of, negators, window, skip = classes.of, classes.negators, classes.window, classes.skip
    scope = 0
    for w in words:
        kinds = of(w)
        out += [f"k:{k}" for k in kinds]
        if w in negators:
            scope = window
            continue
        if scope and (w not in skip or kinds):
            out.append(f"n:{w}")
            out += [f"n:#{k}" for k in kinds]
            scope -= 1
    return out


def vectorise(features: list[str], idf: Mapping[str, float]) -> dict[str, float]:
    """Sublinear TF-IDF of the features the model knows, word and character blocks each L2-normalised, plus
    the turn's shape where the model has those features: UNKNOWN_SHARE, the share of its words the model
    does not know (a turn the model can hardly read is not thereby small talk), and LENGTH."""
    log = math.log
    counts = Counter(features)
    vec = {f: (1.0 + log(n)) * idf[f] for f, n in counts.items() if f in idf}
    norms = {"c": 0.0, "w": 0.0, "k": 0.0}
    for f, v in vec.items():
        norms[_BLOCK.get(f[0], "w")] += v * v
    for block, total in norms.items():
        norms[block] = math.sqrt(total) or 1.0
    out = {f: v / norms[_BLOCK.get(f[0], "w")] for f, v in vec.items()}
    if UNKNOWN_SHARE in idf:
        word_counts = [(f, n) for f, n in counts.items() if f[0] == "w"]
        total = sum(n for _, n in word_counts)
        if total:
            out[UNKNOWN_SHARE] = sum(n for f, n in word_counts if f not in idf) / total
            out[LENGTH] = min(1.0, log(1 + total) / log(1 + LONG_TURN_WORDS))
    return out


def clause_texts(text: str) -> list[str]:
    """The turn cut at punctuation and at joining conjunctions ("ya pagué, mándemelo por escrito")."""
    return [part for part in _CLAUSE_BREAK.split(text) if part and part.strip()]
