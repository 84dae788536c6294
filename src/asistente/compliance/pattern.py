"""The lexicon pattern language (documented in schema/lexicon.schema.json), compiled to a regular
expression over the folded token string " tok1 tok2 ... tokN " (see text.py), with the words a match can
start with (the matcher's index)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from asistente.compliance.text import plain, tokenize

__all__ = ["MAX_GAP", "CompiledPattern", "best_clause", "compile_pattern"]

MAX_GAP = 8  # the widest ~N gap a pattern may use


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
    # words a match can start with: ("w", word) | ("p", prefix) | ("d", "") any number | ("c", "") any
    # capitalised word; None: it can start with any word (scanned instead of looked up)
    first: frozenset[tuple[str, str]] | None
    # what every match contains, as clauses: each clause is a set of folded words one of which is a token
    # of the match (a conjunction of disjunctions; a necessary condition only, used to skip patterns whose
    # words a text lacks). Empty: nothing known.
    clauses: tuple[frozenset[str], ...] = ()
    single: bool = False  # every match is exactly one token
    # the second token of every match: a word ("w", word) or a prefix ("p", prefix) of this set; None: unknown
    second: frozenset[tuple[str, str]] | None = None


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
    first: frozenset[tuple[str, str]] | None
    clauses: tuple[frozenset[str], ...] = ()  # see _Node.clauses: a match needs a word of each
    second: frozenset[tuple[str, str]] | None = None  # see _Node.second


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
        first = frozenset({("w", folded[0])}) if head else None
        clauses = tuple(frozenset({w}) for w in folded[:-1])
        if tail is None:
            return _Node(
                head + " " + re.escape(last) + "[^ ]*",
                False,
                first or frozenset({("p", last)}),
                clauses,
                single=not head,
            )
        # the folding of the last letter depends on the letter after it (n+b -> m, c+e -> s, ll -> y)
        regex = head + " " + re.escape(last[:-1]) + tail + "[^ ]*"
        return _Node(regex, False, first or frozenset({("p", last[:-1])}), clauses, single=not head)
    return _Node(
        "".join(" " + re.escape(w) for w in folded),
        False,
        frozenset({("w", folded[0])}),
        tuple(frozenset({w}) for w in folded),
        single=len(folded) == 1,
    )


def _seq_first(items: Sequence[_Node]) -> frozenset[tuple[str, str]] | None:
    acc: set[tuple[str, str]] = set()
    for it in items:
        if it.first is None:
            return None
        acc |= it.first
        if not it.nullable:
            break
    return frozenset(acc)


def _parse_seq(toks: list[str], i: int, ctx: _Ctx, closers: str) -> tuple[_Node, int]:
    items: list[_Node] = []
    while i < len(toks) and toks[i] not in closers:
        node, i = _parse_item(toks, i, ctx)
        items.append(node)
    if not items:
        raise _PatternSyntaxError("empty sequence")
    return (
        _Node(
            "".join(n.regex for n in items),
            all(n.nullable for n in items),
            _seq_first(items),
            tuple(c for n in items for c in n.clauses),
            single=len(items) == 1 and items[0].single,
            second=_seq_second(items),
        ),
        i,
    )


def _seq_second(items: Sequence[_Node]) -> frozenset[tuple[str, str]] | None:
    """The second token of every match of the sequence, when its first item is one token and something
    after it must consume one (a word or a prefix; None when unknown)."""
    rest = items[1:]
    if not items[0].single or all(n.nullable for n in rest):
        return None
    follow = _seq_first(rest)
    if follow is None or any(kind not in ("w", "p") for kind, _w in follow):
        return None
    return follow


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
    first: frozenset[tuple[str, str]] | None = frozenset()
    for a in alts:
        first = None if a.first is None or first is None else first | a.first
    # a match matches one alternative, so it holds a word of that alternative's clause: of the union
    clauses: tuple[frozenset[str], ...] = ()
    if all(a.clauses for a in alts):
        clauses = (frozenset().union(*(best_clause(a.clauses) for a in alts)),)
    regex = "(?:" + "|".join(a.regex for a in alts) + ")"
    return _Node(regex, any(a.nullable for a in alts), first, clauses, single=all(a.single for a in alts)), i


def _parse_item(toks: list[str], i: int, ctx: _Ctx) -> tuple[_Node, int]:
    t = toks[i]
    if t == "!":
        if i + 1 >= len(toks):
            raise _PatternSyntaxError("'!' must be followed by a word or group")
        node, j = _parse_item(toks, i + 1, ctx)
        if node.nullable:
            raise _PatternSyntaxError("'!' needs something that consumes a word")
        return _Node(f"(?!{node.regex}(?= ))", True, frozenset()), j
    if t == "(":
        return _parse_alts(toks, i + 1, ctx, ")")
    if t == "[":
        node, j = _parse_alts(toks, i + 1, ctx, "]")
        return _Node(f"(?:{node.regex})?", True, node.first), j
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
            return _Node(f"(?P<{g}> [^ ]+)", False, None, single=True), i + 1
        if name == "NUM":
            return _Node(" [^ ]*[0-9][^ ]*", False, frozenset({("d", "")}), single=True), i + 1
        if name == "CAP":
            g = ctx.name("c")
            ctx.caps.append(g)
            return _Node(f"(?P<{g}> [^ ]+)", False, frozenset({("c", "")}), single=True), i + 1
        if name not in ctx.macros:
            raise _PatternSyntaxError(f"unknown macro <{name}>")
        if name in ctx.expanding:
            raise _PatternSyntaxError(
                f"macro <{name}> refers to itself ({' -> '.join((*ctx.expanding, name))})"
            )
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
        re.compile(node.regex + "(?= )"),
        source,
        tuple(ctx.gaps),
        tuple(ctx.caps),
        node.first,
        node.clauses,
        node.second,
    )


def best_clause(clauses: Sequence[frozenset[str]], avoid: frozenset[str] = frozenset()) -> frozenset[str]:
    """The clause most likely to be missing from a text (none of `avoid`'s words, longest shortest word,
    fewest words); `clauses` not empty."""
    return max(clauses, key=lambda c: (c.isdisjoint(avoid), min(map(len, c)), -len(c)))
