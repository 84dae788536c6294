"""Forbidden-phrase signals and required-content elements in Spanish and English texts.

The patterns are data (`lexicon/es.json`, `lexicon/en.json`, validated against
`schema/lexicon.schema.json`); this module compiles them once, matches them over folded tokens (see
`text.py`) and decides, per hit, whether the surrounding text takes it back:

- negation: a negation cue ("no", "nunca", "nadie", "never", "cannot", ...) in the same clause, at most
  `NEGATION_WINDOW` tokens before the hit, or inside a `~N`/`<ANY>` gap of the hit ("you will *not be*
  arrested"), or a post-negator right after it ("prisión por deudas *no existe*"). Clauses end at
  punctuation and at the lexicon's clause boundaries ("pero", "sino", "but", "y lo ...", "and we ...").
  A negation cue governed by a conditional marker ("si no paga", "if you don't pay") negates only the
  condition, not the threat, so it is ignored;
- hedges: entries marked `hedgeable` (seizure) are dropped when the sentence states a true legal
  condition ("si un juez lo ordena", "podría", "if a court orders it");
- quoted or reported speech of someone else: a hit inside quotes introduced or followed by a reporting
  verb ("el cliente dijo: '...'", `he said "..."`), or after a reported-speech cue in the same sentence
  ("el cliente dijo que ...").

Elements (presence detectors for required content) are never negated.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from asistente.compliance.text import Token, fold, plain, tokenize

__all__ = [
    "ELEMENTS",
    "LEXICON_VERSION",
    "SIGNALS",
    "Detection",
    "Lexicon",
    "LexiconError",
    "compile_pattern",
    "detect",
    "find_elements",
    "load_lexicon",
]

SIGNALS: frozenset[str] = frozenset(
    {
        "ARREST_THREAT",
        "CRIMINAL_ACCUSATION",
        "SEIZURE_THREAT",
        "LAWSUIT_THREAT",
        "FAKE_COURT_DOCUMENT",
        "AUTHORITY_IMPERSONATION",
        "INSULT",
        "INTIMIDATION",
        "PUBLIC_SHAMING",
        "THIRD_PARTY_DISCLOSURE_THREAT",
        "PERMANENT_CREDIT_DAMAGE",
        "ASKING_REASON",
        "PERSONAL_ACCOUNT_PAYMENT",
        "FALSE_URGENCY_OR_DECEPTION",
    }
)
ELEMENTS: frozenset[str] = frozenset(
    {
        "SELF_IDENTIFICATION",
        "COMPANY_IDENTIFICATION",
        "CREDITOR_IDENTIFICATION",
        "DEBT_COLLECTOR_DISCLOSURE",
        "INFO_USE_DISCLOSURE",
        "DEBT_MENTION",
        "AMOUNT_MENTION",
        "OPT_OUT_INSTRUCTION",
        "CALLBACK_REQUEST",
    }
)

LEXICON_DIR = Path(__file__).resolve().parent / "lexicon"
LEXICON_FILES: tuple[str, ...] = ("es.json", "en.json")
SCHEMA_NAME = "lexicon.schema.json"

NEGATION_WINDOW = 8  # tokens before a hit searched for a negation cue (same clause only)
CONDITIONAL_WINDOW = 4  # a conditional marker this close before a negation cue neutralises it
POST_NEGATION_WINDOW = 4  # tokens after a hit searched for a post-negator (same clause only)
QUOTE_LOOKBACK = 8  # tokens before an opening quote searched for a reporting verb
QUOTE_LOOKAHEAD = 4  # tokens after a closing quote searched for a reporting verb
MAX_GAP = 8


@dataclass(frozen=True)
class Detection:
    signal: str  # one of SIGNALS
    start: int  # span in the ORIGINAL text (not the normalised one)
    end: int
    pattern_id: str  # id of the lexicon entry that matched
    excerpt: str  # original text[start:end]


class LexiconError(ValueError):
    """A lexicon file that cannot be used: names the file, the JSON path inside it and the reason."""

    def __init__(self, file: str, path: str, reason: str) -> None:
        super().__init__(f"{file}: at {path}: {reason}")
        self.file = file
        self.path = path
        self.reason = reason


# --------------------------------------------------------------------------------------------------
# Pattern language -> regular expression over the folded token string " tok1 tok2 ... tokN "
# --------------------------------------------------------------------------------------------------

_PAT_TOKEN = re.compile(r"\s+|~\d+|<[A-Za-z_][A-Za-z0-9_]*>|[()\[\]|!]|[^\s()\[\]|!<>~]+")
_BUILTINS = {"ANY", "NUM", "CAP"}
_FLEX_END = {"n": "[nm]", "c": "[cs]", "l": "[ly]", "h": "h?"}


class _PatternSyntaxError(Exception):
    pass


@dataclass
class _Node:
    regex: str
    nullable: bool
    anchors: frozenset[tuple[str, str]] | None  # ("w", word) | ("p", prefix) | ("d", "") ; None: not anchorable


@dataclass
class _Ctx:
    macros: dict[str, str]
    gaps: list[str] = field(default_factory=list)
    caps: list[str] = field(default_factory=list)
    expanding: tuple[str, ...] = ()
    counter: list[int] = field(default_factory=lambda: [0])

    def name(self, kind: str) -> str:
        self.counter[0] += 1
        return f"{kind}{self.counter[0]}"


@dataclass(frozen=True)
class CompiledPattern:
    regex: re.Pattern[str]
    source: str
    gap_groups: tuple[str, ...]
    cap_groups: tuple[str, ...]
    anchors: frozenset[tuple[str, str]] | None


def _lex_pattern(src: str) -> list[str]:
    out: list[str] = []
    pos = 0
    while pos < len(src):
        m = _PAT_TOKEN.match(src, pos)
        if m is None:
            raise _PatternSyntaxError(f"unexpected character {src[pos]!r} at column {pos + 1}")
        if not m.group().isspace():
            out.append(m.group())
        pos = m.end()
    return out


def _literal(word: str) -> _Node:
    prefix = word.endswith("*")
    body = word[:-1] if prefix else word
    if not body or "*" in body:
        raise _PatternSyntaxError(f"bad word {word!r}: '*' only at the end of a word")
    toks = tokenize(body)
    if not toks or (prefix and toks[-1].end != len(body)):
        raise _PatternSyntaxError(f"bad word {word!r}: use letters, digits, $ € £ % or 's/'")
    folded = [t.folded for t in toks]
    if prefix:
        last = folded[-1]
        if len(plain(toks[-1].raw)) < 3:
            raise _PatternSyntaxError(f"prefix {word!r} is too short (3 letters at least)")
        head = "".join(" " + re.escape(w) for w in folded[:-1])
        tail = _FLEX_END.get(last[-1])
        if tail is None:
            return _Node(head + " " + re.escape(last) + "[^ ]*", False, frozenset({("p", last)}))
        # the folding of the last letter depends on the letter after it (n+b -> m, c+e -> s, ll -> y)
        anchor = frozenset({("p", last[:-1])}) if len(last) > 3 else None
        return _Node(head + " " + re.escape(last[:-1]) + tail + "[^ ]*", False, anchor)
    return _Node("".join(" " + re.escape(w) for w in folded), False, frozenset({("w", folded[-1])}))


def _best_anchor(items: Sequence[_Node]) -> frozenset[tuple[str, str]] | None:
    best: frozenset[tuple[str, str]] | None = None
    for it in items:
        if it.nullable or it.anchors is None:
            continue
        score = (len(it.anchors), -max(len(a[1]) for a in it.anchors))
        if best is None or score < (len(best), -max(len(a[1]) for a in best)):
            best = it.anchors
    return best


def _parse_seq(toks: list[str], i: int, ctx: _Ctx, closers: str) -> tuple[_Node, int]:
    items: list[_Node] = []
    while i < len(toks) and toks[i] not in closers:
        node, i = _parse_item(toks, i, ctx)
        items.append(node)
    if not items:
        raise _PatternSyntaxError("empty sequence")
    return (
        _Node("".join(n.regex for n in items), all(n.nullable for n in items), _best_anchor(items)),
        i,
    )


def _parse_alts(toks: list[str], i: int, ctx: _Ctx, closer: str) -> tuple[_Node, int]:
    alts: list[_Node] = []
    while True:
        node, i = _parse_seq(toks, i, ctx, "|" + closer)
        alts.append(node)
        if i >= len(toks):
            raise _PatternSyntaxError(f"missing {closer!r}")
        if toks[i] == "|":
            i += 1
            continue
        if toks[i] != closer:
            raise _PatternSyntaxError(f"expected {closer!r}, found {toks[i]!r}")
        i += 1
        break
    anchors: frozenset[tuple[str, str]] | None = frozenset()
    for a in alts:
        if a.anchors is None or a.nullable:
            anchors = None
            break
        anchors = anchors | a.anchors
    return _Node("(?:" + "|".join(a.regex for a in alts) + ")", any(a.nullable for a in alts), anchors), i


def _parse_item(toks: list[str], i: int, ctx: _Ctx) -> tuple[_Node, int]:
    t = toks[i]
    if t == "!":
        if i + 1 >= len(toks):
            raise _PatternSyntaxError("'!' must be followed by a word or group")
        node, j = _parse_item(toks, i + 1, ctx)
        if node.nullable:
            raise _PatternSyntaxError("'!' needs something that consumes a word")
        return _Node(f"(?!{node.regex}(?= ))", True, None), j
    if t == "(":
        return _parse_alts(toks, i + 1, ctx, ")")
    if t == "[":
        node, j = _parse_alts(toks, i + 1, ctx, "]")
        return _Node(f"(?:{node.regex})?", True, None), j
    if t.startswith("~"):
        n = int(t[1:])
        if not 1 <= n <= MAX_GAP:
            raise _PatternSyntaxError(f"gap {t!r} must be between ~1 and ~{MAX_GAP}")
        name = ctx.name("g")
        ctx.gaps.append(name)
        return _Node(f"(?P<{name}>(?: [^ ]+){{0,{n}}}?)", True, None), i + 1
    if t.startswith("<"):
        name = t[1:-1]
        if name == "ANY":
            g = ctx.name("g")
            ctx.gaps.append(g)
            return _Node(f"(?P<{g}> [^ ]+)", False, None), i + 1
        if name == "NUM":
            return _Node(" [^ ]*[0-9][^ ]*", False, frozenset({("d", "")})), i + 1
        if name == "CAP":
            g = ctx.name("c")
            ctx.caps.append(g)
            return _Node(f"(?P<{g}> [^ ]+)", False, None), i + 1
        if name not in ctx.macros:
            raise _PatternSyntaxError(f"unknown macro <{name}>")
        if name in ctx.expanding:
            raise _PatternSyntaxError(f"macro <{name}> refers to itself ({' -> '.join((*ctx.expanding, name))})")
        sub = _lex_pattern(ctx.macros[name])
        outer = ctx.expanding
        ctx.expanding = (*outer, name)
        try:
            node, j = _parse_alts([*sub, ")"], 0, ctx, ")")
        finally:
            ctx.expanding = outer
        if j != len(sub) + 1:
            raise _PatternSyntaxError(f"macro <{name}>: unexpected {sub[j - 1]!r}")
        return node, i + 1
    if t in ")]|":
        raise _PatternSyntaxError(f"unexpected {t!r}")
    return _literal(t), i + 1


def compile_pattern(source: str, macros: dict[str, str] | None = None) -> CompiledPattern:
    """Compile one pattern of the lexicon language (documented in schema/lexicon.schema.json)."""
    ctx = _Ctx(macros=dict(macros or {}))
    try:
        toks = _lex_pattern(source)
        node, i = _parse_seq(toks, 0, ctx, "")
        if i != len(toks):
            raise _PatternSyntaxError(f"unexpected {toks[i]!r}")
    except _PatternSyntaxError as exc:
        raise ValueError(str(exc)) from None
    if node.nullable:
        raise ValueError("pattern can match nothing at all: it needs at least one required word")
    return CompiledPattern(
        re.compile(node.regex + "(?= )"), source, tuple(ctx.gaps), tuple(ctx.caps), node.anchors
    )


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
    errors = sorted(validator(SCHEMA_NAME).iter_errors(data), key=lambda e: (len(e.absolute_path), str(e.path)))
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
                examples=tuple(raw.get("examples", [])),
                counter_examples=tuple(raw.get("counterExamples", [])),
            )
        )
    return Lexicon(file, data["language"], data["version"], tuple(entries), scope)


# --------------------------------------------------------------------------------------------------
# Matcher
# --------------------------------------------------------------------------------------------------


def _combine(patterns: Iterable[CompiledPattern]) -> re.Pattern[str] | None:
    sources = [p.regex.pattern for p in patterns]
    if not sources:
        return None
    # group names are unique per pattern only: strip them (scope cues do not need their gaps)
    cleaned = [re.sub(r"\(\?P<[a-z]\d+>", "(?:", s) for s in sources]
    return re.compile("|".join(f"(?:{s})" for s in cleaned))


class Matcher:
    """All loaded lexicons compiled together; stateless after construction (safe to share)."""

    def __init__(self, lexicons: Sequence[Lexicon]) -> None:
        self.lexicons = tuple(lexicons)
        self.version = ";".join(f"{lx.language}:{lx.version}" for lx in lexicons)
        self._items: list[tuple[Entry, CompiledPattern, str]] = []  # (entry, pattern, language)
        self._by_word: dict[str, list[int]] = {}
        self._by_prefix: dict[str, list[int]] = {}
        self._digit: list[int] = []
        self._always: list[int] = []
        for lx in lexicons:
            for entry in lx.entries:
                for pat in entry.patterns:
                    idx = len(self._items)
                    self._items.append((entry, pat, lx.language))
                    if pat.anchors is None:
                        self._always.append(idx)
                        continue
                    for kind, word in pat.anchors:
                        if kind == "w":
                            self._by_word.setdefault(word, []).append(idx)
                        elif kind == "p":
                            self._by_prefix.setdefault(word, []).append(idx)
                        else:
                            self._digit.append(idx)
        self._prefix_lengths = sorted({len(p) for p in self._by_prefix})
        self._scope = {
            key: _combine(p for lx in lexicons for p in lx.scope[key]) for key in _SCOPE_KEYS
        }

    # candidate patterns whose anchor word occurs in the text
    def _candidates(self, folded_tokens: Sequence[str], langs: Sequence[str]) -> list[int]:
        found: set[int] = set(self._always)
        by_word, by_prefix, lengths = self._by_word, self._by_prefix, self._prefix_lengths
        has_digit = False
        for tok in set(folded_tokens):
            hits = by_word.get(tok)
            if hits:
                found.update(hits)
            for n in lengths:
                if n > len(tok):
                    break
                hits = by_prefix.get(tok[:n])
                if hits:
                    found.update(hits)
            if not has_digit and any(c.isdigit() for c in tok):
                has_digit = True
        if has_digit:
            found.update(self._digit)
        rank = {lang: n for n, lang in enumerate(langs)}
        return sorted(found, key=lambda i: (rank.get(self._items[i][2], len(rank)), i))

    def run(self, text: str, language: str | None, kind: str) -> list[tuple[Entry, int, int]]:
        """(entry, original start, original end) of every accepted hit of entries of `kind`."""
        if not text:
            return []
        tokens = tokenize(text)
        if not tokens:
            return []
        return _Run(self, text, tokens).hits(kind, _languages(language, self.lexicons))


def _languages(language: str | None, lexicons: Sequence[Lexicon]) -> list[str]:
    all_langs = [lx.language for lx in lexicons]
    if language:
        primary = re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]
        if primary in all_langs:
            return [primary, *(x for x in all_langs if x != primary)]
    return all_langs


_SENTENCE_CHARS = frozenset(".!?;…¿¡\n")
_CLAUSE_CHARS = frozenset(",:()[]{}\"“”«»„—–/|")
_QUOTE_PAIRS = {'"': '"', "“": "”", "«": "»", "„": "“", "‘": "’", "'": "'"}


class _Run:
    """One text: tokens, folded string, clause structure and scope cues, computed lazily."""

    def __init__(self, matcher: Matcher, text: str, tokens: list[Token]) -> None:
        self.m = matcher
        self.text = text
        self.tokens = tokens
        folded = [t.folded for t in tokens]
        self.folded_tokens = folded
        starts: list[int] = []
        pos = 1
        for f in folded:
            starts.append(pos)
            pos += len(f) + 1
        self.starts = starts
        self.s = " " + " ".join(folded) + " "
        self._scope_ready = False

    def tok_at(self, pos: int) -> int:
        return bisect_right(self.starts, pos) - 1

    def span_tokens(self, a: int, b: int) -> tuple[int, int]:
        """Token range [first, last] of a regex match [a, b) on the folded string (a at a space)."""
        return self.tok_at(a + 1), self.tok_at(b - 1)

    # ------------------------------------------------------------------ scope
    def _ensure_scope(self) -> None:
        if self._scope_ready:
            return
        self._scope_ready = True
        n = len(self.tokens)
        sent_start = [0] * n
        clause_break = [False] * n
        question_open = [False] * n
        cur_sent = 0
        for i, tok in enumerate(self.tokens):
            gap = tok.gap_before
            if i == 0 or any(c in _SENTENCE_CHARS for c in gap):
                cur_sent = i
                clause_break[i] = True
                question_open[i] = "¿" in gap
            elif any(c in _CLAUSE_CHARS for c in gap):
                clause_break[i] = True
            sent_start[i] = cur_sent
        for a, _b in self._cue_spans("clauseBoundaries"):
            clause_break[a] = True
        clause_start = [0] * n
        cur = 0
        for i in range(n):
            if clause_break[i]:
                cur = i
            clause_start[i] = cur
        self.sent_start = sent_start
        self.clause_start = clause_start
        # sentence end token -> is a question ("¿" opening it or "?" closing it)
        sent_end: dict[int, int] = {}
        for i in range(n):
            sent_end[sent_start[i]] = i
        tail = self.text[self.tokens[-1].end :]
        self.question_sentences: set[int] = set()
        for s0, s1 in sent_end.items():
            after = self.tokens[s1 + 1].gap_before if s1 + 1 < n else tail
            if question_open[s0] or "?" in after:
                self.question_sentences.add(s0)
        conds = self._cue_spans("conditionalMarkers")
        cond_ends = sorted(b for _a, b in conds)
        neg: list[int] = []
        for a, _b in self._cue_spans("negationCues"):
            k = bisect_right(cond_ends, a)  # a marker may include the cue itself ("de no", "al no")
            governed = k > 0 and cond_ends[k - 1] >= a - CONDITIONAL_WINDOW and cond_ends[k - 1] >= clause_start[a]
            if not governed:
                neg.append(a)
        self.neg_starts = neg
        self.post_neg_starts = [a for a, _b in self._cue_spans("postNegators")]
        self.hedge_sentences = {sent_start[a] for a, _b in self._cue_spans("hedgeCues")}
        self.reported_speech = sorted(b for _a, b in self._cue_spans("reportedSpeechCues"))
        self._quotes: list[tuple[int, int]] | None = None

    def _cue_spans(self, key: str) -> list[tuple[int, int]]:
        rx = self.m._scope[key]
        if rx is None:
            return []
        return [self.span_tokens(mm.start(), mm.end()) for mm in rx.finditer(self.s) if mm.end() > mm.start()]

    def quotes(self) -> list[tuple[int, int]]:
        """Quoted passages attributed to someone: (first token, last token) inside quotes with a reporting verb."""
        if self._quotes is not None:
            return self._quotes
        spans = _quote_spans(self.text)
        out: list[tuple[int, int]] = []
        if spans:
            reporting = self._cue_spans("reportingCues")
            rep_starts = [a for a, _b in reporting]
            tok_starts = [t.start for t in self.tokens]
            for qs, qe in spans:
                first = bisect_right(tok_starts, qs)
                last = bisect_right(tok_starts, qe) - 1
                if first > last:
                    continue
                lo = bisect_right(rep_starts, first - QUOTE_LOOKBACK - 1)
                before = any(first - QUOTE_LOOKBACK <= a < first for a in rep_starts[lo : lo + QUOTE_LOOKBACK + 1])
                k = bisect_right(rep_starts, last)
                after = k < len(rep_starts) and rep_starts[k] <= last + QUOTE_LOOKAHEAD
                if before or after:
                    out.append((first, last))
        self._quotes = out
        return out

    # ------------------------------------------------------------------ decisions
    def negated(self, a: int, b: int, gap_tokens: Sequence[tuple[int, int]]) -> bool:
        cs = self.clause_start[a]
        lo = max(cs, a - NEGATION_WINDOW)
        negs = self.neg_starts
        k = bisect_right(negs, lo - 1)
        if k < len(negs) and negs[k] < a:
            return True
        for ga, gb in gap_tokens:
            k = bisect_right(negs, ga - 1)
            if k < len(negs) and negs[k] <= gb:
                return True
        posts = self.post_neg_starts
        k = bisect_right(posts, b)
        return k < len(posts) and posts[k] <= b + POST_NEGATION_WINDOW and self.clause_start[posts[k]] == self.clause_start[b]

    def reported(self, a: int, b: int) -> bool:
        for qa, qb in self.quotes():
            if qa <= a and b <= qb:
                return True
        k = bisect_right(self.reported_speech, a - 1)
        return k > 0 and self.sent_start[self.reported_speech[k - 1]] == self.sent_start[a]

    # ------------------------------------------------------------------ matching
    def hits(self, kind: str, langs: Sequence[str]) -> list[tuple[Entry, int, int]]:
        items = self.m._items
        out: list[tuple[Entry, int, int]] = []
        for idx in self.m._candidates(self.folded_tokens, langs):
            entry, pat, _lang = items[idx]
            if entry.kind != kind:
                continue
            for mm in pat.regex.finditer(self.s):
                a, b = self.span_tokens(mm.start(), mm.end())
                if pat.cap_groups and not all(
                    self.tokens[self.tok_at(mm.start(g) + 1)].capitalized
                    for g in pat.cap_groups
                    if mm.start(g) >= 0
                ):
                    continue
                if kind == "signal" and not self._accept(entry, pat, mm, a, b):
                    continue
                out.append((entry, self.tokens[a].start, self.tokens[b].end))
        return out

    def _accept(self, entry: Entry, pat: CompiledPattern, mm: re.Match[str], a: int, b: int) -> bool:
        self._ensure_scope()
        if entry.requires_question and self.sent_start[a] not in self.question_sentences:
            return False
        if entry.negatable:
            gaps = []
            for g in pat.gap_groups:
                gs, ge = mm.span(g)
                if ge > gs:
                    gaps.append(self.span_tokens(gs, ge))
            if self.negated(a, b, gaps):
                return False
        if entry.hedgeable and self.sent_start[a] in self.hedge_sentences:
            return False
        return not self.reported(a, b)


def _quote_spans(text: str) -> list[tuple[int, int]]:
    """(open, close) character offsets of quoted passages; apostrophes inside words are not quotes."""
    if not any(q in text for q in _QUOTE_PAIRS):
        return []
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    n = len(text)
    for i, ch in enumerate(text):
        if ch not in _QUOTE_PAIRS and ch not in ("”", "»", "’"):
            continue
        prev_alnum = i > 0 and text[i - 1].isalnum()
        next_alnum = i + 1 < n and text[i + 1].isalnum()
        if ch in ("'", "’") and prev_alnum and next_alnum:
            continue  # don't, l'agence
        if stack and ch == _QUOTE_PAIRS[stack[-1][0]]:
            opener, pos = stack.pop()
            if ch in ("'", "’") and not (i + 1 >= n or not next_alnum):
                stack.append((opener, pos))
                continue
            spans.append((pos, i))
            continue
        if ch in ("”", "»", "’"):
            continue
        if ch in ("'", "‘") and prev_alnum:
            continue
        stack.append((ch, i))
    return spans


# --------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def default_matcher() -> Matcher:
    return Matcher([load_lexicon(LEXICON_DIR / name) for name in LEXICON_FILES])


def _dedupe(spans: list[tuple[str, int, int, str]]) -> list[tuple[str, int, int, str]]:
    """Per name, keep the longest of overlapping spans (earliest first on ties); input order breaks ties."""
    kept: list[tuple[str, int, int, str]] = []
    by_name: dict[str, list[tuple[int, int]]] = {}
    for name, s, e, pid in sorted(spans, key=lambda x: (x[0], -(x[2] - x[1]), x[1])):
        taken = by_name.setdefault(name, [])
        if any(s < te and ts < e for ts, te in taken):
            continue
        taken.append((s, e))
        kept.append((name, s, e, pid))
    kept.sort(key=lambda x: (x[1], x[2], x[0]))
    return kept


def detect(text: str, language: str | None = None) -> list[Detection]:
    """Forbidden-phrase signals in `text`, negation-, conditional- and quote-aware; spans index `text`.

    `language` ("es", "en", "es-MX", ...) only orders the lexicons; both always run, since agents mix
    languages. Sorted by start offset; overlapping hits of one signal are merged into the longest.
    """
    hits = default_matcher().run(text, language, "signal")
    spans = [(e.name, s, t, e.id) for e, s, t in hits]
    return [Detection(name, s, e, pid, text[s:e]) for name, s, e, pid in _dedupe(spans)]


def find_elements(text: str, language: str | None = None) -> dict[str, list[tuple[int, int]]]:
    """Required-content elements present in `text`: element name -> sorted original spans.

    Only elements that were found appear as keys (use `.get(name, [])`). Elements are not negated.
    """
    hits = default_matcher().run(text, language, "element")
    out: dict[str, list[tuple[int, int]]] = {}
    for name, s, e, _pid in _dedupe([(en.name, s, t, en.id) for en, s, t in hits]):
        out.setdefault(name, []).append((s, e))
    return out


def _lexicon_version() -> str:
    return default_matcher().version


LEXICON_VERSION: str = _lexicon_version()
