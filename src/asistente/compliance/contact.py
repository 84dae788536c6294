"""Contact permission: may this debtor be contacted on this channel, by this recipient role, at this instant?

``evaluate_contact`` is pure: facts, history and ``now`` in, a ``ContactDecision`` out. Every rule of every
applicable pack (law, city overlays, tenant overlays) must allow the contact; each time-dependent rule is
evaluated in *every* candidate time zone of the debtor (address and phone may disagree).

``next_allowed_at`` is the first instant >= ``request.at`` at which every rule allows the contact. Allowance
only changes at a finite set of instants (window openings and local midnights in each zone, the moment a
logged contact leaves a rolling window, consent-window starts, an 18th birthday), so the search evaluates
those instants in order and returns the first that passes; between two of them nothing can change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays

from asistente.compliance._common import bilingual, hit
from asistente.compliance.packs import CONTACT_KINDS, PackRegistry
from asistente.compliance.types import (
    ContactDecision,
    ContactRequest,
    DebtorFacts,
    InteractionFact,
    Rule,
    RuleHit,
)
from asistente.enums import Channel, Direction, EmailKind, InteractionOutcome, RecipientRole, ViolationCode
from asistente.errors import BadInput
from asistente.geo import TzCandidate, candidate_timezones, jurisdiction_for, place_key, resolve_region
from asistente.memo import BoundedMemo

__all__ = ["DEFAULT_HORIZON_DAYS", "candidate_zones", "evaluate_contact"]

DEFAULT_HORIZON_DAYS = 60
_DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_DAYS_ES = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
_DAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_TIME_KINDS = frozenset(
    {"contact_window", "frequency", "wait_after_conversation", "single_channel_after_contact"}
)
_DEBTOR_ONLY_KINDS = frozenset({"opt_out", "cease_contact", "channel_authorization"})
_PHONE_CHANNELS = frozenset({Channel.CALL, Channel.SMS, Channel.WHATSAPP, Channel.VOICEMAIL})
_ADDRESS_CHANNELS = frozenset({Channel.LETTER, Channel.VISIT})
MISSING_DATA_RULE = "DATA-01"  # the debtor's local time cannot be known: refuse
MISSING_DESTINATION_RULE = "DATA-02"  # no phone/e-mail/address on file for the channel: warn


# --------------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------------
@lru_cache(maxsize=512)
def _holiday_calendar(country: str, subdiv: str | None, year: int) -> Mapping[date, str]:
    return holidays.country_holidays(country, subdiv=subdiv, years=year)


def _holiday_name(country: str, subdiv: str | None, day: date) -> str | None:
    return _holiday_calendar(country, subdiv, day.year).get(day)


def _parse_hhmm(value: str) -> time | None:
    """'24:00' is returned as None (end of day)."""
    if value == "24:00":
        return None
    h, m = value.split(":")
    return time(int(h), int(m))


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone)


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _coerce_channel(value: Any) -> Channel:
    try:
        return Channel(value)
    except ValueError:
        raise BadInput(f"unknown channel {value!r}; known: {', '.join(c.value for c in Channel)}") from None


def _coerce_role(value: Any) -> RecipientRole:
    try:
        return RecipientRole(value)
    except ValueError:
        raise BadInput(
            f"unknown recipient role {value!r}; known: {', '.join(r.value for r in RecipientRole)}"
        ) from None


def _aware(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise BadInput(f"{what} must carry a UTC offset (got naive {value.isoformat()})")
    return value


def _param_set(rule: Rule, name: str, enum: type, default: Iterable[Any] | None) -> frozenset[Any] | None:
    values = rule.parameters.get(name)
    if values is None:
        return frozenset(default) if default is not None else None
    return _enum_set(enum, values)


def _enum_set(enum: type, values: Iterable[Any]) -> frozenset[Any]:
    """``frozenset(enum(v) for v in values)``, remembered per (enum, values) when the values are plain
    strings (a pack's parameters); a value the enum refuses raises ValueError every time (not remembered)."""
    key = tuple(values)
    if not all(type(v) is str for v in key):
        return frozenset(enum(v) for v in key)
    return _enum_set_of(enum, key)


@lru_cache(maxsize=1024)
def _enum_set_of(enum: type, values: tuple[str, ...]) -> frozenset[Any]:
    return frozenset(enum(v) for v in values)


_ALL_CHANNELS = tuple(Channel)
_ALL_OUTCOMES = tuple(InteractionOutcome)
_ALL_DIRECTIONS = tuple(Direction)


# --------------------------------------------------------------------------------------------------------
# evaluator
# --------------------------------------------------------------------------------------------------------
@dataclasses.dataclass
class _Context:
    channel: Channel
    role: RecipientRole
    destination: str | None
    debtor: DebtorFacts
    history: list[InteractionFact]  # happened (at <= now), oldest first
    zones: list[ZoneInfo]
    holiday_subdivs: Mapping[str, str | None]  # country -> subdivision of the debtor's address


class _Evaluator:
    def __init__(self, rules: Sequence[Rule], ctx: _Context) -> None:
        self.ctx = ctx
        self.rules = [r for r in rules if r.kind in CONTACT_KINDS and self._applies(r)]
        self.time_rules = [r for r in self.rules if r.kind in _TIME_KINDS or self._age_dependent(r)]
        self.static_rules = [r for r in self.rules if r not in self.time_rules]

    @classmethod
    def for_packs(cls, packs: Sequence[Any], ctx: _Context) -> _Evaluator:
        """``_Evaluator([rules of packs], ctx)``; the split of the rules (which apply, which depend on time)
        is a function of the packs' rules, the channel, the role and whether a birth date is known, so it is
        remembered per process for those (the packs by identity, kept alive by the entry)."""
        key = (
            tuple(id(p) for p in packs),
            ctx.channel,
            ctx.role,
            ctx.debtor.birth_date is not None,
        )
        found = _SPLITS.get(key)
        if found is not None and all(a is b for a, b in zip(found[0], packs, strict=True)):
            evaluator = cls.__new__(cls)
            evaluator.ctx = ctx
            evaluator.rules, evaluator.time_rules, evaluator.static_rules = found[1]
            return evaluator
        evaluator = cls([r for p in packs for r in p.rules], ctx)
        _SPLITS.put(key, (tuple(packs), (evaluator.rules, evaluator.time_rules, evaluator.static_rules)))
        return evaluator

    def _applies(self, rule: Rule) -> bool:
        ctx = self.ctx
        if rule.channels is not None and ctx.channel not in rule.channels:
            return False
        if rule.recipient_roles is not None:
            return ctx.role in rule.recipient_roles
        if rule.kind in _DEBTOR_ONLY_KINDS:
            return ctx.role == RecipientRole.DEBTOR
        return True

    def _age_dependent(self, rule: Rule) -> bool:
        return (
            rule.kind in ("minor", "older_adult")
            and self.ctx.role == RecipientRole.DEBTOR
            and self.ctx.debtor.birth_date is not None
        )

    # -- one instant ----------------------------------------------------------------------------------
    def check(self, rules: Iterable[Rule], at: datetime) -> list[tuple[Rule, RuleHit]]:
        out: list[tuple[Rule, RuleHit]] = []
        for rule in rules:
            found = getattr(self, f"_check_{rule.kind}")(rule, at)
            if found is not None:
                out.append((rule, found))
        return out

    def time_allows(self, at: datetime) -> bool:
        return not any(r.severity == "violation" for r, _ in self.check(self.time_rules, at))

    # -- static rules -----------------------------------------------------------------------------------
    def _check_channel_authorization(self, rule: Rule, at: datetime) -> RuleHit | None:
        if self.ctx.channel in self.ctx.debtor.authorized_channels:
            return None
        c = self.ctx.channel.value
        return hit(
            rule,
            f"El deudor no autorizó expresamente el canal {c}",
            f"The debtor has not expressly authorised channel {c}",
        )

    def _check_channel_forbidden(self, rule: Rule, at: datetime) -> RuleHit | None:
        c = self.ctx.channel.value
        return hit(
            rule, f"El canal {c} está prohibido en esta jurisdicción", f"Channel {c} is forbidden here"
        )

    def _check_opt_out(self, rule: Rule, at: datetime) -> RuleHit | None:
        opted = self.ctx.debtor.opted_out_channels
        channel = self.ctx.channel
        blocked = channel in opted or (channel == Channel.VOICEMAIL and Channel.CALL in opted)
        if not blocked:
            return None
        return hit(
            rule,
            f"El deudor pidió no ser contactado por {channel.value}",
            f"The debtor opted out of {channel.value}",
        )

    def _check_cease_contact(self, rule: Rule, at: datetime) -> RuleHit | None:
        if not self.ctx.debtor.cease_contact:
            return None
        return hit(rule, "El deudor pidió cesar todo contacto", "The debtor asked to cease all contact")

    def _check_attorney(self, rule: Rule, at: datetime) -> RuleHit | None:
        if not self.ctx.debtor.represented_by_attorney or self.ctx.role not in (
            RecipientRole.DEBTOR,
            RecipientRole.SPOUSE,
        ):
            return None
        return hit(
            rule,
            "El deudor está representado por un abogado: contacte al abogado",
            "The debtor is represented by an attorney: contact the attorney instead",
        )

    def _check_litigation_hold(self, rule: Rule, at: datetime) -> RuleHit | None:
        if not self.ctx.debtor.in_litigation or self.ctx.role == RecipientRole.ATTORNEY:
            return None
        return hit(
            rule,
            "Deuda en juicio: la cobranza extrajudicial debe cesar",
            "Debt in litigation: out-of-court collection must stop",
        )

    def _check_recipient_role(self, rule: Rule, at: datetime) -> RuleHit | None:
        roles = _enum_set(RecipientRole, rule.parameters["roles"])
        if self.ctx.role not in roles:
            return None
        r = self.ctx.role.value
        if rule.severity == "warning":
            return hit(
                rule,
                f"Contacto con un tercero ({r}): sólo para localizar al deudor, nunca mencione la deuda",
                f"Third-party contact ({r}): only to locate the debtor, never mention the debt",
            )
        return hit(
            rule, f"No se permite contactar a {r} para cobrar", f"Contacting {r} to collect is not allowed"
        )

    def _check_minor(self, rule: Rule, at: datetime) -> RuleHit | None:
        if self.ctx.role == RecipientRole.MINOR:
            return hit(rule, "Nunca se contacta a un menor de edad", "A minor is never contacted")
        birth = self.ctx.debtor.birth_date
        if self.ctx.role != RecipientRole.DEBTOR or birth is None:
            return None
        limit = int(rule.parameters["age"])
        for zone in self.ctx.zones:
            if _age_on(birth, at.astimezone(zone).date()) < limit:
                return hit(
                    rule,
                    f"El deudor es menor de {limit} años",
                    f"The debtor is under {limit}",
                )
        return None

    def _check_older_adult(self, rule: Rule, at: datetime) -> RuleHit | None:
        birth = self.ctx.debtor.birth_date
        if self.ctx.role != RecipientRole.DEBTOR or birth is None:
            return None
        limit = int(rule.parameters["age"])
        if all(_age_on(birth, at.astimezone(z).date()) < limit for z in self.ctx.zones):
            return None
        return hit(
            rule,
            f"Persona adulta mayor ({limit}+ años): trato con cuidado especial",
            f"Older adult ({limit}+): special care required",
        )

    def _check_work_email(self, rule: Rule, at: datetime) -> RuleHit | None:
        emails = self.ctx.debtor.emails
        destination = (self.ctx.destination or "").strip().lower()
        employer = {d.lower().lstrip("@") for d in self.ctx.debtor.employer_domains}
        if destination:
            domain = destination.rsplit("@", 1)[-1]
            is_work = domain in employer or any(
                str(e.get("address", "")).strip().lower() == destination and e.get("kind") == EmailKind.WORK
                for e in emails
            )
            if not is_work:
                return None
            return hit(
                rule,
                f"{destination} es un correo del empleador",
                f"{destination} is an employer-provided e-mail address",
            )
        if emails and all(e.get("kind") == EmailKind.WORK for e in emails):
            return hit(
                rule,
                "Sólo hay correos de trabajo registrados",
                "Only work e-mail addresses are on file",
            )
        return None

    # -- time rules -------------------------------------------------------------------------------------
    def _consented(self, rule: Rule, at: datetime) -> bool:
        if not rule.parameters.get("consentException"):
            return False
        return any(
            w.start <= at < w.end and (w.channels is None or self.ctx.channel in w.channels)
            for w in self.ctx.debtor.consent_windows
        )

    def _check_contact_window(self, rule: Rule, at: datetime) -> RuleHit | None:
        if self._consented(rule, at):
            return None
        params = rule.parameters
        country = params.get("holidayCountry")
        subdiv = self.ctx.holiday_subdivs.get(country) if country and params.get("regionalHolidays") else None
        day_problems: list[tuple[str, str]] = []
        hour_problems: list[tuple[str, str]] = []
        for zone in self.ctx.zones:
            local = at.astimezone(zone)
            where = zone.key
            day_es, day_en = _DAYS_ES[local.weekday()], _DAYS_EN[local.weekday()]
            if params.get("excludeHolidays") and country:
                name = _holiday_name(country, subdiv, local.date())
                if name:
                    day_problems.append(
                        (
                            f"{local.date().isoformat()} es festivo ({name}) en {where}",
                            f"{local.date().isoformat()} is a holiday ({name}) in {where}",
                        )
                    )
                    continue
            windows = [w for w in params["windows"] if _DAYS[local.weekday()] in w["days"]]
            if not windows:
                day_problems.append(
                    (
                        f"no se permite contactar en {day_es} ({where})",
                        f"no contact allowed on {day_en} ({where})",
                    )
                )
                continue
            now_t = local.time().replace(tzinfo=None)
            inside = False
            for w in windows:
                start, end = _parse_hhmm(w["start"]), _parse_hhmm(w["end"])
                if start is not None and now_t >= start and (end is None or now_t < end):
                    inside = True
                    break
            if not inside:
                spans = ", ".join(f"{w['start']}–{w['end']}" for w in windows)
                hh = local.strftime("%H:%M")
                hour_problems.append(
                    (
                        f"son las {hh} en {where} (horario permitido {spans})",
                        f"it is {hh} in {where} (allowed {spans})",
                    )
                )
        if not day_problems and not hour_problems:
            return None
        problems = day_problems + hour_problems
        found = hit(
            rule,
            "Fuera del horario de contacto: " + "; ".join(p[0] for p in problems),
            "Outside contact hours: " + "; ".join(p[1] for p in problems),
        )
        if day_problems:
            found = dataclasses.replace(found, code=ViolationCode.CONTACT_DAY)
        return found

    def _counted(self, rule: Rule, at: datetime, prefix: str = "count") -> list[InteractionFact]:
        channels = _param_set(rule, f"{prefix}Channels", Channel, rule.channels or _ALL_CHANNELS)
        outcomes = _param_set(rule, f"{prefix}Outcomes", InteractionOutcome, _ALL_OUTCOMES)
        directions = _param_set(rule, f"{prefix}Directions", Direction, [Direction.OUTBOUND])
        roles = _param_set(rule, f"{prefix}RecipientRoles", RecipientRole, [self.ctx.role])
        return [
            e
            for e in self.ctx.history
            if e.at <= at
            and e.channel in (channels or ())
            and e.outcome in (outcomes or ())
            and e.direction in (directions or ())
            and e.recipient_role in (roles or ())
        ]

    def _check_frequency(self, rule: Rule, at: datetime) -> RuleHit | None:
        params = rule.parameters
        limit = int(params["max"])
        events = self._counted(rule, at)
        if params["period"] == "rolling_days":
            days = int(params["days"])
            window = [e for e in events if e.at > at - timedelta(days=days)]
            label_es, label_en = f"en {days} días", f"in {days} days"
        else:
            days = 1
            window = [
                e
                for e in events
                if any(e.at.astimezone(z).date() == at.astimezone(z).date() for z in self.ctx.zones)
            ]
            # Same local day also counts contacts logged later that day (never two on one day).
            window += [
                e
                for e in self.ctx.history
                if e.at > at
                and e in self._counted(rule, e.at)
                and any(e.at.astimezone(z).date() == at.astimezone(z).date() for z in self.ctx.zones)
            ]
            label_es, label_en = "en el mismo día", "on the same day"
        if len(window) + 1 > limit:
            return hit(
                rule,
                f"Límite de frecuencia: ya hay {len(window)} de {limit} contactos {label_es}",
                f"Frequency limit: already {len(window)} of {limit} contacts {label_en}",
            )
        gap = params.get("minFullDaysBetween")
        if gap and events:
            last = max(events, key=lambda e: e.at)
            for zone in self.ctx.zones:
                between = (at.astimezone(zone).date() - last.at.astimezone(zone).date()).days - 1
                if between < int(gap):
                    return hit(
                        rule,
                        f"Deben pasar al menos {gap} días completos entre gestiones (última: "
                        f"{last.at.astimezone(zone).date().isoformat()})",
                        f"At least {gap} full days must pass between contacts (last: "
                        f"{last.at.astimezone(zone).date().isoformat()})",
                    )
        return None

    def _check_wait_after_conversation(self, rule: Rule, at: datetime) -> RuleHit | None:
        days = int(rule.parameters["days"])
        triggers = self._counted_triggers(rule, at)
        for e in reversed(triggers):
            for zone in self.ctx.zones:
                conv_day = e.at.astimezone(zone).date()
                if at.astimezone(zone).date() < conv_day + timedelta(days=days):
                    free = conv_day + timedelta(days=days)
                    return hit(
                        rule,
                        f"Hubo una conversación el {conv_day.isoformat()} ({zone.key}): no llamar hasta el "
                        f"{free.isoformat()}",
                        f"A conversation took place on {conv_day.isoformat()} ({zone.key}): no call until "
                        f"{free.isoformat()}",
                    )
        return None

    def _counted_triggers(self, rule: Rule, at: datetime) -> list[InteractionFact]:
        params = rule.parameters
        channels = _param_set(rule, "triggerChannels", Channel, _ALL_CHANNELS) or frozenset()
        outcomes = _param_set(rule, "triggerOutcomes", InteractionOutcome, [InteractionOutcome.CONVERSATION])
        directions = _param_set(rule, "triggerDirections", Direction, _ALL_DIRECTIONS) or frozenset()
        roles = _param_set(rule, "triggerRecipientRoles", RecipientRole, [self.ctx.role]) or frozenset()
        del params
        return [
            e
            for e in self.ctx.history
            if e.at <= at
            and e.channel in channels
            and e.outcome in (outcomes or ())
            and e.direction in directions
            and e.recipient_role in roles
        ]

    def _check_single_channel_after_contact(self, rule: Rule, at: datetime) -> RuleHit | None:
        period = timedelta(days=int(rule.parameters["days"]))
        triggers = [e for e in self._counted_triggers(rule, at) if e.at > at - period]
        if not triggers:
            return None
        first = min(triggers, key=lambda e: e.at)
        used = {first.channel}
        used |= {e.channel for e in self._counted(rule, at) if e.at >= first.at}
        others = sorted(c.value for c in used if c != self.ctx.channel)
        if not others:
            return None
        return hit(
            rule,
            f"Tras el contacto directo del {first.at.date().isoformat()} ya se usó {', '.join(others)}: "
            "un solo canal en la semana",
            f"After the direct contact of {first.at.date().isoformat()} {', '.join(others)} was already used: "
            "a single channel that week",
        )

    # -- instants where a time rule may start to allow the contact --------------------------------------
    def boundaries(self, start: datetime, end: datetime) -> Iterator[datetime]:
        zones = self.ctx.zones
        rolling: set[int] = set()
        for rule in self.time_rules:
            for key in ("days",):
                if key in rule.parameters and rule.kind in ("frequency", "single_channel_after_contact"):
                    rolling.add(int(rule.parameters[key]))
            if rule.kind == "contact_window":
                for zone in zones:
                    day = start.astimezone(zone).date()
                    last = end.astimezone(zone).date()
                    while day <= last:
                        for w in rule.parameters["windows"]:
                            if _DAYS[day.weekday()] in w["days"]:
                                opening = _parse_hhmm(w["start"]) or time(0, 0)
                                yield datetime.combine(day, opening, tzinfo=zone)
                        day += timedelta(days=1)
        for zone in zones:
            day = start.astimezone(zone).date()
            last = end.astimezone(zone).date()
            while day <= last:
                day += timedelta(days=1)
                yield _local_midnight(day, zone)
        for days in rolling:
            for e in self.ctx.history:
                yield e.at + timedelta(days=days)
        for w in self.ctx.debtor.consent_windows:
            yield w.start
        birth = self.ctx.debtor.birth_date
        if birth is not None:
            for years in (18, 21):
                try:
                    birthday = birth.replace(year=birth.year + years)
                except ValueError:  # 29 February
                    birthday = date(birth.year + years, 3, 1)
                for zone in zones:
                    yield _local_midnight(birthday, zone)


def _next_allowed(
    evaluator: _Evaluator, at: datetime, horizon: timedelta, *, blocked_at: bool = False
) -> datetime | None:
    """The first instant >= `at` (within `horizon`) at which every time rule allows the contact.
    `blocked_at`: the caller already knows a time rule forbids the contact at `at`."""
    if not blocked_at and evaluator.time_allows(at):
        return at
    end = at + horizon
    instants = sorted({c.astimezone(UTC) for c in evaluator.boundaries(at, end) if at < c <= end})
    for instant in instants:
        if evaluator.time_allows(instant):
            return instant.astimezone(at.tzinfo)
    return None


def _missing_data_hit(
    missing: list[str],
    reason_es: str,
    reason_en: str,
    *,
    rule_id: str = MISSING_DATA_RULE,
    refuse: bool = True,
) -> RuleHit:
    if refuse:
        tail_es, tail_en = "No se adivina: complete los datos", "Refusing to guess: complete the data"
    else:
        tail_es = "Confirme el destino con el deudor y regístrelo"
        tail_en = "Confirm the destination with the debtor and record it"
    return RuleHit(
        rule_id=rule_id,
        code=ViolationCode.MISSING_CONTACT_DATA,
        message=bilingual(
            f"{reason_es}; falta: {', '.join(missing)}. {tail_es}",
            f"{reason_en}; missing: {', '.join(missing)}. {tail_en}",
        ),
        legal_source=None,
    )


def _next_allowed_memo(
    evaluator: _Evaluator, packs: Sequence[Any], at: datetime, horizon: timedelta
) -> datetime | None:
    """``_next_allowed`` for a contact a time rule forbids at `at`, remembered per process.

    When, for the same rules and context (packs by identity, channel, role, destination, the debtor's facts
    object, which is frozen, and the history as of `now`, by value), the search from an earlier instant t0
    found T0, then for any `at` in [t0, T0) the answer is T0 again: every candidate instant of the search
    from `at` that lies before T0 was also a candidate from t0 (window openings and midnights of the local
    days between, history and consent instants, birthdays: the same sets, cut to a later start) and failed
    there with the same rules and context; T0 is a candidate from `at` too (it lies within at + horizon)
    and passes. An answer of None (nothing within the horizon) is never reused: from a later instant the
    horizon reaches further."""
    ctx = evaluator.ctx
    key = (
        tuple(id(p) for p in packs),
        ctx.channel,
        ctx.role,
        ctx.destination,
        id(ctx.debtor),
        tuple(ctx.history),
        horizon,
    )
    found = _NEXT_ALLOWED.get(key)
    if found is not None:
        kept_packs, kept_debtor, since, until = found
        same = kept_debtor is ctx.debtor and all(a is b for a, b in zip(kept_packs, packs, strict=True))
        if same and since <= at < until:
            return until.astimezone(at.tzinfo)
    answer = _next_allowed(evaluator, at, horizon, blocked_at=True)
    if answer is not None:
        _NEXT_ALLOWED.put(key, (tuple(packs), ctx.debtor, at, answer))
    return answer


_SPLITS = BoundedMemo(512)  # (packs, channel, role, has birth date) -> the evaluator's rule lists
_NEXT_ALLOWED = BoundedMemo(4096)  # see _next_allowed_memo
_WHERE = BoundedMemo(8192)  # see _where


def candidate_zones(
    addresses: Sequence[Mapping[str, Any]],
    phones: Sequence[Mapping[str, Any]],
    override: str | None = None,
    jurisdiction: str | None = None,
) -> list[TzCandidate]:
    """``geo.candidate_timezones``, remembered per process under exactly what it reads (``geo.place_key``:
    each address's country, region and city, each phone's number; the override and the jurisdiction) when
    all of those are text or None; other inputs are computed afresh every time, and failures (an unknown
    override zone: BadInput) are raised every time, never remembered. Shared by the contact decision
    (``_where``) and the card (``portfolio.card.zones_of``): an agent's card and the contact checks of the
    same debtor parse its phone numbers once, whichever comes first."""
    place = place_key(addresses, phones)
    key = None
    if place is not None and all(v is None or type(v) is str for v in (override, jurisdiction)):
        key = (place, override, jurisdiction)
        found = _ZONE_CANDIDATES.get(key)
        if found is not None:
            return list(found)
    zones = candidate_timezones(addresses, phones, override=override, jurisdiction=jurisdiction)
    if key is not None:
        _ZONE_CANDIDATES.put(key, tuple(zones))
    return zones


_ZONE_CANDIDATES = BoundedMemo(8192)  # see candidate_zones


@dataclasses.dataclass(frozen=True)
class _Where:
    """What a debtor's addresses, phones, time-zone override and jurisdiction say about where they are."""

    candidates: tuple[TzCandidate, ...]
    jurisdiction: str | None  # declared, else from the first address / phone
    zones: tuple[ZoneInfo, ...]  # one per candidate, in order
    holiday_subdivs: Mapping[str, str | None]  # {} without a jurisdiction; read only


def _where(debtor: DebtorFacts) -> _Where:
    """The debtor's candidate zones, jurisdiction and holiday subdivisions: a pure function of the addresses'
    country/region/city, the phones' numbers, the override and the declared jurisdiction (and the zone and
    holiday tables, loaded once), so remembered per process under exactly those values (``geo.place_key``).
    Raises BadInput for an unknown override zone, every time (failures are not remembered)."""
    place = place_key(debtor.addresses, debtor.phones)
    key = None
    if place is not None and all(v is None or type(v) is str for v in (debtor.timezone, debtor.jurisdiction)):
        key = (place, debtor.timezone, debtor.jurisdiction)
        found = _WHERE.get(key)
        if found is not None:
            return found
    candidates = candidate_zones(debtor.addresses, debtor.phones, debtor.timezone, debtor.jurisdiction)
    jurisdiction = debtor.jurisdiction or jurisdiction_for(debtor.addresses, debtor.phones)
    where = _Where(
        candidates=tuple(candidates),
        jurisdiction=jurisdiction,
        zones=tuple(ZoneInfo(c.tz) for c in candidates),
        holiday_subdivs=_holiday_subdivisions(debtor, jurisdiction) if jurisdiction is not None else {},
    )
    if key is not None:
        _WHERE.put(key, where)
    return where


def _holiday_subdivisions(debtor: DebtorFacts, jurisdiction: str) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for address in debtor.addresses:
        country, region = resolve_region(address, jurisdiction.split("-")[0])
        if country is None or country in out:
            continue
        supported = _subdivisions(country)
        if supported is None:  # `holidays` has no calendar for this country: no regional holidays
            continue
        out[country] = region if region in supported else None
    return out


@lru_cache(maxsize=256)
def _subdivisions(country: str) -> tuple[str, ...] | None:
    """The subdivisions `holidays` knows for a country, or None when it has no calendar for the country
    (the caller then skips it: no holiday applies to its addresses)."""
    supported = _supported_countries()
    if country not in supported:
        return None
    return tuple(supported[country])


@lru_cache(maxsize=1)
def _supported_countries() -> dict[str, list[str]]:
    """Every country `holidays` has a calendar for, with its subdivisions (read once per process)."""
    return holidays.list_supported_countries()


@dataclasses.dataclass(frozen=True)
class _Static:
    """The part of a decision that reads neither the instant nor the history (see ``_static``)."""

    where: _Where
    missing: tuple[str, ...]  # data that prevents knowing the local time or the jurisdiction
    violations: tuple[RuleHit, ...]  # for `missing`
    warnings: tuple[RuleHit, ...]  # no destination on file for the channel
    missing_destination: tuple[str, ...]
    pack_list: tuple[Any, ...]  # () without a jurisdiction
    pack_versions: Mapping[str, str]  # read only: each decision gets a copy
    split: tuple[list[Rule], list[Rule], list[Rule]] | None  # the evaluator's rules, time rules, static rules
    static_hits: tuple[tuple[Rule, RuleHit], ...]


def _static(
    channel: Channel,
    role: RecipientRole,
    destination: str | None,
    debtor: DebtorFacts,
    registry: PackRegistry,
    at: datetime,
) -> _Static:
    """Where the debtor is, the missing data, the packs and the static rules' hits (opt-out, authorisation,
    cease contact, attorney, litigation, recipient role, work e-mail, and age rules without a birth date):
    none of them reads the instant or the history (a rule that does, or an age rule with a birth date, is a
    time rule: ``_Evaluator.time_rules``). Remembered per process under the channel, role and destination
    and the debtor's facts object and the registry by identity (both frozen; the entry keeps them alive),
    like ``_next_allowed_memo``; tests/compliance/test_contact_memo.py compares every decision with one
    made with empty memos (an entry made at one instant serving another: a static rule that read the instant
    would fail it)."""
    key = None
    if destination is None or type(destination) is str:
        key = (channel, role, destination, id(debtor), id(registry))
        found = _STATIC.get(key)
        if found is not None and found[0] is debtor and found[1] is registry:
            return found[2]
    missing: list[str] = []
    violations: list[RuleHit] = []
    where = _where(debtor)
    candidates = where.candidates
    jurisdiction = where.jurisdiction
    if not candidates:
        if not debtor.addresses:
            missing.append("address")
        if not debtor.phones:
            missing.append("phone")
        missing.append("timezone")
        violations.append(
            _missing_data_hit(
                missing,
                "No se puede determinar la hora local del deudor",
                "Cannot determine the debtor's local time",
            )
        )
    if jurisdiction is None:
        missing.append("jurisdiction")
        violations.append(
            _missing_data_hit(
                ["jurisdiction"],
                "No se puede determinar la jurisdicción",
                "Cannot determine the jurisdiction",
            )
        )
    warnings: list[RuleHit] = []
    missing_destination: list[str] = []
    if not destination:
        # No destination on file for the channel is a warning, not a refusal: the agent may have the
        # destination from the conversation itself (product decision). Only data that prevents knowing the
        # debtor's local time (above) blocks the contact.
        needed = None
        if channel in _PHONE_CHANNELS and not debtor.phones:
            needed = "phone"
        elif channel == Channel.EMAIL and not debtor.emails:
            needed = "email"
        elif channel in _ADDRESS_CHANNELS and not debtor.addresses:
            needed = "address"
        if needed and needed not in missing:
            warnings.append(
                _missing_data_hit(
                    [needed],
                    f"No hay destino registrado para el canal {channel.value}",
                    f"No destination on file for channel {channel.value}",
                    rule_id=MISSING_DESTINATION_RULE,
                    refuse=False,
                )
            )
            missing_destination = [needed]
    pack_list: tuple[Any, ...] = ()
    pack_versions: Mapping[str, str] = {}
    split = None
    static_hits: list[tuple[Rule, RuleHit]] = []
    if jurisdiction is not None:
        pack_list = tuple(registry.resolve(jurisdiction, debtor.addresses))
        pack_versions = registry.versions(pack_list)
        ctx = _Context(
            channel=channel,
            role=role,
            destination=destination,
            debtor=debtor,
            history=[],  # static rules read no history and no instant
            zones=list(where.zones),
            holiday_subdivs=where.holiday_subdivs,
        )
        evaluator = _Evaluator.for_packs(pack_list, ctx)
        split = (evaluator.rules, evaluator.time_rules, evaluator.static_rules)
        static_hits = evaluator.check(evaluator.static_rules, at)  # `at` is not read (see above)
    found_static = _Static(
        where=where,
        missing=tuple(missing),
        violations=tuple(violations),
        warnings=tuple(warnings),
        missing_destination=tuple(missing_destination),
        pack_list=pack_list,
        pack_versions=pack_versions,
        split=split,
        static_hits=tuple(static_hits),
    )
    if key is not None:
        _STATIC.put(key, (debtor, registry, found_static))
    return found_static


_STATIC = BoundedMemo(8192)  # see _static


def evaluate_contact(
    request: ContactRequest,
    debtor: DebtorFacts,
    history: Sequence[InteractionFact],
    packs: PackRegistry,
    now: datetime,
    *,
    tenant_overlay: Mapping[str, Any] | None = None,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> ContactDecision:
    """Decide whether the contact is allowed; see the module docstring. Raises BadInput for an unknown
    jurisdiction, channel or recipient role, a naive ``at``/``now``, or an unknown time zone override."""
    channel = _coerce_channel(request.channel)
    role = _coerce_role(request.recipient_role)
    at = _aware(request.at, "request.at")
    now = _aware(now, "now")
    registry = packs.with_overlay(tenant_overlay) if tenant_overlay else packs

    static = _static(channel, role, request.destination, debtor, registry, at)
    where = static.where
    missing = list(static.missing)
    violations = list(static.violations)
    warnings = list(static.warnings)
    zones = list(where.zones)
    decision = ContactDecision(
        allowed=False,
        timezones=[c.tz for c in where.candidates],
        local_times=[at.astimezone(z) for z in zones],
        missing_data=missing + list(static.missing_destination),
    )
    if where.jurisdiction is None:
        decision.violations = violations
        decision.warnings = warnings
        return decision

    pack_list = list(static.pack_list)
    decision.pack_versions = dict(static.pack_versions)
    ctx = _Context(
        channel=channel,
        role=role,
        destination=request.destination,
        debtor=debtor,
        history=sorted((e for e in history if _aware(e.at, "interaction.at") <= now), key=lambda e: e.at),
        zones=zones,
        holiday_subdivs=where.holiday_subdivs,
    )
    assert static.split is not None  # a jurisdiction: the packs were resolved
    evaluator = _Evaluator.__new__(_Evaluator)
    evaluator.ctx = ctx
    evaluator.rules, evaluator.time_rules, evaluator.static_rules = static.split
    static_hits = list(static.static_hits)
    time_hits = evaluator.check(evaluator.time_rules, at) if zones else []
    for rule, found in static_hits + time_hits:
        (violations if rule.severity == "violation" else warnings).append(found)
    decision.violations = violations
    decision.warnings = warnings
    decision.allowed = not violations
    blocked_for_good = missing or any(r.severity == "violation" for r, _ in static_hits)
    if decision.allowed:
        decision.next_allowed_at = at
    elif not blocked_for_good:  # not allowed, no static violation, no missing data: a time rule forbids `at`
        decision.next_allowed_at = _next_allowed_memo(evaluator, pack_list, at, timedelta(days=horizon_days))
    return decision
