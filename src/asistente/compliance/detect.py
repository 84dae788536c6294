"""Forbidden-phrase signals and required-content elements in Spanish and English texts.

The patterns are data (`lexicon/es.json`, `lexicon/en.json`, validated against
`schema/lexicon.schema.json`); this module compiles them once, matches them over folded tokens (see
`text.py`) and decides, per hit, whether the surrounding text takes it back:

- negation: a negation cue ("no", "nunca", "nadie", "never", "cannot", ...) in the same clause, at most
  `NEGATION_WINDOW` tokens before the hit, or inside a `~N`/`<ANY>` gap of the hit ("you will *not be*
  arrested"), or a post-negator right after it ("prisión por deudas *no existe*"). Clauses end at
  punctuation and at the lexicon's clause boundaries ("pero", "sino", "but", "y lo ...", "and we ...").
  A negation cue governed by a conditional marker ("si no paga", "if you don't pay") negates only the
  condition, not the threat, so it is ignored. A "ni"/"nor" continues the negation before it in the sentence (it is governed, or not, like that
  one); "no" after a determiner and before a noun ("el no pago", "su no presentación") is not a cue;
- transcript turns: in a text with speaker labels, a line spoken by the debtor or a third party
  ("Deudor: ¿me van a meter preso?", "Consumer: will I be arrested?") is not the collector's speech
  and yields no signal (a lone "Cliente:" salutation with no other label is not a turn);
- sentence ends: a hit may not run over a real sentence end ("... juez civil. No es ...");
- letterheads: entries whose id contains ".masthead" count only on a letterhead or signature line
  (first three lines or the last one, ending within a few words or at a header separator), and not
  when the line or the one before names the authority as complaint channel or supervisor;
- subsumption: an insult in the same sentence as a publication threat is part of the shaming; a court
  named inside a "calling from the court" claim is the impersonation, not a court-styled document; an
  intimidation hit inside an arrest-threat hit is the arrest threat;
- hedges: entries marked `hedgeable` (seizure) are dropped when the sentence states a true legal
  condition ("si un juez lo ordena", "podría", "if a court orders it");
- quoted or reported speech of someone else: a hit inside quotes introduced or followed by a reporting
  verb or a denial ("el cliente dijo: '...'", `he said "..."`, `"...". No, eso no es así`), or after a
  reported-speech cue in the same sentence ("el cliente dijo que ...", "you said you were worried ...",
  "si alguien le amenaza con ..."). Commas do not end reported speech; a lexicon clause boundary that is
  not a conditional ("así que", "so") does: the speaker's own voice resumes there.
- victims and complaint channels: a crime word in a sentence about identity theft ("presentar una denuncia
  por robo de identidad") is advice to the debtor; an authority in a sentence about a complaint ("si tenés
  algún reclamo, podés hacerlo en Defensa del Consumidor") is where to complain, not who is calling;
- beneficiaries: a third party right after "proteger a", "ayudar a" is not the one who will be told;
- speaker labels: a hit never runs over into the next transcript turn ("... for him?\nAGENT: It's ..."), and
  elements (debt mention, ...) in a debtor's or third party's turn ("VECINA: ¿Es por una deuda?") don't count;
- conditions: a negation cue right before a payment verb after a conditional marker in the same clause is the
  condition however far the marker is ("if the balance on your card isn't paid by Friday we will sue");
- company names: a person named as account holder whose name the text uses elsewhere (the creditor) is not a
  person; "unos compañeros", "our colleagues" are the collector's people, not the debtor's third parties; data
  published "en DICOM", "en Infocorp" is the credit report, not public shaming;
- urgency: a deadline or "it is already filed" claim in a sentence that carries a legal threat (seizure,
  arrest, crime, court paper, lawsuit) is part of that threat ("hoy se ejecuta el embargo").

Elements (presence detectors for required content) are never negated.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import compress
from pathlib import Path
from typing import Any

# The pattern language lives in pattern.py and the loader in lexicon_loader.py (re-exported here).
from asistente.compliance.lexicon_loader import (
    _SCOPE_KEYS,
    Entry,
    Lexicon,
    LexiconError,
    Vocabulary,
    load_lexicon,
)
from asistente.compliance.pattern import CompiledPattern, best_clause, compile_pattern
from asistente.compliance.text import Tokens, plain

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
        "CLAIMED_LAWSUIT",
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

NEGATION_WINDOW = 8  # tokens before a hit searched for a negation cue (same clause only)
CONDITIONAL_WINDOW = 4  # a conditional marker this close before a negation cue neutralises it
POST_NEGATION_WINDOW = 4  # tokens after a hit searched for a post-negator (same clause only)
QUOTE_LOOKBACK = 8  # tokens before an opening quote searched for a reporting verb
QUOTE_LOOKAHEAD = 4  # tokens after a closing quote searched for a reporting verb
NOT_AFTER_WINDOW = 6  # words before a hit where an entry's notAfter patterns may start


@dataclass(frozen=True)
class Detection:
    signal: str  # one of SIGNALS
    start: int  # span in the ORIGINAL text (not the normalised one)
    end: int
    pattern_id: str  # id of the lexicon entry that matched
    excerpt: str  # original text[start:end]


# --------------------------------------------------------------------------------------------------
# Matcher
# --------------------------------------------------------------------------------------------------


_MatchFn = Callable[..., "re.Match[str] | None"]


@dataclass(frozen=True)
class _Item:
    entry: Entry | None  # a lexicon entry, or None for a scope cue
    scope_key: str | None
    pattern: CompiledPattern
    language: str


class Matcher:
    """All loaded lexicons compiled together; immutable after construction (safe to share between threads).

    Every pattern is indexed by the words it can start with; a text is scanned once, word by word, and a
    pattern's regex is tried only where one of its first words occurs (patterns that can start with any
    word are scanned with `finditer`). Scope cues go through the same index.
    """

    def __init__(self, lexicons: Sequence[Lexicon]) -> None:
        self.lexicons = tuple(lexicons)
        self.vocab = Vocabulary(self.lexicons)
        self.version = ";".join(f"{lx.language}:{lx.version}" for lx in lexicons)
        self.languages = [lx.language for lx in lexicons]
        items: list[_Item] = []
        for lx in lexicons:
            for entry in lx.entries:
                items.extend(_Item(entry, None, pat, lx.language) for pat in entry.patterns)
            for key in _SCOPE_KEYS:
                items.extend(_Item(None, key, pat, lx.language) for pat in lx.scope[key])
        self.items = tuple(items)
        by_word: dict[str, list[int]] = {}
        by_prefix: dict[str, list[int]] = {}
        self._digit: tuple[int, ...] = ()
        self._cap: tuple[int, ...] = ()
        digit: list[int] = []
        cap: list[int] = []
        scan: list[int] = []
        for idx, item in enumerate(items):
            first = item.pattern.first
            if first is None:
                scan.append(idx)
                continue
            for kind, word in first:
                target = {"w": by_word, "p": by_prefix}.get(kind)
                if target is not None:
                    target.setdefault(word, []).append(idx)
                elif kind == "d":
                    digit.append(idx)
                else:
                    cap.append(idx)
        self._by_word = {k: tuple(v) for k, v in by_word.items()}
        self._by_prefix = {k: tuple(v) for k, v in by_prefix.items()}
        self._prefix_lengths = tuple(sorted({len(p) for p in by_prefix}))
        self._digit, self._cap, self._scan = tuple(digit), tuple(cap), tuple(scan)
        self._word_cache: dict[str, tuple[int, ...]] = {}
        # word -> ((item index, its compiled regex's bound `match`), ...): what the scan tries at a word,
        # resolved once per distinct word (the per-token loop does no attribute look-ups)
        # (word, next word) -> (item indices, ((item index, bound regex match), ...)) in index order
        self._match_cache: dict[
            tuple[str, str], tuple[tuple[int, ...], tuple[tuple[int, _MatchFn], ...]]
        ] = {}
        # word -> (item indices, (index, bound match) pairs, each item's `_second` or None when all are None)
        self._word_base: dict[str, tuple[tuple[int, ...], tuple[tuple[int, _MatchFn], ...], Any]] = {}
        # per item: (words, prefixes) one of which the second token of every match is, or None (unknown)
        self._second: tuple[tuple[frozenset[str], tuple[str, ...]] | None, ...] = tuple(
            None
            if item.pattern.second is None
            else (
                frozenset(w for kind, w in item.pattern.second if kind == "w"),
                tuple(sorted(w for kind, w in item.pattern.second if kind == "p")),
            )
            for item in items
        )
        # Gates: a pattern whose every match holds one of the words of a clause (pattern.clauses; the clause
        # least likely in a text is chosen) is tried only in texts that have one of those words as a token.
        gated: list[bool] = []
        by_key: dict[str, list[int]] = {}
        for idx, item in enumerate(items):
            clauses = item.pattern.clauses
            if not clauses:
                gated.append(False)
                continue
            firsts = frozenset(w for kind, w in item.pattern.first or () if kind == "w")
            gated.append(True)
            for word in best_clause(clauses, firsts):
                by_key.setdefault(word, []).append(idx)
        self._gated = tuple(gated)
        self._ungated = frozenset(idx for idx, g in enumerate(gated) if not g)
        self._by_key = {k: tuple(v) for k, v in by_key.items()}
        self._cap_matches = tuple((idx, items[idx].pattern.regex.match) for idx in self._cap)
        self.run_for = lru_cache(maxsize=8)(self._run)

    def _word_candidates(self, word: str) -> tuple[int, ...]:
        hit = self._word_cache.get(word)
        if hit is not None:
            return hit
        found: list[int] = list(self._by_word.get(word, ()))
        for n in self._prefix_lengths:
            if n > len(word):
                break
            found.extend(self._by_prefix.get(word[:n], ()))
        if any(c.isdigit() for c in word):
            found.extend(self._digit)
        out = tuple(sorted(set(found)))
        if len(self._word_cache) > 100_000:
            self._word_cache.clear()
        self._word_cache[word] = out
        return out

    def _match_candidates(
        self, word: str, nxt: str
    ) -> tuple[tuple[int, ...], tuple[tuple[int, _MatchFn], ...]]:
        """The item indices of every pattern that can start at `word` followed by the token `nxt` ("" at the
        end of the text), in index order, and the same items as (index, bound regex match) pairs. A pattern
        whose second token is known (pattern.second) is left out when `nxt` cannot be it."""
        base = self._word_base.get(word)
        if base is None:
            items, second = self.items, self._second
            idxs = self._word_candidates(word)
            seconds = tuple(second[idx] for idx in idxs)
            base = (idxs, tuple((idx, items[idx].pattern.regex.match) for idx in idxs), seconds)
            if all(sec is None for sec in seconds):
                base = (idxs, base[1], None)  # nothing to filter by the next token
            if len(self._word_base) > 100_000:
                self._word_base.clear()
            self._word_base[word] = base
        idxs, pairs, seconds = base
        if seconds is None:
            out = (idxs, pairs)
        else:
            keep = [sec is None or nxt in sec[0] or (bool(nxt) and nxt.startswith(sec[1])) for sec in seconds]
            out = (tuple(compress(idxs, keep)), tuple(compress(pairs, keep)))
        if len(self._match_cache) > 200_000:
            self._match_cache.clear()
        self._match_cache[word, nxt] = out
        return out

    def _run(self, text: str) -> _Run:
        return _Run(self, text)

    def hits(self, text: str, language: str | None, kind: str) -> list[tuple[Entry, int, int]]:
        """(entry, original start, original end) of every accepted hit of entries of `kind`."""
        if not text:
            return []
        return self.run_for(text).hits(kind, _languages(language, self.languages))


def _languages(language: str | None, all_langs: Sequence[str]) -> list[str]:
    return list(_languages_of(language, tuple(all_langs)))


@lru_cache(maxsize=256)
def _languages_of(language: str | None, all_langs: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_order_languages(language, all_langs))


def _order_languages(language: str | None, all_langs: Sequence[str]) -> list[str]:
    if language:
        primary = re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]
        if primary in all_langs:
            return [primary, *(x for x in all_langs if x != primary)]
    return list(all_langs)


_SENTENCE_CHARS = frozenset(".!?;…¿¡\n")
# folded stems that make "el no ..." a noun phrase: pago, cumplimiento, abono, presentación, respuesta...
_HEADER_SEPS = frozenset(".:-|–—")
# words that make an authority's name a complaint channel or the supervisor, not a sender
_ORDINAL_RE = re.compile(r"^\d{1,2}(?:er|ro|do|to|vo|no|a|o|°|º|ª|st|nd|rd|th)?$", re.I)
_SENTENCE_END_RE = re.compile(r"[.!?]\s+(?=[¿¡A-ZÁÉÍÓÚÑ])")
MASTHEAD_TAIL = 6  # words a letterhead line may carry after the authority's name
# A speaker label opening a transcript line: "Deudor:", "Cliente (llorando):", "Debtor:"
_LABEL_RE = re.compile(r"^[ \t]*([^\W\d_]+(?:[ /][^\W\d_]+)?)[ \t]*(?:\([^)\n]*\))?[ \t]*:", re.M)
# The same label inline, in an all-caps word after a sentence end: "... ¿Me van a meter preso? AGENTE: No, ..."
_INLINE_LABEL_RE = re.compile(
    r"(?:^[ \t]*|(?<=[.!?…\"”»])[ \t]+)([^\W\d_a-z]{3,}(?:[ /][^\W\d_a-z]+)?)[ \t]*(?:\([^)\n]*\))?:"
)
# Labels of turns that are not the collector's own words (debtor, co-debtor, third parties)
# A negation of the speaker's wish is not a negation of what follows: "no queremos llegar a embargarle",
# "no querrá que su esposa se entere", "we wouldn't want to have to call your boss" are veiled threats.
# A negation of ruling out, deciding or promising leaves the threat open: "no descartamos demandarle",
# "we have not ruled out legal action", "we haven't decided yet whether to sue", "I can't promise you won't
# be sued", "no podemos garantizar que no lo embarguen". The cue is not a negation of what follows, and a
# second cue in the same clause ("... you won't be sued") sits inside that open possibility.
_OPEN_SPAN = 7
# payment verbs: a negation cue right before one of these, after a conditional marker in the same clause,
# is the condition ("si el saldo de su tarjeta no se paga", "if the balance isn't paid")


def _leaves_open(v: Vocabulary, folded: Sequence[str], a: int) -> bool:
    """The negation cue at `a` negates ruling out or promising ("no descartamos", "not ruled out", "can't
    promise"), so the threat after it stays possible."""
    for k in range(a + 1, min(a + 3, len(folded))):
        if folded[k].startswith(v.open_after_negation):
            return True
        if folded[k] == "rule" and k + 1 < len(folded) and folded[k + 1] == "out":
            return True
    return False


def _negates_payment(v: Vocabulary, folded: Sequence[str], a: int) -> bool:
    """The negation cue at `a` negates a payment ("isn't paid", "no se paga", "not received")."""
    return any(folded[k].startswith(v.pay_stems) for k in range(a + 1, min(a + 4, len(folded))))


# a negation cue right after "sabiendo que", "knowing you" negates the debtor's intent to pay, not the
# accusation after it ("usar la tarjeta sabiendo que no la va a pagar constituye estafa")
# words that may sit between such a cue and the payment verb it negates ("no la va a pagar", "won't ever pay")
# one-word answers that deny the question before them ("Your court date? None.", "¿Embargo? Ninguno.")


_DISCLAIMS_COURT = re.compile(
    r"\b(?:(?:este|esta|el presente|la presente) (?:correo|mensaje|carta|comunicacion|aviso|sms|escrito|"
    r"documento|email|e-mail|whatsapp) no (?:es|constituye|tiene caracter de|tiene valor de) (?:una |un |ninguna |"
    r"ningun )?(?:notificacion|citacion|emplazamiento|requerimiento|documento|resolucion|cedula|orden|demanda|"
    r"aviso)(?: judicial| oficial| legal| de un juzgado| de ningun juzgado| del juzgado| de un tribunal)"
    r"|this (?:message|letter|email|e-mail|text|notice|communication) (?:is not|isnt|does not constitute) "
    r"(?:a |an )?(?:court|legal|judicial|official) (?:document|notice|summons|order|paper|papers|filing))\b"
)


def _knowing_nonpayment(v: Vocabulary, folded: Sequence[str], a: int) -> bool:
    """The negation cue at `a` sits in a "knowing that (one) won't pay" clause and negates that payment."""
    if not any(folded[k] in v.knowing for k in range(max(0, a - 3), a)):
        return False
    k = a + 1
    while k < min(a + 6, len(folded)) and folded[k] in v.pay_auxiliaries:
        k += 1
    return k < len(folded) and folded[k].startswith(v.pay_stems)


def _rhetorical(v: Vocabulary, folded: Sequence[str], a: int) -> bool:
    """The negation cue at `a` negates a wish ("no queremos", "no le conviene"), not the threat after it."""
    nxt = folded[a + 1] if a + 1 < len(folded) else ""
    if nxt in v.wish_after_negation:
        return True
    if nxt in v.wish_after_negation_pronouns and a + 2 < len(folded):
        return folded[a + 2].startswith(v.wish_verbs)
    return False


# words that make an impersonation claim a claim to be the police or the prosecution
# words that make a sentence about a complaint the DEBTOR files as a victim of identity theft: a
# "denuncia ante el Ministerio Público" there is advice, not an accusation against the debtor
# words that make a sentence a complaint channel ("si tenés algún reclamo ..., podés hacerlo en Defensa
# del Consumidor"): an authority named there is where to complain, not who is calling
# indefinite subjects of an authority claim in a warning about impostors
# entries whose urgency or "it is already filed" claim is the legal threat itself ("hoy se ejecuta el
# embargo", "ya está girada la orden y la patrulla le va a llegar"): in a sentence that already carries
# that threat they are part of it, not a separate deceit (the corpus labels only false permanence and
# balances that multiply by law as MISREPRESENTATION)
# a third party right after one of these is who the debtor protects or helps ("le explicaremos cómo proteger
# a su familia"), not who will be told
# a court named as the place a threatened suit is filed or heard, not a caption
_VENUE_RE = re.compile(r"\bcourt (of|for)$")
_FILING_RE = re.compile(
    r"\b(file|files|filed|filing|sue|sues|sued|suing|lawsuit|complaint|heard|brought|litigate)\b"
)
# legal concepts that a true condition names ("solo una resolución judicial permitiría ..."); a hedge in
# the sentence makes them the condition, not a court-styled paper
_ENTITY_SUFFIX = re.compile(
    r" (s a c|s a s|s a a|s a|sa|sac|sas|saa|s l|sl|s r l|srl|s c|spa|ltda|eirl|e i r l|sofom|de c v|"
    r"s de r l|inc|llc|l l c|corp|ltd|lp|s en c) "
)
# intimidation that is the arrest itself when an arrest threat is in the same sentence
# credit registers: publishing the data there is the (lawful) report, not exposure to the public
_URGENCY_IDS = (".deception.deadline", ".deception.lawyers")
_LEGAL_THREATS = frozenset(
    {
        "ARREST_THREAT",
        "SEIZURE_THREAT",
        "CRIMINAL_ACCUSATION",
        "FAKE_COURT_DOCUMENT",
        "LAWSUIT_THREAT",
        "CLAIMED_LAWSUIT",
    }
)
_CLAUSE_CHARS = frozenset(',:()[]{}"“”«»„—–/|')
_QUOTE_PAIRS = {'"': '"', "“": "”", "«": "»", "„": "“", "‘": "’", "'": "'"}


class _Run:
    """One text: tokens, every raw pattern match, and (lazily) its clause structure and scope decisions."""

    def __init__(self, matcher: Matcher, text: str) -> None:
        self.v = matcher.vocab
        self.m = matcher
        self.text = text
        tk = Tokens(text)
        self.tk = tk
        folded = tk.folded
        spos: list[int] = []
        pos = 1
        for f in folded:
            spos.append(pos)
            pos += len(f) + 1
        self.spos = spos
        s = " " + " ".join(folded) + " "
        self.s = s
        items = matcher.items
        raw_hits: list[tuple[int, re.Match[str], int]] = []  # (item index, match, first token)
        cache_get = matcher._match_cache.get
        resolve = matcher._match_candidates
        cap = matcher._cap_matches
        raws = tk.raws
        append = raw_hits.append
        # the gated patterns this text can hold (one of their gate words is a token of it)
        by_key = matcher._by_key
        ok = set(matcher._ungated)
        for w in set(folded):
            ids = by_key.get(w)
            if ids is not None:
                ok.update(ids)
        has = ok.__contains__
        tried: dict[tuple[str, str], tuple[tuple[int, _MatchFn], ...]] = {}
        for i, pair in enumerate(zip(folded, [*folded[1:], ""], strict=False)):  # "" after the last
            cands = tried.get(pair)
            if cands is None:
                every = cache_get(pair)
                if every is None:
                    every = resolve(*pair)
                cands = tried[pair] = tuple(compress(every[1], map(has, every[0])))
            if cap and raws[i][:1].isupper():
                cands = cands + cap
            if not cands:
                continue
            at = spos[i] - 1
            for idx, match in cands:
                mm = match(s, at)
                if mm is not None:
                    append((idx, mm, i))
        for idx in matcher._scan:
            for mm in items[idx].pattern.regex.finditer(s):
                raw_hits.append((idx, mm, self.tok_at(mm.start() + 1)))
        self.entry_hits: list[tuple[_Item, re.Match[str], int, int]] = []
        self.cues: dict[str, list[tuple[int, int]]] = {k: [] for k in _SCOPE_KEYS}
        for idx, mm, a in raw_hits:
            item = items[idx]
            pat = item.pattern
            if pat.cap_groups and not all(
                raws[bisect_right(spos, mm.start(g) + 1) - 1][:1].isupper()
                for g in pat.cap_groups
                if mm.start(g) >= 0
            ):
                continue
            b = bisect_right(spos, mm.end() - 1) - 1
            if item.scope_key is not None:
                self.cues[item.scope_key].append((a, b))
            else:
                self.entry_hits.append((item, mm, a, b))
        for spans in self.cues.values():
            spans.sort()
        self._scope_ready = False
        self._quotes: list[tuple[int, int]] | None = None
        self._turns: list[tuple[int, int]] | None = None

    def tok_at(self, pos: int) -> int:
        return bisect_right(self.spos, pos) - 1

    def span_tokens(self, a: int, b: int) -> tuple[int, int]:
        """Token range [first, last] of a regex span [a, b) on the folded string (a at a space)."""
        return self.tok_at(a + 1), self.tok_at(b - 1)

    # ------------------------------------------------------------------ scope
    def _ensure_scope(self) -> None:
        if self._scope_ready:
            return
        self._scope_ready = True
        gaps = self.tk.gaps
        n = len(self.tk)
        sent_start = [0] * n
        clause_break = [False] * n
        question_open = [False] * n
        cur_sent = 0
        for i in range(n):
            gap = gaps[i]
            if i == 0 or not _SENTENCE_CHARS.isdisjoint(gap):
                cur_sent = i
                clause_break[i] = True
                question_open[i] = "¿" in gap
            elif not _CLAUSE_CHARS.isdisjoint(gap):
                clause_break[i] = True
            sent_start[i] = cur_sent
        # Reported speech runs to the end of the sentence across commas ("el cliente dijo que, si no
        # pagaba, lo iban a embargar") but stops where a lexicon clause boundary starts a new clause in
        # the speaker's own voice ("..., así que lo vamos a embargar"); a boundary that is also a
        # conditional ("si no") stays inside the report ("dijo que, si no pagaba, lo iban a ...").
        voice_break = [sent_start[i] == i for i in range(n)]
        cond_starts = {a for a, _b in self.cues["conditionalMarkers"]}
        for a, _b in self.cues["clauseBoundaries"]:
            clause_break[a] = True
            if a not in cond_starts:
                voice_break[a] = True
        clause_start = [0] * n
        voice_start = [0] * n
        cur = cur_voice = 0
        for i in range(n):
            if clause_break[i]:
                cur = i
            if voice_break[i]:
                cur_voice = i
            clause_start[i] = cur
            voice_start[i] = cur_voice
        self.sent_start = sent_start
        self._sent_plain: dict[int, str] = {}
        self.clause_start = clause_start
        self.voice_start = voice_start
        sent_end: dict[int, int] = {}
        for i in range(n):
            sent_end[sent_start[i]] = i
        self.sent_end = sent_end
        self.question_sentences: set[int] = set()
        for s0, s1 in sent_end.items():
            if question_open[s0] or "?" in gaps[s1 + 1]:
                self.question_sentences.add(s0)
        cond_ends = sorted(b for _a, b in self.cues["conditionalMarkers"])
        neg: list[int] = []
        folded = self.tk.folded
        last_cue: tuple[int, bool] | None = None  # (sentence start, governed) of the previous cue
        open_until = -1  # cues up to this token sit inside an open possibility ("can't promise you won't")
        open_clause = -1
        for a, _b in self.cues["negationCues"]:
            if a <= open_until and clause_start[a] == open_clause:
                continue
            if _leaves_open(self.v, folded, a):
                open_until, open_clause = a + _OPEN_SPAN, clause_start[a]
                continue
            k = bisect_right(cond_ends, a)  # a marker may include the cue itself ("de no", "al no")
            governed = (
                k > 0 and cond_ends[k - 1] >= a - CONDITIONAL_WINDOW and cond_ends[k - 1] >= clause_start[a]
            )
            if (
                not governed
                and k > 0
                and cond_ends[k - 1] >= clause_start[a]
                and _negates_payment(self.v, folded, a)
            ):
                # "if the balance on your card isn't paid by Friday we will sue you": the cue negates the
                # payment the condition is about, however long the subject before it
                governed = True
            if not governed and _knowing_nonpayment(self.v, folded, a):
                governed = True  # "sabiendo que no la va a pagar": the intent, not a denial of the threat
            if (
                folded[a] == "no"
                and a > 0
                and a + 1 < len(folded)
                and folded[a - 1] in self.v.determiners
                and folded[a + 1].startswith(self.v.nominal_after_no)
            ):
                continue  # "el no pago", "su no presentación": a noun, not a negation ("él no va" is)
            if _rhetorical(self.v, folded, a):
                continue  # "no queremos llegar a ...", "no querrá que su esposa se entere": a veiled threat
            if folded[a] in self.v.coord_negation and last_cue is not None and last_cue[0] == sent_start[a]:
                # "ni"/"nor" continues the negation before it: "nadie está autorizado para cobrar X
                # ni Y" stays negated even though "para" sits between them
                governed = last_cue[1]
            last_cue = (sent_start[a], governed)
            if not governed:
                neg.append(a)
        self.neg_starts = sorted(set(neg))
        self.post_neg_starts = sorted({a for a, _b in self.cues["postNegators"]})
        self.hedge_sentences = {sent_start[a] for a, _b in self.cues["hedgeCues"]}
        self.reported_speech = sorted(b for _a, b in self.cues["reportedSpeechCues"])

    def sentence_plain(self, a: int) -> str:
        """Lower-case, accent-free text of the sentence holding token `a`, words single-spaced."""
        s0 = self.sent_start[a]
        out = self._sent_plain.get(s0)
        if out is None:
            raws = self.tk.raws[s0 : self.sent_end[s0] + 1]
            out = self._sent_plain[s0] = " ".join(plain(r) for r in raws)
        return out

    def quotes(self) -> list[tuple[int, int]]:
        """Quoted passages attributed to someone: (first token, last token) inside quotes with a reporting verb."""
        if self._quotes is not None:
            return self._quotes
        spans = _quote_spans(self.text)
        out: list[tuple[int, int]] = []
        if spans:
            # a quoted passage is someone else's words when a reporting verb introduces or follows it, or
            # when the speaker denies it right after ("'me van a embargar'. No, eso no es así")
            rep_starts = sorted(
                {a for a, _b in self.cues["reportingCues"]} | {a for a, _b in self.cues["postNegators"]}
            )
            tok_starts = self.tk.starts
            for qs, qe in spans:
                first = bisect_right(tok_starts, qs)
                last = bisect_right(tok_starts, qe) - 1
                if first > last:
                    continue
                k = bisect_right(rep_starts, first - QUOTE_LOOKBACK - 1)
                before = k < len(rep_starts) and rep_starts[k] < first
                k = bisect_right(rep_starts, last)
                after = k < len(rep_starts) and rep_starts[k] <= last + QUOTE_LOOKAHEAD
                if before or after:
                    out.append((first, last))
        self._quotes = out
        return out

    # ------------------------------------------------------------------ decisions
    def negated(self, a: int, b: int, gap_tokens: Sequence[tuple[int, int]]) -> bool:
        lo = max(self.clause_start[a], a - NEGATION_WINDOW)
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
        if (
            k < len(posts)
            and posts[k] <= b + POST_NEGATION_WINDOW
            and self.clause_start[posts[k]] == self.clause_start[b]
        ):
            return True
        return self._answered_none(b)

    def _answered_none(self, b: int) -> bool:
        """The hit ends a question answered right away by a one- or two-word denial ("Your court date?
        None.", "¿Orden de embargo? Ninguna."): the speaker raises it to rule it out."""
        s0 = self.sent_start[b]
        if s0 not in self.question_sentences:
            return False
        nxt = self.sent_end[s0] + 1
        folded = self.tk.folded
        return (
            nxt < len(folded)
            and folded[nxt] in self.v.none_answers
            and self.sent_start[nxt] == nxt
            and self.sent_end[nxt] <= nxt + 1
        )

    def preceded_by(self, patterns: Sequence[CompiledPattern], a: int) -> bool:
        """True when one of `patterns` matches words that end right before token `a` (same clause)."""
        end = self.spos[a] - 1
        s = self.s
        for k in range(max(self.clause_start[a], a - NOT_AFTER_WINDOW), a):
            at = self.spos[k] - 1
            for pat in patterns:
                mm = pat.regex.match(s, at, end + 1)
                if mm is not None and mm.end() == end:
                    return True
        return False

    def reported(self, a: int, b: int) -> bool:
        for qa, qb in self.quotes():
            if qa <= a and b <= qb:
                return True
        k = bisect_right(self.reported_speech, a - 1)
        return k > 0 and self.voice_start[self.reported_speech[k - 1]] == self.voice_start[a]

    def _other_turns(self) -> list[tuple[int, int]]:
        """Character spans of transcript turns spoken by the debtor or a third party ("Deudor: ...").

        Only in a transcript, i.e. when at least one other line carries a different speaker label (the
        agent's): a lone "Cliente:" opening an SMS is a salutation, not a turn.
        """
        if self._turns is not None:
            return self._turns
        out: list[tuple[int, int]] = []
        text = self.text
        if ":" in text:
            # line-opening labels, and all-caps labels inline after a sentence end (one-line transcripts)
            found = {m.start(1): m for m in _LABEL_RE.finditer(text)} if "\n" in text else {}
            for m in _INLINE_LABEL_RE.finditer(text):
                found.setdefault(m.start(1), m)
            labels = [(found[k], plain(found[k].group(1)).strip()) for k in sorted(found)]
            if any(lab not in self.v.other_speakers for _m, lab in labels):
                for n, (m, lab) in enumerate(labels):
                    if lab in self.v.other_speakers:
                        end = text.find("\n", m.end())
                        end = len(text) if end < 0 else end
                        if n + 1 < len(labels):
                            end = min(end, labels[n + 1][0].start(1))
                        out.append((m.end(), end))
        self._turns = out
        return out

    def _masthead(self, a: int, b: int) -> bool:
        """The hit is a letterhead or signature line: it opens one of the first three lines or the last
        line, and the line ends (or a header separator . - : | follows) within a few words."""
        text = self.text
        gaps = self.tk.gaps
        raws = self.tk.raws
        if (
            a > 0
            and "\n" not in gaps[a]
            and raws[a - 1].lower() in self.v.ordinal_suffixes
            and a > 1
            and raws[a - 2].isdigit()
        ):
            a -= 2  # "3er Juzgado Civil de Santiago": the ordinal opens the line
        elif a > 0 and "\n" not in gaps[a] and _ORDINAL_RE.match(raws[a - 1]):
            a -= 1  # "1° Juzgado", "4 Juzgado"
        if a > 0 and "\n" not in gaps[a]:
            return False
        start = self.tk.starts[a]
        before = text[:start]
        line_no = sum(1 for ln in before.split("\n") if ln.strip())
        after_nl = text.find("\n", self.tk.ends[b])
        last_line = after_nl < 0 or not text[after_nl:].strip()
        if line_no >= 3 and not last_line:
            return False
        # a regulator given as complaint channel or supervisor ("CONDUSEF 55 5340 0999 - quejas",
        # "Puede reclamar ante:\nSERNAC") is not a letterhead: look at this line and the one before
        prev_nl = before.rstrip(" \t").rfind("\n", 0, len(before.rstrip(" \t\n")))
        line_end = len(text) if after_nl < 0 else after_nl
        # a one-line message (SMS) goes on after the letterhead: only its first sentence is the letterhead's
        stop = _SENTENCE_END_RE.search(text, self.tk.ends[b], line_end)
        context = text[max(prev_nl, 0) : line_end if stop is None else stop.start()].lower()
        if any(w in context for w in self.v.channel_words):
            return False
        n = len(self.tk)
        if b + 1 >= n or "\n" in gaps[b + 1] or any(c in _HEADER_SEPS for c in gaps[b + 1]):
            return True
        k = b + 1
        while k < n and "\n" not in gaps[k] and not any(c in _HEADER_SEPS for c in gaps[k]):
            k += 1
        return k - b - 1 <= MASTHEAD_TAIL

    def _crosses_sentence(self, a: int, b: int) -> bool:
        """A hit that runs over a real sentence end ('... juez civil. No es ...': a period after a word
        of 4+ letters, then a capital); abbreviations ('Exp. N.° 12', 'Dept. of') and bare line breaks
        (letterheads) do not count."""
        gaps, raws = self.tk.gaps, self.tk.raws
        for k in range(a + 1, b + 1):
            g = gaps[k]
            if (
                any(c in ".!?;" for c in g)
                and (" " in g or "\n" in g)
                and len(raws[k - 1]) >= 4
                and (raws[k][:1].isupper() or any(c in "¿¡" for c in g))
            ):
                return True
        return False

    def _crosses_label(self, a: int, b: int) -> bool:
        """A hit that runs over into a new transcript turn ("... for him?\nAGENT: It's ..."): the speaker
        label is not part of what is said."""
        gaps, starts, text = self.tk.gaps, self.tk.starts, self.text
        for k in range(a + 1, b + 1):
            if "\n" in gaps[k] and _LABEL_RE.match(text, starts[k] - len(gaps[k]) + gaps[k].rfind("\n") + 1):
                return True
        return False

    def _in_other_turn(self, a: int) -> bool:
        turns = self._other_turns()
        if not turns:
            return False
        pos = self.tk.starts[a]
        return any(s <= pos < e for s, e in turns)

    def _accept(self, item: _Item, mm: re.Match[str], a: int, b: int) -> bool:
        entry = item.entry
        assert entry is not None
        self._ensure_scope()
        if b > a and self._crosses_sentence(a, b):
            return False
        if b > a and "\n" in self.text[self.tk.starts[a] : self.tk.ends[b]] and self._crosses_label(a, b):
            return False
        if ".masthead" in entry.id and (not self._masthead(a, b) or self._denied_by_subject(b)):
            return False
        turns = self._other_turns()
        if turns:
            pos = self.tk.starts[a]
            if any(s <= pos < e for s, e in turns):
                return False
        if entry.requires_question and self.sent_start[a] not in self.question_sentences:
            return False
        if entry.not_after and self.preceded_by(entry.not_after, a):
            return False
        if entry.negatable:
            gaps = []
            for g in item.pattern.gap_groups:
                gs, ge = mm.span(g)
                if ge > gs:
                    gaps.append(self.span_tokens(gs, ge))
            if self.negated(a, b, gaps):
                return False
        if entry.hedgeable and self.sent_start[a] in self.hedge_sentences:
            return False
        if "beneficiaryNotThirdParty" in entry.flags and any(
            plain(self.tk.raws[k]).startswith(self.v.benefit_stems) for k in range(max(a + 1, b - 3), b)
        ):
            return False
        if "creditRegisterNotPublic" in entry.flags and self._into_credit_register(b):
            return False  # "sus datos serán publicados en DICOM": the credit report, not public exposure
        if "collectorsPeople" in entry.flags and b > a and self._our_people(b):
            return False  # "vamos a mandar a unos compañeros": the collector's colleagues, not the debtor's
        if "nameUsedElsewhere" in entry.flags and b > a and self._name_used_elsewhere(b):
            return False  # "su préstamo con Finanzas Ibéricas ... a la cuenta de Finanzas Ibéricas": the creditor
        if "companyHolder" in entry.flags and self._entity_name_near(b):
            return False  # "a nombre de Inversiones Sur S.A.C.": a company's account, not a person's
        if (
            "courtConceptInHedge" in entry.flags
            and self.sent_start[a] in self.hedge_sentences
            and " ".join(plain(r) for r in self.tk.raws[a : b + 1]) in self.v.court_concepts
        ):
            return False  # "solo una resolución judicial permitiría un embargo": a true legal condition
        if "victimContext" in entry.flags and any(w in self.sentence_plain(a) for w in self.v.victim_words):
            return False
        if "complaintChannel" in entry.flags and any(
            w in self.sentence_plain(a) for w in self.v.complaint_words
        ):
            return False
        if "impostorWarning" in entry.flags and self._impostor_warning(a):
            return False  # "si alguien le llama diciendo ser de CONDUSEF ...": a warning about impostors
        return not self.reported(a, b)

    def _denied_by_subject(self, b: int) -> bool:
        """The authority is the subject of a negated verb ("CONDUSEF no cobra deudas", "The IRS doesn't
        call", "IRS does not call"): a statement about what it does not do, not a letterhead."""
        nxt = [plain(r) for r in self.tk.raws[b + 1 : b + 3]]
        if not nxt:
            return False
        if nxt[0] in self.v.subject_negations:
            return True
        return len(nxt) == 2 and nxt[0] in ("does", "do", "will", "would") and nxt[1] in ("not", "never")

    def _impostor_warning(self, a: int) -> bool:
        """An indefinite someone ("alguien", "cualquier persona", "someone", "anyone") is the subject of the
        claim earlier in its sentence: the message warns about impostors, it does not claim the authority."""
        folded = self.tk.folded
        return any(
            folded[k] in self.v.indefinite_claimants for k in range(max(self.sent_start[a], a - 6), a + 1)
        )

    def _name_used_elsewhere(self, b: int) -> bool:
        """The capitalised name ending the hit (its last two words) appears elsewhere in the text: it is the
        creditor or the company named in the message, not a private person's account."""
        raws = self.tk.raws
        first = raws[b - 1]
        if first[:1].isupper() and any(c in self.tk.gaps[b] for c in "(:,;"):
            # a one-word name closed by punctuation ("la cuenta de Crediplata (BBVA ...)"): that word alone
            one = plain(first)
            if any(k != b - 1 and raws[k][:1].isupper() and plain(raws[k]) == one for k in range(len(raws))):
                return True
        name = [plain(r) for r in raws[b - 1 : b + 1]]
        return any(
            k != b - 1 and raws[k][:1].isupper() and [plain(r) for r in raws[k : k + 2]] == name
            for k in range(len(raws) - 1)
        )

    def _into_credit_register(self, b: int) -> bool:
        folded = self.tk.folded
        nxt = folded[b + 1 : b + 4]
        return (
            len(nxt) >= 2
            and nxt[0] in ("en", "a", "al", "in", "to")
            and (
                nxt[1] in self.v.credit_registers
                or (nxt[1] in ("el", "la", "the") and nxt[2:3] and nxt[2] in self.v.credit_registers)
            )
        )

    def _our_people(self, b: int) -> bool:
        folded = self.tk.folded
        det, noun = folded[b - 1], folded[b]
        if det in self.v.our_determiners:
            return True
        return det in self.v.indefinite_determiners and noun.startswith(self.v.colleague_stems)

    def _entity_name_near(self, b: int) -> bool:
        """A legal-entity suffix (S.A., S.A.C., S.A.S., SpA, S.L., S.R.L., Ltda., EIRL, de C.V., Inc., LLC)
        ends the name at or right after token `b`: the account holder is a company."""
        raws = self.tk.raws
        lo = max(0, b - 3)
        words = " ".join(plain(r) for r in raws[lo : min(len(raws), b + 5)])
        return _ENTITY_SUFFIX.search(" " + words + " ") is not None

    def hits(self, kind: str, langs: Sequence[str]) -> list[tuple[Entry, int, int]]:
        rank = {lang: n for n, lang in enumerate(langs)}
        out: list[tuple[int, Entry, int, int]] = []
        starts, ends = self.tk.starts, self.tk.ends
        for item, mm, a, b in self.entry_hits:
            entry = item.entry
            assert entry is not None
            if entry.kind != kind:
                continue
            if kind == "signal" and not self._accept(item, mm, a, b):
                continue
            if kind == "element" and self._in_other_turn(a):
                continue  # "VECINA: ¿Es por alguna deuda?": the neighbour, not the collector, names the debt
            out.append((rank.get(item.language, len(rank)), entry, starts[a], ends[b]))
        if kind == "signal" and out:
            if any(e.name == "FAKE_COURT_DOCUMENT" for _r, e, _s, _t in out) and _DISCLAIMS_COURT.search(
                plain(self.text)
            ):
                # "Este correo no es una notificación judicial": the text itself disowns court styling
                out = [x for x in out if x[1].name != "FAKE_COURT_DOCUMENT"]
            out = self._subsume(out)
        out.sort(key=lambda x: x[0])
        return [(e, s, t) for _r, e, s, t in out]

    def _subsume(self, out: list[tuple[int, Entry, int, int]]) -> list[tuple[int, Entry, int, int]]:
        """Drop hits that are part of a graver finding: an insult used as the label of a publication
        threat ("we'll post you as a deadbeat") is the shaming; a court named in a 'calling from the
        court' claim is the impersonation, not a court-styled document; "they'll come for you" inside
        "the police will come for you" is the arrest threat."""
        self._ensure_scope()
        tok_at_char = self.tk.starts
        shame_sents = set()
        legal_sents = set()
        suit_sents = set()
        claims: list[tuple[int, int]] = []
        arrests: list[tuple[int, int]] = []
        arrest_sents: set[int] = set()
        for _r, e, s, t in out:
            if e.name in _LEGAL_THREATS:
                legal_sents.add(self.sent_start[bisect_right(tok_at_char, s) - 1])
            if e.name == "LAWSUIT_THREAT":
                suit_sents.add(self.sent_start[bisect_right(tok_at_char, s) - 1])
            if e.name == "PUBLIC_SHAMING":
                shame_sents.add(self.sent_start[bisect_right(tok_at_char, s) - 1])
            elif e.name == "AUTHORITY_IMPERSONATION" and e.id.endswith(".authority.claim"):
                claims.append((s, t))
            elif e.name == "ARREST_THREAT":
                arrests.append((s, t))
                arrest_sents.add(self.sent_start[bisect_right(tok_at_char, s) - 1])
        if not shame_sents and not claims and not arrests and not legal_sents:
            return out
        # a sender claiming to be the police or the prosecutor turns its "we'll come for you" into an
        # arrest threat: intimidation by (supposed) police after such a claim is the arrest threat
        police_from = min(
            (
                cs
                for cs, ct in claims
                if any(w in plain(self.text[cs:ct]).lower() for w in self.v.police_words)
            ),
            default=None,
        )
        kept = []
        for r, e, s, t in out:
            if e.name == "INTIMIDATION" and police_from is not None and s >= police_from:
                if not any(cs <= s and t <= ct for cs, ct in arrests):
                    kept.append((r, replace(e, name="ARREST_THREAT", id=e.id + "+police_claim"), s, t))
                continue
            if e.name == "INSULT" and self.sent_start[bisect_right(tok_at_char, s) - 1] in shame_sents:
                continue
            if (
                e.name == "FALSE_URGENCY_OR_DECEPTION"
                and e.id.endswith(_URGENCY_IDS)
                and self.sent_start[bisect_right(tok_at_char, s) - 1] in legal_sents
            ):
                continue  # "hoy se ejecuta el embargo": the urgency is part of the seizure threat
            if e.name == "FAKE_COURT_DOCUMENT" and any(cs < t and s < ct for cs, ct in claims):
                continue
            if (
                e.name == "FAKE_COURT_DOCUMENT"
                and _VENUE_RE.search(plain(self.text[s:t]).lower())
                and (
                    self.sent_start[bisect_right(tok_at_char, s) - 1] in suit_sents
                    or _FILING_RE.search(self.sentence_plain(bisect_right(tok_at_char, s) - 1))
                )
            ):
                continue  # "a complaint will be filed in the Circuit Court of ...": the suit's venue
            if (
                e.name == "CRIMINAL_ACCUSATION"
                and any(cs < t and s < ct for cs, ct in arrests)
                and not any(w in plain(self.text[s:t]).lower() for w in self.v.crime_words)
            ):
                continue  # "su caso pasará a la policía y lo detendrán": the police route is the arrest threat
            if e.name == "INTIMIDATION" and any(cs <= s and t <= ct for cs, ct in arrests):
                continue  # "they'll come for you" inside "the police will come for you" is the arrest threat
            if (
                e.name == "INTIMIDATION"
                and arrest_sents
                and self.sent_start[bisect_right(tok_at_char, s) - 1] in arrest_sents
                and any(w in plain(self.text[s:t]).lower() for w in self.v.come_for)
            ):
                continue  # "en cuanto se libere la orden de aprehensión lo van a ir a buscar": the arrest
            kept.append((r, e, s, t))
        if any(e.name == "FAKE_COURT_DOCUMENT" for _r, e, _s, _t in kept):
            # "EMPLAZAMIENTO A JUICIO ... ha sido demandado": the suit claimed is the court-styled paper's content
            kept = [k for k in kept if k[1].name != "CLAIMED_LAWSUIT"]
        return kept


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
    hits = default_matcher().hits(text, language, "signal")
    spans = [(e.name, s, t, e.id) for e, s, t in hits]
    return [Detection(name, s, e, pid, text[s:e]) for name, s, e, pid in _dedupe(spans)]


def find_elements(text: str, language: str | None = None) -> dict[str, list[tuple[int, int]]]:
    """Required-content elements present in `text`: element name -> sorted original spans.

    Only elements that were found appear as keys (use `.get(name, [])`); overlapping spans of one element
    are merged. Elements are presence detectors and are never negated.
    """
    hits = default_matcher().hits(text, language, "element")
    by_name: dict[str, list[tuple[int, int]]] = {}
    for entry, s, e in hits:
        by_name.setdefault(entry.name, []).append((s, e))
    out: dict[str, list[tuple[int, int]]] = {}
    for name in sorted(by_name):
        merged: list[tuple[int, int]] = []
        for s, e in sorted(by_name[name]):
            if merged and s < merged[-1][1]:
                merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
            else:
                merged.append((s, e))
        out[name] = merged
    debts, companies = out.get("DEBT_MENTION"), out.get("COMPANY_IDENTIFICATION")
    if debts and companies:
        # a capitalised word inside a company's name ("Paola de Cobranza Integral del Bajío") names the
        # company; it does not mention a debt
        kept = [
            (s, e)
            for s, e in debts
            if not (text[s : s + 1].isupper() and any(cs <= s and e <= ce for cs, ce in companies))
        ]
        if kept:
            out["DEBT_MENTION"] = kept
        else:
            del out["DEBT_MENTION"]
    return out


def _lexicon_version() -> str:
    return default_matcher().version


LEXICON_VERSION: str = _lexicon_version()
