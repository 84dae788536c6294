"""Personal data out before a text leaves for an LLM, back in after.

`redact(text, known)` replaces, in this order of precedence:
1. values the caller knows belong to the person (names and their parts, phones, e-mails, account numbers,
   addresses), matched case- and accent-insensitively (numbers whatever their separators);
2. identifiers recognised by their shape, validated where the identifier carries a check: e-mails; CURP and
   RFC (MX); RUT (CL, modulo-11 check digit); DNI and NIE (ES, check letter); US SSN; IBAN (mod 97); payment
   cards (Luhn); CLABE (MX, 18 digits, weighted check); CBU (AR, 22 digits, two checks); a number introduced
   as an identity document (cédula, C.C., DNI, RUN, NIT, pasaporte...: CO, PE, AR and the rest);
   phone numbers (libphonenumber, valid for one of the countries served);
3. any other run of eight or more digits (an account, a document, a reference): better hidden than leaked.

Each distinct string gets one placeholder (`[NAME_1]`, `[PHONE_2]`, ...); `mapping` goes from placeholder to
the exact original, so `restore(redact(t)[0], mapping) == t`. Money amounts stay: a model judging a
collection message must see "$1,240.00".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import phonenumbers

PHONE_REGIONS = ("MX", "CO", "CL", "PE", "AR", "ES", "US")

_PARTICLES = {"de", "del", "la", "las", "los", "y", "da", "di", "van", "von", "san", "el"}


@dataclass(frozen=True)
class KnownValues:
    """Personal data the caller holds about the people in the text (debtor, relatives, agent)."""

    names: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()

    @classmethod
    def of(cls, **values: Iterable[str | None] | None) -> KnownValues:
        return cls(
            **{
                k: tuple(v for v in (vals or ()) if isinstance(v, str) and v.strip())
                for k, vals in values.items()
            }
        )

    @classmethod
    def of_record(
        cls,
        *,
        names: Iterable[str | None] = (),
        addresses: Iterable[Mapping[str, object]] = (),
        phones: Iterable[Mapping[str, object]] = (),
        emails: Iterable[Mapping[str, object]] = (),
        accounts: Iterable[str | None] = (),
    ) -> KnownValues:
        """From the shapes a debtor record stores: addresses {line1, line2, postalCode, ...}, phones
        {number}, e-mails {address}. Street lines and postal codes are hidden; city and region stay (the
        reader may need the place, not the door)."""
        street = [str(a.get(k)) for a in addresses for k in ("line1", "line2") if a.get(k)]
        return cls.of(
            names=names,
            addresses=street,
            phones=[str(p.get("number")) for p in phones if p.get("number")],
            emails=[str(e.get("address")) for e in emails if e.get("address")],
            accounts=accounts,
        )

    def __bool__(self) -> bool:
        return any((self.names, self.phones, self.emails, self.accounts, self.addresses))


# --- check digits ----------------------------------------------------------------------------------------


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def rut_ok(body: str, dv: str) -> bool:
    """Chilean RUT/RUN: modulo 11 with weights 2..7 from the right; 10 is K, 11 is 0."""
    total, weight = 0, 2
    for ch in reversed(body):
        total += int(ch) * weight
        weight = 2 if weight == 7 else weight + 1
    rest = 11 - total % 11
    expected = "0" if rest == 11 else "K" if rest == 10 else str(rest)
    return dv.upper() == expected


_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def dni_es_ok(number: str, letter: str) -> bool:
    return _DNI_LETTERS[int(number) % 23] == letter.upper()


def nie_ok(prefix: str, number: str, letter: str) -> bool:
    return dni_es_ok(str("XYZ".index(prefix.upper())) + number, letter)


def clabe_ok(digits: str) -> bool:
    if len(digits) != 18:
        return False
    weights = (3, 7, 1) * 6
    total = sum((int(d) * w) % 10 for d, w in zip(digits[:17], weights, strict=False))
    return (10 - total % 10) % 10 == int(digits[17])


def cbu_ok(digits: str) -> bool:
    if len(digits) != 22:
        return False

    def check(block: str, weights: tuple[int, ...]) -> int:
        return (10 - sum(int(d) * w for d, w in zip(block, weights, strict=True)) % 10) % 10

    first_ok = check(digits[:7], (7, 1, 3, 9, 7, 1, 3)) == int(digits[7])
    second_ok = check(digits[8:21], (3, 9, 7, 1, 3, 9, 7, 1, 3, 9, 7, 1, 3)) == int(digits[21])
    return first_ok and second_ok


def iban_ok(compact: str) -> bool:
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def ssn_ok(area: str, group: str, serial: str) -> bool:
    return area not in {"000", "666"} and not area.startswith("9") and group != "00" and serial != "0000"


def _valid_date(yy: str, mm: str, dd: str) -> bool:
    return 1 <= int(mm) <= 12 and 1 <= int(dd) <= 31


# --- detectors ---------------------------------------------------------------------------------------------

_B = r"(?<![\w@])"  # not glued to a word on the left
_E = r"(?![\w@])"  # nor on the right

EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_STATES = "AS|BC|BS|CC|CL|CM|CS|CH|DF|DG|GT|GR|HG|JC|MC|MN|MS|NT|NL|OC|PL|QT|QR|SP|SL|SR|TC|TS|TL|VZ|YN|ZS|NE"
CURP_RE = re.compile(
    _B + r"[A-Z][AEIOUX][A-Z]{2}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[HMX](?:" + _STATES + r")"
    r"[B-DF-HJ-NP-TV-Z]{3}[A-Z\d]\d" + _E,
    re.IGNORECASE,
)
RFC_RE = re.compile(_B + r"([A-ZÑ&]{3,4})(\d{2})(\d{2})(\d{2})([A-Z\d]{3})" + _E, re.IGNORECASE)
RUT_RE = re.compile(_B + r"(\d{1,2}(?:\.\d{3}){2}|\d{7,8})-([\dkK])" + _E)
DNI_ES_RE = re.compile(_B + r"(\d{8})[ -]?([A-Za-z])" + _E)
NIE_RE = re.compile(_B + r"([XYZxyz])[ -]?(\d{7})[ -]?([A-Za-z])" + _E)
SSN_RE = re.compile(_B + r"(\d{3})-(\d{2})-(\d{4})" + _E)
IBAN_RE = re.compile(_B + r"[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?" + _E)
# 13 to 22 digits, possibly grouped by spaces or dashes: cards, CLABE, CBU.
LONG_NUMBER_RE = re.compile(_B + r"\d(?:[ -]?\d){12,21}" + _E)
ID_KEYWORD_RE = re.compile(
    r"(?<!\w)(?:c[ée]dula(?:\s+de\s+ciudadan[íi]a)?|c\.\s?c\.|cc|c\.\s?i\.|d\.?\s?n\.?\s?i\.?|dni|nit|run|rut|"
    r"documento(?:\s+(?:de\s+identidad|nacional(?:\s+de\s+identidad)?))?|doc\.|pasaporte|passport|"
    r"id(?:entification)?\s+(?:number|no\.?)|n[úu]mero\s+de\s+identificaci[óo]n|identificaci[óo]n|ine|"
    r"carn[ée]\s+de\s+extranjer[íi]a|ce)"
    r"(?:[\s:#.°º]*(?:es|is|era|number|n[úu]mero|num|nro|no|n[°º]))*[\s:#.°º]*"
    r"(?P<num>[A-Z]?\d[\d.\- ]{4,14}[\dkK])(?![\w@])",
    re.IGNORECASE,
)
# Grouped phone-like numbers libphonenumber may reject in context ("55 1234 5678 0").
PHONE_LIKE_RE = re.compile(_B + r"(?:\+\d{1,3}[\s.-]?)?\(?\d{2,4}\)?[\s.-]?\d{3,4}[\s.-]?\d{4}(?!\d)")
DIGITS_RUN_RE = re.compile(_B + r"\d{8,}" + _E)


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    kind: str
    rank: int  # lower wins an overlap


def _fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", s.casefold()) if unicodedata.category(c) != "Mn")


def _folded_with_index(text: str) -> tuple[str, list[int]]:
    """The accent- and case-folded text with, for each folded character, its index in `text`."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        for f in _fold(ch):
            out.append(f)
            index.append(i)
    return "".join(out), index


def _digits_pattern(value: str) -> re.Pattern[str] | None:
    digits = re.sub(r"\D", "", value)
    if len(digits) < 4:
        return None
    sep = r"[\s\-.()/]*"
    return re.compile(r"(?<![\d+])(?:\+\d{1,3}[\s\-.()]*)?\(?" + sep.join(digits) + r"(?!\d)")


def _known_spans(text: str, known: KnownValues) -> list[_Span]:
    spans: list[_Span] = []
    folded, index = _folded_with_index(text)

    def add_words(values: Iterable[str], kind: str, rank: int) -> None:
        for value in sorted({v.strip() for v in values if v.strip()}, key=len, reverse=True):
            words = [re.escape(w) for w in _fold(value).split()]
            if not words:
                continue
            pattern = re.compile(r"(?<!\w)" + r"[\s,.]+".join(words) + r"(?!\w)")
            for m in pattern.finditer(folded):
                spans.append(_Span(index[m.start()], index[m.end() - 1] + 1, kind, rank))

    def add_numbers(values: Iterable[str], kind: str, rank: int) -> None:
        for value in values:
            pattern = _digits_pattern(value)
            if pattern is None:
                add_words([value], kind, rank)
                continue
            spans.extend(_Span(m.start(), m.end(), kind, rank) for m in pattern.finditer(text))
            if re.search(r"[A-Za-z]", value):  # an account like "CR-99812": also as written
                add_words([value], kind, rank)

    add_words(known.emails, "EMAIL", 0)
    add_words(known.addresses, "ADDRESS", 0)
    add_numbers(known.phones, "PHONE", 0)
    add_numbers(known.accounts, "ACCOUNT", 0)
    add_words(known.names, "NAME", 0)
    parts = {
        part
        for name in known.names
        for part in name.split()
        if len(part) >= 3 and _fold(part) not in _PARTICLES
    }
    add_words(parts, "NAME", 1)
    return spans


def _pattern_spans(text: str) -> list[_Span]:
    spans: list[_Span] = []

    def add(m: re.Match[str], kind: str, rank: int, group: int | str = 0) -> None:
        spans.append(_Span(m.start(group), m.end(group), kind, rank))

    for m in EMAIL_RE.finditer(text):  # before known names: "maria.perez@mail.com" is one e-mail
        add(m, "EMAIL", -1)
    for m in CURP_RE.finditer(text):
        add(m, "CURP", 2)
    for m in RFC_RE.finditer(text):
        if _valid_date(m.group(2), m.group(3), m.group(4)) and any(c.isdigit() for c in m.group(0)):
            add(m, "RFC", 3)
    for m in RUT_RE.finditer(text):
        body = m.group(1).replace(".", "")
        if rut_ok(body, m.group(2)):
            add(m, "RUT", 2)
    for m in NIE_RE.finditer(text):
        if nie_ok(m.group(1), m.group(2), m.group(3)):
            add(m, "NIE", 2)
    for m in DNI_ES_RE.finditer(text):
        if dni_es_ok(m.group(1), m.group(2)):
            add(m, "DNI", 2)
    for m in SSN_RE.finditer(text):
        if ssn_ok(*m.groups()):
            add(m, "SSN", 2)
    for m in IBAN_RE.finditer(text):
        if iban_ok(m.group(0).replace(" ", "")):
            add(m, "IBAN", 2)
    for m in LONG_NUMBER_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if len(digits) == 18 and clabe_ok(digits):
            add(m, "CLABE", 2)
        elif len(digits) == 22 and cbu_ok(digits):
            add(m, "CBU", 2)
        elif 13 <= len(digits) <= 19 and luhn_ok(digits):
            add(m, "CARD", 2)
    for m in ID_KEYWORD_RE.finditer(text):
        if sum(ch.isdigit() for ch in m.group("num")) >= 6:
            add(m, "ID", 4, "num")
    for region in PHONE_REGIONS:
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            spans.append(_Span(match.start, match.end, "PHONE", 5))
    for m in PHONE_LIKE_RE.finditer(text):
        add(m, "PHONE", 7)
    for m in DIGITS_RUN_RE.finditer(text):
        add(m, "NUMBER", 6)
    for m in LONG_NUMBER_RE.finditer(text):  # grouped long numbers that passed no check
        add(m, "NUMBER", 8)
    return spans


def redact(text: str, known: KnownValues | None = None) -> tuple[str, dict[str, str]]:
    """(text with placeholders, {placeholder: original})."""
    spans = _known_spans(text, known) if known else []
    spans += _pattern_spans(text)
    chosen: list[_Span] = []
    taken = [False] * len(text)
    for span in sorted(spans, key=lambda s: (s.rank, s.start, -(s.end - s.start))):
        if span.end <= span.start or any(taken[span.start : span.end]):
            continue
        chosen.append(span)
        for i in range(span.start, span.end):
            taken[i] = True
    chosen.sort(key=lambda s: s.start)

    mapping: dict[str, str] = {}
    by_original: dict[tuple[str, str], str] = {}
    counters: dict[str, int] = {}
    out: list[str] = []
    pos = 0
    for span in chosen:
        original = text[span.start : span.end]
        key = (span.kind, original)
        placeholder = by_original.get(key)
        if placeholder is None:
            counters[span.kind] = counters.get(span.kind, 0) + 1
            placeholder = f"[{span.kind}_{counters[span.kind]}]"
            by_original[key] = placeholder
            mapping[placeholder] = original
        out.append(text[pos : span.start])
        out.append(placeholder)
        pos = span.end
    out.append(text[pos:])
    return "".join(out), mapping


_PLACEHOLDER_RE = re.compile(r"\[[A-Z]+_\d+\]")


def restore(text: str, mapping: Mapping[str, str]) -> str:
    """Put the originals back in place of the placeholders (unknown placeholders stay as they are)."""
    return _PLACEHOLDER_RE.sub(lambda m: mapping.get(m.group(0), m.group(0)), text)
