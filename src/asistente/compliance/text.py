"""Text normalisation for the content checks, with a map back to the original offsets.

Two levels, both pure and allocation-light:

- `normalize(text)` gives a lower-cased, accent-free string in which every run of punctuation, symbols,
  emoji and whitespace is one space, plus, for each character of it, the index of the original character
  it came from. Use it when a caller needs character offsets.
- `tokenize(text)` gives the tokens the detector matches on: each `Token` carries its span in the
  ORIGINAL string, its plain form (lower case, no accents) and its *folded* form, a spelling key that
  absorbs the usual Spanish/English typing mistakes (see `fold`). Patterns are folded the same way, so
  "carcel", "CÁRCEL", "carsel"; "aprehensión", "aprension"; "embargo", "enbargo"; "arrestado", "arestado"
  all meet. The punctuation between two tokens is kept (`Token.gap_before`) so clause and sentence
  boundaries can be found later.

Numbers keep their inner separators ("1,234.50" is one token); apostrophes inside words are dropped
("won't" -> "wont"); currency signs and "%" are tokens of their own; "S/" (Peruvian sol) is one token.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import NamedTuple

__all__ = ["NormalizedText", "Token", "Tokens", "fold", "normalize", "plain", "tokenize"]

_WORD = r"[^\W_]"
_TOKEN_RE = re.compile(
    r"(\d+(?:[.,']\d+)*"  # numbers with their separators: 1,234.50 / 1.234,50 / 1'234
    r"|[Ss]/(?=\s?\d|\Z)"  # Peruvian soles "S/ 500"
    rf"|{_WORD}+(?:['’\u0300-\u036f]{_WORD}*)*"  # words (combining accents and inner apostrophes kept)
    r"|[$€£¥%])"
)
_APOSTROPHES = str.maketrans("", "", "'’")


class Token(NamedTuple):
    start: int  # span in the original text
    end: int
    raw: str  # original text[start:end]
    plain: str  # lower case, accents stripped, apostrophes removed
    folded: str  # spelling key (see fold)
    gap_before: str  # original characters between the previous token (or the start) and this one

    @property
    def capitalized(self) -> bool:
        return self.raw[:1].isupper()


@dataclass(frozen=True, slots=True)
class NormalizedText:
    text: str
    offsets: tuple[int, ...]  # offsets[i] = index in the original of text[i]; len(offsets) == len(text) + 1

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original span of the normalised slice [start, end) (end exclusive, start < end)."""
        return self.offsets[start], self.offsets[end - 1] + 1


@lru_cache(maxsize=4096)
def _plain_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=65536)
def plain(word: str) -> str:
    """Lower case without accents or apostrophes; "Ñandú" -> "nandu", "WON'T" -> "wont"."""
    word = word.translate(_APOSTROPHES)
    if word.isascii():
        return word.lower()
    return "".join(_plain_char(c) for c in word)


_FOLD_RULES = (
    (re.compile(r"c(?=[ei])"), "s"),  # cerca/serca, carcel/carsel
    (re.compile(r"(?<![cs])h"), ""),  # silent h: aprehension/aprension, hacer/acer (keeps ch, sh)
    (re.compile(r"ll"), "y"),  # llamar/yamar
    (re.compile(r"n(?=[bp])"), "m"),  # enbargo/embargo
    (re.compile(r"(.)\1+"), r"\1"),  # doubled letters: arrestado/arestado, carro/caro
)
_FOLD_TABLE = str.maketrans({"v": "b", "z": "s"})


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Spelling key of a plain (lower-case, accent-free) word. Digits and symbols are left alone.

    Rules, in order: v->b, z->s, c before e/i -> s, silent h dropped (not in ch/sh), ll->y,
    n before b/p -> m, runs of one letter collapsed. Applied identically to texts and to patterns.
    """
    if not word or not word[0].isalpha():
        return word
    out = word.translate(_FOLD_TABLE)
    for rx, repl in _FOLD_RULES:
        out = rx.sub(repl, out)
    return out or word


class Tokens:
    """The tokens of one text as parallel lists (fast to build; `tokenize` gives `Token` objects)."""

    __slots__ = ("ends", "folded", "gaps", "raws", "starts", "text")

    def __init__(self, text: str) -> None:
        parts = _TOKEN_RE.split(text)
        offsets = list(accumulate(map(len, parts)))
        self.text = text
        self.raws: list[str] = parts[1::2]
        self.gaps: list[str] = parts[0::2]  # gaps[i] precedes token i; gaps[-1] follows the last token
        self.starts: list[int] = offsets[0::2][:-1]
        self.ends: list[int] = offsets[1::2]
        cache = _FOLDED
        if len(cache) > _FOLDED_MAX:
            cache.clear()
        get = cache.get
        folded = [get(r) for r in self.raws]
        for i, f in enumerate(folded):
            if f is None:
                folded[i] = cache[self.raws[i]] = fold(plain(self.raws[i]))
        self.folded: list[str] = folded  # type: ignore[assignment]
        if _FILLERS.intersection(folded):
            self._drop_fillers()

    def _drop_fillers(self) -> None:
        """Drop hesitation sounds of spoken transcripts ("eh", "um", "uh"): they are not words, and they would
        otherwise push a cue out of its window ("la cárcel, eh, por deuda civil no existe"). Their text joins
        the gap before the next token, so spans and punctuation are unchanged."""
        keep = [i for i, r in enumerate(self.raws) if r.lower() not in _FILLER_RAWS]
        if len(keep) == len(self.raws):
            return
        gaps: list[str] = []
        pending = ""
        kept = set(keep)
        for i, raw in enumerate(self.raws):
            if i in kept:
                gaps.append(pending + self.gaps[i])
                pending = ""
            else:
                pending += self.gaps[i] + raw
        gaps.append(pending + self.gaps[-1])
        self.gaps = gaps
        self.raws = [self.raws[i] for i in keep]
        self.starts = [self.starts[i] for i in keep]
        self.ends = [self.ends[i] for i in keep]
        self.folded = [self.folded[i] for i in keep]

    def __len__(self) -> int:
        return len(self.raws)


# Hesitation sounds of spoken transcripts, as written (lower case); never words in Spanish or English.
_FILLER_RAWS = frozenset(
    {"eh", "ehh", "ehm", "em", "emm", "mm", "mmm", "hmm", "um", "umm", "uh", "uhh", "uhm", "erm"}
)
_FILLERS = frozenset(fold(plain(w)) for w in _FILLER_RAWS)

_FOLDED: dict[str, str] = {}
_FOLDED_MAX = 200_000


def tokenize(text: str) -> list[Token]:
    t = Tokens(text)
    return [
        Token(t.starts[i], t.ends[i], t.raws[i], plain(t.raws[i]), t.folded[i], t.gaps[i])
        for i in range(len(t))
    ]


def normalize(text: str) -> NormalizedText:
    """Lower-case, accent-free text with single spaces between tokens and an offset map to the original.

    Characters that vanish (combining accents, apostrophes, punctuation) have no entry; the space
    between two tokens maps to the first separator character in the original.
    """
    out: list[str] = []
    offsets: list[int] = []
    for tok in tokenize(text):
        if out:
            out.append(" ")
            offsets.append(tok.start - len(tok.gap_before))
        if tok.raw.isascii() and "'" not in tok.raw:
            out.append(tok.raw.lower())
            offsets.extend(range(tok.start, tok.end))
            continue
        for i, ch in enumerate(tok.raw, start=tok.start):
            if ch in "'’":
                continue
            pc = _plain_char(ch)
            out.append(pc)
            offsets.extend([i] * len(pc))
    offsets.append(len(text))
    return NormalizedText("".join(out), tuple(offsets))
