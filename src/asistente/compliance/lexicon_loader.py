"""Loading a lexicon file: read, validate against schema/lexicon.schema.json, compile every pattern. A bad
file raises LexiconError naming the file, the JSON path and the reason."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asistente.compliance.pattern import CompiledPattern, compile_pattern

__all__ = ["SCHEMA_NAME", "Entry", "Lexicon", "LexiconError", "load_lexicon"]

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


@dataclass(frozen=True)
class Lexicon:
    file: str
    language: str
    version: str
    entries: tuple[Entry, ...]
    scope: dict[str, tuple[CompiledPattern, ...]]


def _json_path(parts: Iterable[Any]) -> str:
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


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
            )
        )
    return Lexicon(file, data["language"], data["version"], tuple(entries), scope)
