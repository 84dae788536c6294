"""Loading a lexicon file: read, validate against schema/lexicon.schema.json, compile every pattern. A bad
file raises LexiconError naming the file, the JSON path and the reason."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asistente.compliance.pattern import CompiledPattern, compile_pattern
from asistente.compliance.text import Tokens
from asistente.schemas import dollar_path as _json_path

__all__ = [
    "SCHEMA_NAME",
    "VOCABULARY_LISTS",
    "Entry",
    "Lexicon",
    "LexiconError",
    "Vocabulary",
    "load_lexicon",
]

SCHEMA_NAME = "lexicon.schema.json"


class LexiconError(ValueError):
    """A lexicon file that cannot be used: names the file, the JSON path inside it and the reason."""

    def __init__(self, file: str, path: str, reason: str) -> None:
        super().__init__(f"{file}: at {path}: {reason}")
        self.file = file
        self.path = path
        self.reason = reason


# --------------------------------------------------------------------------------------------------
# Lexicon loading
# --------------------------------------------------------------------------------------------------

_SCOPE_KEYS = (
    "negationCues",
    "conditionalMarkers",
    "clauseBoundaries",
    "postNegators",
    "hedgeCues",
    "reportingCues",
    "reportedSpeechCues",
)


@dataclass(frozen=True)
class Entry:
    id: str
    kind: str  # "signal" | "element"
    name: str
    patterns: tuple[CompiledPattern, ...]
    negatable: bool
    hedgeable: bool
    requires_question: bool
    not_after: tuple[CompiledPattern, ...]
    examples: tuple[str, ...]
    counter_examples: tuple[str, ...]
    flags: frozenset[str] = frozenset()  # exceptions given by the file's entryFlags


@dataclass(frozen=True)
class Lexicon:
    file: str
    language: str
    version: str
    entries: tuple[Entry, ...]
    scope: dict[str, tuple[CompiledPattern, ...]]
    vocabulary: dict[str, tuple[str, ...]] = field(default_factory=dict)  # folded words per list


def load_lexicon(path: str | Path) -> Lexicon:
    """Read, validate and compile one lexicon file; raises LexiconError naming file, JSON path and reason."""
    from asistente.schemas import validator

    path = Path(path)
    file = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LexiconError(file, "$", f"file not found: {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise LexiconError(file, "$", f"not valid JSON: {exc}") from None
    errors = sorted(
        validator(SCHEMA_NAME).iter_errors(data), key=lambda e: (len(e.absolute_path), str(e.path))
    )
    if errors:
        deepest = max(errors, key=lambda e: len(e.absolute_path))
        raise LexiconError(file, _json_path(deepest.absolute_path), deepest.message)
    macros: dict[str, str] = data.get("macros", {})

    def comp(src: str, where: list[Any]) -> CompiledPattern:
        try:
            return compile_pattern(src, macros)
        except ValueError as exc:
            raise LexiconError(file, _json_path(where), f"pattern {src!r}: {exc}") from None

    for name, body in macros.items():
        comp(body, ["macros", name])
    scope: dict[str, tuple[CompiledPattern, ...]] = {}
    for key in _SCOPE_KEYS:
        scope[key] = tuple(comp(s, ["scope", key, n]) for n, s in enumerate(data["scope"].get(key, [])))
    entries: list[Entry] = []
    seen: set[str] = set()
    for n, raw in enumerate(data["entries"]):
        if raw["id"] in seen:
            raise LexiconError(file, _json_path(["entries", n, "id"]), f"duplicate id {raw['id']!r}")
        seen.add(raw["id"])
        kind = "signal" if "signal" in raw else "element"
        flags = frozenset(
            flag for rule in data.get("entryFlags", []) if _selects(rule, raw) for flag in rule["flags"]
        )
        entries.append(
            Entry(
                id=raw["id"],
                kind=kind,
                name=raw[kind],
                patterns=tuple(comp(s, ["entries", n, "patterns", k]) for k, s in enumerate(raw["patterns"])),
                negatable=raw.get("negatable", kind == "signal"),
                hedgeable=raw.get("hedgeable", False),
                requires_question=raw.get("requiresQuestion", False),
                not_after=tuple(
                    comp(src, ["entries", n, "notAfter", k]) for k, src in enumerate(raw.get("notAfter", []))
                ),
                examples=tuple(raw.get("examples", [])),
                counter_examples=tuple(raw.get("counterExamples", [])),
                flags=flags,
            )
        )
    vocabulary = {name: _vocabulary_words(body) for name, body in data.get("vocabulary", {}).items()}
    return Lexicon(file, data["language"], data["version"], tuple(entries), scope, vocabulary)


def _selects(rule: dict[str, Any], raw: dict[str, Any]) -> bool:
    """An entryFlags rule selects an entry by signal, id ending and id exclusion (all that are given)."""
    if "signal" in rule and raw.get("signal") != rule["signal"]:
        return False
    if "idEndsWith" in rule and not raw["id"].endswith(rule["idEndsWith"]):
        return False
    return not ("idNotContaining" in rule and rule["idNotContaining"] in raw["id"])


def _vocabulary_words(body: dict[str, Any]) -> tuple[str, ...]:
    words: list[str] = body["words"]
    if not body.get("fold", False):
        return tuple(words)
    return tuple(folded for word in words for folded in Tokens(word).folded)


# The word lists of the lexicons' `vocabulary` sections: JSON name -> (attribute, kind). A "set" list is
# looked up whole; a "tuple" list is a set of stems or phrases matched with startswith / `in`.
VOCABULARY_LISTS: dict[str, tuple[str, str]] = {
    "coordNegation": ("coord_negation", "set"),
    "determiners": ("determiners", "set"),
    "nominalAfterNo": ("nominal_after_no", "tuple"),
    "channelWords": ("channel_words", "tuple"),
    "ordinalSuffixes": ("ordinal_suffixes", "set"),
    "otherSpeakers": ("other_speakers", "set"),
    "wishAfterNegation": ("wish_after_negation", "set"),
    "wishAfterNegationPronouns": ("wish_after_negation_pronouns", "set"),
    "wishVerbs": ("wish_verbs", "tuple"),
    "openAfterNegation": ("open_after_negation", "tuple"),
    "payStems": ("pay_stems", "tuple"),
    "knowing": ("knowing", "set"),
    "payAuxiliaries": ("pay_auxiliaries", "set"),
    "noneAnswers": ("none_answers", "set"),
    "policeWords": ("police_words", "tuple"),
    "victimWords": ("victim_words", "tuple"),
    "complaintWords": ("complaint_words", "tuple"),
    "subjectNegations": ("subject_negations", "set"),
    "indefiniteClaimants": ("indefinite_claimants", "set"),
    "benefitStems": ("benefit_stems", "tuple"),
    "courtConcepts": ("court_concepts", "set"),
    "ourDeterminers": ("our_determiners", "set"),
    "indefiniteDeterminers": ("indefinite_determiners", "set"),
    "colleagueStems": ("colleague_stems", "tuple"),
    "comeFor": ("come_for", "tuple"),
    "crimeWords": ("crime_words", "tuple"),
    "creditRegisters": ("credit_registers", "set"),
}


class Vocabulary:
    """The word lists of every loaded lexicon merged (first lexicon's words first); a list no lexicon has
    is empty. Attributes are the snake_case names of VOCABULARY_LISTS."""

    def __init__(self, lexicons: Iterable[Lexicon]) -> None:
        merged: dict[str, dict[str, None]] = {name: {} for name in VOCABULARY_LISTS}
        for lx in lexicons:
            for name, words in lx.vocabulary.items():
                merged[name].update(dict.fromkeys(words))
        for name, (attr, kind) in VOCABULARY_LISTS.items():
            words = tuple(merged[name])
            setattr(self, attr, frozenset(words) if kind == "set" else words)
