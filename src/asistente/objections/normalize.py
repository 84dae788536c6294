"""Normalising a debtor's turn before the objection classifier reads it.

Transcripts come without accents, capitals or punctuation, with fillers ("este", "o sea", "pues", "eh",
"mira"), vocatives ("wey", "po", "che", "parce"), regional words for money and work (lana, plata, guita,
luca, pisto; chamba, laburo, curro, pega) and voseo (tenés, podés). The normaliser folds accents and case,
turns punctuation into spaces, squeezes letters repeated three times or more, writes digit runs as "0",
replaces phrases by one spelling and drops fillers. What it replaces and drops is data:
`data/normalization.json` (schema/objection-normalization.schema.json, versioned), validated at load.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import orjson

from asistente.textfold import fold

NORMALIZATION_FILE = Path(__file__).parent / "data" / "normalization.json"
SCHEMA_NAME = "objection-normalization.schema.json"

_APOSTROPHE = re.compile(r"['’`´]")
_NON_WORD = re.compile(r"[^a-z0-9ñ]+")
_REPEAT = re.compile(r"([a-z])\1{2,}")
_DIGITS = re.compile(r"[0-9]+")
_HAS_LETTER = re.compile(r"[^\W\d_]")


class ObjectionDataError(ValueError):
    """A data file of the objection classifier that cannot be used: names file, JSON path and reason."""

    def __init__(self, file: str, path: str, reason: str) -> None:
        super().__init__(f"{file}: at {path}: {reason}")
        self.file, self.path, self.reason = file, path, reason


def read_validated(path: Path, schema_name: str, *, fast: bool = False) -> dict:
    """Read a JSON data file and validate it against its schema; errors name file, JSON path, reason.
    `fast` parses with orjson (the model file is large)."""
    from asistente.schemas import schema_errors

    try:
        data = orjson.loads(path.read_bytes()) if fast else json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ObjectionDataError(path.name, "$", f"file not found: {path}") from None
    except (json.JSONDecodeError, orjson.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ObjectionDataError(path.name, "$", f"not valid JSON: {exc}") from None
    errors = schema_errors(schema_name, data)
    if errors:
        where, _, reason = errors[0].partition(": ")
        raise ObjectionDataError(path.name, "$" if where == "(record)" else f"$.{where}", reason)
    return data


@dataclass(frozen=True)
class Normalizer:
    version: str
    replacements: dict[tuple[str, ...], tuple[str, ...]]
    longest: int  # words in the longest replaced or dropped phrase
    fillers: frozenset[tuple[str, ...]]
    conditional: dict[str, frozenset[str]]
    stopwords: dict[str, frozenset[str]]
    word_classes: WordClasses | None = field(default=None)

    def tokens(self, text: str) -> list[str]:
        """Folded words, phrases replaced and fillers dropped ("Este... pues NO tengo lana!!" → no tengo
        dinero)."""
        return self.tokens_of(self.raw_tokens(text))

    def tokens_of(self, raw: list[str]) -> list[str]:
        """`tokens` from the text's `raw_tokens`: at each word the longest phrase replaced or dropped; a
        word that starts no phrase of two words or more is looked up alone."""
        out: list[str] = []
        i, n = 0, len(raw)
        starts, single, conditional = self._phrase_starts, self._single, self.conditional
        while i < n:
            word = raw[i]
            if word in starts:
                for size in range(min(self.longest, n - i), 0, -1):
                    phrase = tuple(raw[i : i + size])
                    if phrase in self.fillers:
                        i += size
                        break
                    repl = self.replacements.get(phrase)
                    if repl is not None:
                        out.extend(repl)
                        i += size
                        break
                else:
                    follow = conditional.get(word)
                    if follow is None or not (i + 1 == n or i == 0 or raw[i + 1] in follow):
                        out.append(word)
                    i += 1
                continue
            repl = single.get(word)
            if repl is not None:  # a one-word replacement, or () for a filler
                out.extend(repl)
            else:
                follow = conditional.get(word)
                if follow is None or not (i + 1 == n or i == 0 or raw[i + 1] in follow):
                    out.append(word)
            i += 1
        return out

    @cached_property
    def _phrase_starts(self) -> frozenset[str]:
        return frozenset(p[0] for p in (*self.fillers, *self.replacements) if len(p) > 1)

    @cached_property
    def _single(self) -> dict[str, tuple[str, ...]]:
        out = {p[0]: r for p, r in self.replacements.items() if len(p) == 1}
        out.update({p[0]: () for p in self.fillers if len(p) == 1})
        return out

    @staticmethod
    def raw_tokens(text: str) -> list[str]:
        """Folded words without any replacement: accents, case and punctuation gone, long letter runs
        squeezed, digit runs as "0"."""
        folded = _APOSTROPHE.sub("", fold(text))
        folded = _REPEAT.sub(r"\1", folded)
        folded = _DIGITS.sub(" 0 ", folded)
        return _NON_WORD.sub(" ", folded).split()

    def speaks(self, words: list[str], language: str) -> bool:
        """Whether the words hold a stop word of ``language`` that the other language's list lacks (a sign
        the turn is at least partly in it: "la" in "me van a meter a la carcel", whose "a" is also English)."""
        own = self.stopwords.get(language, frozenset())
        others = frozenset().union(*(v for k, v in self.stopwords.items() if k != language))
        return any(w in own and w not in others for w in words)

    def language(self, words: list[str]) -> str | None:
        """ "es" or "en" by stop words (Spanish on a tie), None when no stop word of either is there."""
        es = sum(w in self.stopwords["es"] for w in words)
        en = sum(w in self.stopwords["en"] for w in words)
        if es == en == 0:
            return None
        return "en" if en > es else "es"


class WordClasses:
    """What kinds of word a normalised word is (money, job loss, dates...: `wordClasses` of the normalisation
    data) and which words open a negation scope. Shared by inference and training (features.py)."""

    def __init__(
        self,
        classes: dict[str, list[str]],
        negators: list[str],
        window: int,
        skip: frozenset[str] = frozenset(),
    ) -> None:
        self.exact: dict[str, tuple[str, ...]] = {}
        prefixes: dict[str, list[str]] = {}
        for name, words in sorted(classes.items()):
            for w in words:
                if w.endswith("*"):
                    prefixes.setdefault(w[:-1], []).append(name)
                else:
                    self.exact[w] = (*self.exact.get(w, ()), name)
        self.prefixes = {p: tuple(names) for p, names in prefixes.items()}
        self.prefix_lengths = sorted({len(p) for p in self.prefixes})
        self.negators = frozenset(negators)
        self.window = window
        self.skip = skip  # function words: inside a negation scope they neither count nor give a feature
        self.of = lru_cache(maxsize=65536)(self._of)

    def _of(self, word: str) -> tuple[str, ...]:
        """The classes of one word (exact entries and every matching prefix), sorted, without repeats."""
        found = set(self.exact.get(word, ()))
        for n in self.prefix_lengths:
            if n > len(word):
                break
            found.update(self.prefixes.get(word[:n], ()))
        return tuple(sorted(found))


def has_letters(text: str) -> bool:
    return _HAS_LETTER.search(text) is not None


def load_normalizer(path: str | Path = NORMALIZATION_FILE) -> Normalizer:
    path = Path(path)
    data = read_validated(path, SCHEMA_NAME)
    replacements = {tuple(k.split()): tuple(v.split()) for k, v in data["replacements"].items()}
    fillers = frozenset(tuple(f.split()) for f in data["fillers"])
    clash = next((" ".join(f) for f in fillers if f in replacements), None)
    if clash is not None:
        raise ObjectionDataError(path.name, f"$.fillers.{clash}", "both a filler and a replacement")
    longest = max(len(k) for k in (*replacements, *fillers))
    return Normalizer(
        version=data["version"],
        replacements=replacements,
        longest=longest,
        fillers=fillers,
        conditional={w: frozenset(f) for w, f in data["fillerWhenFollowedBy"].items()},
        stopwords={lang: frozenset(ws) for lang, ws in data["stopwords"].items()},
        word_classes=WordClasses(
            data.get("wordClasses", {}),
            data.get("negators", []),
            data.get("negationWindow", 0),
            frozenset(data.get("negationSkip", ())),
        )
        if "wordClasses" in data or "negators" in data
        else None,
    )
