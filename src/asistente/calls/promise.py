"""Promise capture: what a debtor committed to pay, and when, from one line of speech.

``find_promise(text, now=..., tz=..., currency=...)`` is pure (the clock is passed in). It reads Spanish and
English: amounts in digits ("500", "$1,500", "1.500", "2 mil") or words ("mil pesos", "dos mil quinientos",
"two hundred fifty"), and dates as weekdays ("el viernes", "on Friday"), days of the month ("el 15",
"el día 15 de enero", "on the 15th", "December 15"), "hoy / mañana / pasado mañana", "today / tomorrow",
"en 3 días / in 3 days", "fin de mes / end of the month" and "la quincena" (Mexican pay days: the 15th and
the last day of the month). Dates are resolved in the debtor's time zone: "el viernes" is the next Friday
after the debtor's today. A line is a promise only when it carries a commitment ("le pago", "le deposito",
"voy a pagar", "I can do", "I'll pay"), is not negated ("no puedo pagar 500 el viernes"), and names both
an amount and a date.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

__all__ = ["Promise", "find_promise", "parse_amount_words"]


@dataclass(frozen=True)
class Promise:
    amount: Decimal
    currency: str
    due_date: date
    quote: str  # the words the debtor said

    def as_json(self) -> dict[str, str]:
        return {
            "amount": str(self.amount),
            "currency": self.currency,
            "dueDate": self.due_date.isoformat(),
            "quote": self.quote,
        }


def _fold(text: str) -> str:
    """Lower case without accents, one character per character (offsets index the original text)."""
    out = []
    for ch in text:
        low = ch.lower()
        low = low if len(low) == 1 else ch
        bare = "".join(c for c in unicodedata.normalize("NFKD", low) if not unicodedata.combining(c))
        out.append(bare if len(bare) == 1 else low)
    return "".join(out)


# ------------------------------------------------------------------------------------------ number words

_UNITS_ES = {
    "cero": 0, "un": 1, "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
    "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14,
    "quince": 15, "dieciseis": 16, "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veinte": 20,
    "veintiun": 21, "veintiuno": 21, "veintiuna": 21, "veintidos": 22, "veintitres": 23,
    "veinticuatro": 24, "veinticinco": 25, "veintiseis": 26, "veintisiete": 27, "veintiocho": 28,
    "veintinueve": 29, "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70,
    "ochenta": 80, "noventa": 90, "cien": 100, "ciento": 100, "doscientos": 200, "doscientas": 200,
    "trescientos": 300, "trescientas": 300, "cuatrocientos": 400, "cuatrocientas": 400,
    "quinientos": 500, "quinientas": 500, "seiscientos": 600, "seiscientas": 600, "setecientos": 700,
    "setecientas": 700, "ochocientos": 800, "ochocientas": 800, "novecientos": 900, "novecientas": 900,
}  # fmt: skip
_UNITS_EN = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"mil": 1000, "thousand": 1000, "millon": 1_000_000, "millones": 1_000_000, "million": 1_000_000}
_HUNDRED = {"hundred"}
_JOINERS = {"y", "and", "a"}  # "treinta y cinco", "two hundred and fifty", "a thousand"
NUMBER_WORDS = set(_UNITS_ES) | set(_UNITS_EN) | set(_SCALES) | _HUNDRED


def parse_amount_words(words: list[str]) -> int | None:
    """A run of number words ("dos mil quinientos", "two hundred fifty") as an integer; None if none."""
    total = current = 0
    seen = False
    for w in words:
        if w in _UNITS_ES or w in _UNITS_EN:
            current += _UNITS_ES.get(w, _UNITS_EN.get(w, 0))
            seen = True
        elif w in _HUNDRED:
            current = max(current, 1) * 100
            seen = True
        elif w in _SCALES:
            scale = _SCALES[w]
            total += max(current, 1) * scale
            current = 0
            seen = True
        elif w in _JOINERS and seen:
            continue
        else:
            break
    return total + current if seen else None


# -------------------------------------------------------------------------------------------- the parser

_WEEKDAYS = {
    "lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3, "viernes": 4, "sabado": 5, "domingo": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}  # fmt: skip
_MONTHS = {
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8,
    "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_ORDINALS_EN = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "thirtieth": 30,
}  # fmt: skip

_WORD = re.compile(r"[a-zñ]+|\d+(?:[.,]\d+)*(?:st|nd|rd|th)?|\$")

# Commitment verbs (folded). Spanish present tense is the usual way to promise ("el viernes le pago").
_COMMIT_ES = re.compile(
    r"\b(pago|pagare|pagaria|pagar|pagarle|pagarte|deposito|depositare|depositar|depositarle|abono|"
    r"abonare|abonar|transfiero|transferire|transferir|mando|mandare|mandar|envio|enviare|enviar|"
    r"liquido|liquidar|cubro|cubrir|doy|dare)\b"
)
_COMMIT_EN = re.compile(
    r"\b(i(?:'ll| will| can| could| am going to|'m going to| shall)?\s+(?:\w+\s+)?"
    r"(?:pay|send|deposit|do|transfer|make|get you|put))\b"
)
_NEGATION = re.compile(
    r"\b(no|nunca|tampoco|ni|cannot|can't|cant|won't|wont|not|never|don't|dont)\b(?:\s+\w+){0,3}\s*$"
)
_CURRENCY_WORDS = {
    "pesos": None,  # the account's own peso (MXN, COP, CLP, ARS)
    "peso": None,
    "dolares": "USD",
    "dollars": "USD",
    "dollar": "USD",
    "bucks": "USD",
    "euros": "EUR",
    "soles": "PEN",
    "sol": "PEN",
}


@dataclass(frozen=True)
class _Date:
    day: date
    start: int
    end: int


def _next_weekday(today: date, weekday: int, *, this: bool) -> date:
    ahead = (weekday - today.weekday()) % 7
    if ahead == 0 and not this:
        ahead = 7
    return today + timedelta(days=ahead)


def _day_of_month(today: date, day: int, month: int | None) -> date | None:
    if not 1 <= day <= 31:
        return None
    if month is None:
        year, month = today.year, today.month
        if day < today.day:
            month += 1
            if month == 13:
                year, month = year + 1, 1
    else:
        year = today.year
    day = min(day, calendar.monthrange(year, month)[1])
    out = date(year, month, day)
    if out < today:
        out = date(year + 1, month, min(day, calendar.monthrange(year + 1, month)[1]))
    return out


def _end_of_month(today: date) -> date:
    return today.replace(day=calendar.monthrange(today.year, today.month)[1])


def _quincena(today: date, *, after_today: bool) -> date:
    """The next Mexican pay day (15th or the month's last day) on or after today (after, for "próxima")."""
    candidates = [today.replace(day=15), _end_of_month(today)]
    nxt = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    candidates += [nxt.replace(day=15), _end_of_month(nxt)]
    for c in candidates:
        if c > today or (c == today and not after_today):
            return c
    return candidates[-1]  # pragma: no cover (the next month always has a later pay day)


def _int_token(tok: str) -> int | None:
    m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?", tok)
    return int(m.group(1)) if m else None


def _find_dates(tokens: list[tuple[str, int, int]], today: date) -> list[_Date]:
    out: list[_Date] = []
    words = [t[0] for t in tokens]
    n = len(tokens)
    i = 0
    while i < n:
        w = words[i]
        prev = words[i - 1] if i else ""
        prev2 = words[i - 2] if i >= 2 else ""
        nxt = words[i + 1] if i + 1 < n else ""
        nxt2 = words[i + 2] if i + 2 < n else ""
        start, end = tokens[i][1], tokens[i][2]
        found: date | None = None
        span_end = end
        if w == "pasado" and nxt == "manana":
            found, span_end = today + timedelta(days=2), tokens[i + 1][2]
            i += 1
        elif w == "manana" and prev not in ("la", "esta", "en", "por", "de") and prev2 != "pasado":
            found = today + timedelta(days=1)
        elif w in ("hoy", "today", "tonight"):
            found = today
        elif w == "tomorrow":
            found = today + timedelta(days=1)
            if prev == "after" and prev2 == "day":
                found = today + timedelta(days=2)
        elif w in _WEEKDAYS:
            found = _next_weekday(today, _WEEKDAYS[w], this=prev in ("este", "this", "hoy"))
        elif w in ("quincena", "quincenas"):
            found = _quincena(today, after_today=prev in ("proxima", "siguiente", "otra"))
        elif w == "fin" and nxt == "de" and nxt2 == "mes":
            found, span_end = _end_of_month(today), tokens[i + 2][2]
            i += 2
        elif w == "end" and nxt == "of" and words[i + 2 : i + 4] in (["the", "month"], ["this", "month"]):
            found, span_end = _end_of_month(today), tokens[i + 3][2]
            i += 3
        elif (w in ("en", "dentro", "in") and nxt.isdigit()) or (w in ("en", "in") and nxt in NUMBER_WORDS):
            # "en 3 días", "in two days", "dentro de 5 días"
            j = i + 1
            if words[j] == "de":
                j += 1
            k = j
            while k < n and (words[k] in NUMBER_WORDS or words[k].isdigit()):
                k += 1
            if k < n and words[k] in ("dias", "dia", "days", "day") and k > j:
                count = int(words[j]) if words[j].isdigit() else parse_amount_words(words[j:k])
                if count is not None and 0 < count <= 90:
                    found, span_end = today + timedelta(days=count), tokens[k][2]
                    i = k
        else:
            day = _int_token(w) or _ORDINALS_EN.get(w)
            if day is None and w in _UNITS_ES and prev in ("el", "dia") and _UNITS_ES[w] <= 31:
                day = _UNITS_ES[w]  # "el quince"
            if day is not None:
                month: int | None = None
                if (nxt == "de" and nxt2 in _MONTHS) or (nxt == "of" and nxt2 in _MONTHS):
                    month, span_end = _MONTHS[nxt2], tokens[i + 2][2]
                    i += 2
                elif prev in _MONTHS:
                    month, start = _MONTHS[prev], tokens[i - 1][1]
                elif nxt in _MONTHS and nxt not in ("mar", "may"):
                    month, span_end = _MONTHS[nxt], tokens[i + 1][2]
                    i += 1
                ordinal = w in _ORDINALS_EN or re.fullmatch(r"\d+(st|nd|rd|th)", w) is not None
                introduced = prev in ("el", "dia", "the", "on")
                if month is not None or ordinal or introduced:
                    found = _day_of_month(today, day, month)
        if found is not None:
            out.append(_Date(found, start, span_end))
        i += 1
    return out


def _amount_at(tokens: list[tuple[str, int, int]], i: int) -> tuple[Decimal, int, int] | None:
    """An amount starting at token i: digits (with thousands separators and "mil"), or number words."""
    w = tokens[i][0]
    n = len(tokens)
    m = re.fullmatch(r"(\d{1,3}(?:([.,])\d{3})+|\d+)(?:[.,](\d{1,2}))?", w)
    if m:
        whole = re.sub(r"[.,]", "", m.group(1))
        cents = m.group(3) or ""
        try:
            value = Decimal(f"{whole}.{cents}" if cents else whole)
        except InvalidOperation:
            return None
        end_i = i
        if i + 1 < n and tokens[i + 1][0] in ("mil", "thousand", "k"):
            value *= 1000
            end_i = i + 1
        return value, tokens[i][1], tokens[end_i][2]
    if w in NUMBER_WORDS and w not in ("a",):
        j = i
        while j < n and (tokens[j][0] in NUMBER_WORDS or (tokens[j][0] in _JOINERS and j > i)):
            j += 1
        while j > i and tokens[j - 1][0] in _JOINERS:
            j -= 1
        value_int = parse_amount_words([t[0] for t in tokens[i:j]])
        if value_int:
            return Decimal(value_int), tokens[i][1], tokens[j - 1][2]
    return None


def find_promise(
    text: str,
    *,
    now: datetime,
    tz: str | None,
    currency: str | None,
    language: str | None = None,
) -> Promise | None:
    """The amount and date a debtor committed to in ``text`` (None when the line is not such a promise).

    ``now`` is an aware instant; ``tz`` the debtor's IANA zone (UTC when unknown); ``currency`` the account's
    currency, used unless the line names another ("20 dólares"). ``language`` is only a hint: both
    languages are read.
    """
    if now.tzinfo is None:
        raise ValueError("now must carry an offset")
    today = now.astimezone(ZoneInfo(tz) if tz else ZoneInfo("UTC")).date()
    folded = _fold(text)
    tokens = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(folded)]
    if not tokens:
        return None
    commit = _COMMIT_ES.search(folded) or _COMMIT_EN.search(folded)
    if commit is None or _NEGATION.search(folded[: commit.start()]):
        return None
    dates = _find_dates(tokens, today)
    if not dates:
        return None
    due = dates[-1]
    taken = [(d.start, d.end) for d in dates]
    amount: tuple[Decimal, int, int] | None = None
    named_currency: str | None = None
    i = 0
    while i < len(tokens):
        _tok, s, _e = tokens[i]
        if any(a <= s < b for a, b in taken):
            i += 1
            continue
        found = _amount_at(tokens, i)
        if found is not None and found[0] > 0:
            amount = found
            j = i + 1
            while j < len(tokens) and tokens[j][1] < found[2]:
                j += 1
            if j < len(tokens) and tokens[j][0] in _CURRENCY_WORDS:
                named_currency = _CURRENCY_WORDS[tokens[j][0]]
            break
        i += 1
    if amount is None:
        return None
    cur = named_currency or currency
    if not cur:
        return None
    lo = min(amount[1], due.start, commit.start())
    hi = max(amount[2], due.end, commit.end())
    quote = " ".join(text[lo:hi].split())
    return Promise(amount=amount[0], currency=cur.upper(), due_date=due.day, quote=quote)
