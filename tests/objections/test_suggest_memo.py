"""The memos of the suggestion domain: plan and placeholder values per card object (ComplianceCache.plan,
.values) and classifier answers per text (MemoisedClassifier). Each is keyed by the identity of what it was
built from, so an equal-looking but rebuilt card, policy or model never gets another one's values, and the
answers are the same with and without them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asistente.agreements import default_policies, resolve_policy
from asistente.enums import ObjectionCategory, Role
from asistente.objections.card import PaymentView
from asistente.objections.classifier import default_classifier
from asistente.objections.render import format_money, locale_for
from asistente.objections.suggest import ComplianceCache, MemoisedClassifier, suggest_responses
from tests.objections.test_suggest import NOW, FixedClassifier, card, packs, playbook, run

TODAY = date(2026, 11, 20)


def _policy():
    return resolve_policy(default_policies(), currency="MXN")


def test_the_plan_is_remembered_per_card_and_policy_object():
    cache = ComplianceCache()
    c, policy = card("MX"), _policy()
    first = cache.plan(c, policy, Role.AGENT, TODAY, settlement=True)
    assert cache.plan(c, policy, Role.AGENT, TODAY, settlement=True) is first
    assert cache.memo_hits == 1
    # Equal values, another object (a card rebuilt after a write): built again, never looked up by value.
    twin = replace(c)
    assert twin == c and twin is not c
    assert cache.plan(twin, policy, Role.AGENT, TODAY, settlement=True) is not first
    # Every other input is in the key.
    assert cache.plan(c, _policy_copy(policy), Role.AGENT, TODAY, settlement=True) is not first
    assert cache.plan(c, policy, Role.SUPERVISOR, TODAY, settlement=True) is not first
    assert cache.plan(c, policy, Role.AGENT, date(2026, 11, 21), settlement=True) is not first
    assert cache.plan(c, policy, Role.AGENT, TODAY, settlement=False) is not first
    assert cache.memo_hits == 1


def _policy_copy(policy):
    return replace(policy)


def test_values_follow_the_card_and_are_read_only():
    cache = ComplianceCache()
    c = card("MX")
    values = cache.values(c, "es", None, None, None)
    assert cache.values(c, "es", None, None, None) is values
    with pytest.raises(TypeError):
        values["balance"] = "0"  # type: ignore[index]
    richer = replace(c, accounts=(replace(c.accounts[0], balance=Decimal("99999.00")),))
    other = cache.values(richer, "es", None, None, None)
    assert other["balance"] != values["balance"] and "99,999" in other["balance"]
    assert cache.values(c, "en", None, None, None)["balance"] != values["balance"]


@pytest.mark.parametrize(
    "category",
    [ObjectionCategory.DISCOUNT_OR_PLAN, ObjectionCategory.NO_MONEY, ObjectionCategory.ALREADY_PAID],
)
def test_answers_are_the_same_with_a_warm_and_a_fresh_cache(category):
    c = card("MX")
    warm = ComplianceCache()
    first = run(category, c, cache=warm)
    second = run(category, c, cache=warm)
    fresh = run(category, c, cache=ComplianceCache())
    assert warm.memo_hits >= 1
    assert first == second == fresh


def test_a_rebuilt_card_with_a_new_balance_gets_a_new_plan():
    cache = ComplianceCache()
    c = card("MX")
    before = run(ObjectionCategory.DISCOUNT_OR_PLAN, c, cache=cache)
    moved = replace(c, accounts=(replace(c.accounts[0], balance=Decimal("5000.00")),))
    after = run(ObjectionCategory.DISCOUNT_OR_PLAN, moved, cache=cache)
    assert after.plan != before.plan
    assert after == run(ObjectionCategory.DISCOUNT_OR_PLAN, moved, cache=ComplianceCache())


def test_the_classifier_memo_returns_the_models_own_answer():
    model = default_classifier()
    memo = MemoisedClassifier(model)
    for text in ("ya pagué eso", "no tengo chamba", "ya pagué eso", "I already paid that"):
        assert memo.classify(text) == model.classify(text)
    assert memo.hits == 1
    assert memo.version == model.version
    # An explicit language is not what suggestions ask: passed through, not remembered.
    assert memo.classify("ya pagué eso", "en") == model.classify("ya pagué eso", "en")
    assert memo.hits == 1


def test_the_classifier_memo_is_bounded_and_per_model():
    counting = FixedClassifier(ObjectionCategory.REFUSAL)
    memo = MemoisedClassifier(counting, size=2)
    for text in ("a", "b", "a", "c", "b"):
        memo.classify(text)
    assert counting.seen == ["a", "b", "c", "b"]  # "b" was evicted by "c"
    another = FixedClassifier(ObjectionCategory.DISPUTE)
    assert MemoisedClassifier(another).classify("a").category is ObjectionCategory.DISPUTE


def test_suggestions_through_the_memo_equal_the_models():
    model = default_classifier()
    memo = MemoisedClassifier(model)
    kw = dict(
        card=card("MX"),
        playbook=playbook(),
        packs=packs(),
        now=NOW,
        today=TODAY,
        caller_role=Role.AGENT,
        policy=_policy(),
    )
    for text in ("no tengo dinero ahorita", "ya pagué", "no tengo dinero ahorita"):
        a = suggest_responses(text, classifier=memo, cache=ComplianceCache(), **kw)
        b = suggest_responses(text, classifier=model, cache=ComplianceCache(), **kw)
        assert a == b


_LOCALES = ["es_MX", "es_CO", "es_CL", "es_PE", "es_AR", "es_ES", "es_US", "en_US"]
_CURRENCIES = ["MXN", "COP", "CLP", "PEN", "ARS", "EUR", "USD"]


@given(
    st.decimals(min_value=Decimal("0"), max_value=Decimal("99999999.99"), places=2),
    st.sampled_from(_CURRENCIES),
    st.sampled_from(_LOCALES),
)
def test_money_is_written_exactly_as_babels_format_currency(amount, currency, locale_name):
    """render._format_money applies the locale's parsed pattern itself; the text is format_currency's."""
    from babel import Locale
    from babel.numbers import format_currency

    from asistente.money import minor_units
    from asistente.objections.render import format_money

    locale = Locale.parse(locale_name)
    pattern = locale.currency_formats["standard"].pattern
    expected_amount = amount
    if minor_units(currency) == 0 or amount == amount.to_integral_value():
        pattern = pattern.replace(".00", "").replace(",00", "")
        expected_amount = amount.quantize(Decimal(1))
    expected = format_currency(
        expected_amount, currency, format=pattern, locale=locale, currency_digits=False
    )
    assert format_money(amount, currency, locale) == expected


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)), st.sampled_from(_LOCALES))
def test_long_dates_are_babels(d, locale_name):
    from babel import Locale
    from babel.dates import format_date

    from asistente.objections.render import _date

    locale = Locale.parse(locale_name)
    assert _date(d, locale) == format_date(d, format="long", locale=locale)


@pytest.mark.parametrize(
    ("addresses", "phones", "override", "jurisdiction"),
    [
        ([{"city": "Cancún", "region": "ROO", "country": "MX"}], [{"number": "+5215512345678"}], None, "MX"),
        ([{"city": "Nowhere", "country": "ZZ"}], [{"number": "+13055550123"}], None, "US-FL"),
        ([], [{"number": "+573001234567"}, {"number": "+5491112345678"}], None, "CO"),
        ([], [{"number": "not a number"}], None, None),
        ([{"city": "Bogotá", "region": "DC", "country": "CO"}], [], "America/Lima", "CO"),
        ([{"line1": "x"}], [{"number": "+56221234567"}], None, "CL"),
        ([], [], None, "US-TX"),
        ([], [], "Not/AZone", "MX"),
    ],
)
def test_the_primary_time_zone_is_the_first_candidate(addresses, phones, override, jurisdiction):
    """_primary_timezone skips parsing phones when an address already gives the first candidate; the
    answer is still geo.candidate_timezones' first zone (None when there is none or the lookup refuses)."""
    from asistente.compliance import DebtorFacts
    from asistente.errors import DomainError
    from asistente.geo import candidate_timezones
    from asistente.objections.card import _primary_timezone

    facts = DebtorFacts(
        jurisdiction=jurisdiction, addresses=tuple(addresses), phones=tuple(phones), timezone=override
    )
    try:
        zones = candidate_timezones(addresses, phones, override, jurisdiction)
        expected = zones[0].tz if zones else None
    except (DomainError, ValueError, KeyError):
        expected = None
    assert _primary_timezone(facts) == expected


# ------------------------------------------------------------- placeholder values formatted on first read


def _values_before(card, language, *, plan=None, next_contact=None, timezone=None):
    """render.values_for as it was before its values were made lazily (verbatim, the plain path)."""
    from asistente.objections.render import _FREQUENCY, _date, _when

    loc = locale_for(language, card.jurisdiction)
    out = {}
    name = " ".join(card.full_name.split())
    if name:
        out["name"] = name
        out["firstName"] = name.split(" ")[0]
    main = card.main_account
    if main is not None:
        cur = main.currency
        if main.creditor:
            out["creditor"] = main.creditor
        out["product"] = main.product
        out["principal"] = format_money(main.principal, cur, loc)
        out["balance"] = format_money(card.balance, cur, loc)
        if main.minimum_due is not None and main.minimum_due > 0:
            out["minimumDue"] = format_money(main.minimum_due, cur, loc)
        if main.due_date is not None:
            out["dueDate"] = _date(main.due_date, loc)
        out["daysPastDue"] = str(max(a.days_past_due for a in card.accounts))
    if card.payments:
        last = card.payments[0]
        out["lastPaymentAmount"] = format_money(last.amount, last.currency, loc)
        out["lastPaymentDate"] = _date(last.paid_at.date(), loc)
        if last.reference:
            out["lastPaymentReference"] = last.reference
    pending = sorted((p for p in card.promises if p.status == "PENDING"), key=lambda p: p.due_date)
    if pending:
        out["promiseAmount"] = format_money(pending[0].amount, pending[0].currency, loc)
        out["promiseDate"] = _date(pending[0].due_date, loc)
    if plan is not None:
        p = plan
        if p.down_payment is not None:
            out["planDownPayment"] = format_money(p.down_payment, p.currency, loc)
        out["planInstallment"] = format_money(p.installment, p.currency, loc)
        out["planInstallments"] = str(p.installments)
        out["planFrequency"] = _FREQUENCY["en" if language == "en" else "es"][p.frequency]
        out["planFirstDate"] = _date(p.first_date, loc)
        out["planTotal"] = format_money(p.total, p.currency, loc)
        if p.settlement_amount is not None:
            out["settlementAmount"] = format_money(p.settlement_amount, p.currency, loc)
    if next_contact is not None:
        out["nextContact"] = _when(next_contact, timezone, loc)
    return out


_money = st.decimals(min_value=Decimal("0"), max_value=Decimal("9999999.99"), places=2)
_day = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@given(
    st.sampled_from(["MX", "CO", "AR", "ES", "US-TX"]),
    st.sampled_from(["es", "en"]),
    st.text(alphabet="ab é\tÑ", max_size=12),
    st.one_of(st.none(), st.sampled_from(["Banco Ceiba", ""])),
    _money,
    _money,
    st.one_of(st.none(), st.just(Decimal("0")), _money),
    st.one_of(st.none(), _day),
    st.lists(st.tuples(_money, _day, st.one_of(st.none(), st.just("OP-1"))), max_size=2),
    st.lists(st.tuples(_money, _day, st.sampled_from(["PENDING", "KEPT", "BROKEN"])), max_size=3),
    st.one_of(
        st.none(),
        st.tuples(
            st.one_of(st.none(), _money),
            _money,
            st.integers(1, 24),
            st.sampled_from(["MONTHLY", "BIWEEKLY", "WEEKLY"]),
            _day,
            _money,
            st.one_of(st.none(), _money),
        ),
    ),
    st.one_of(st.none(), st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1))),
    st.sampled_from([None, "America/Mexico_City", "Europe/Madrid"]),
    st.booleans(),
)
def test_lazy_values_are_the_values_before(
    jurisdiction,
    language,
    name,
    creditor,
    principal,
    balance,
    minimum,
    due,
    pays,
    promises,
    plan,
    at,
    tz,
    accounts,
):
    """lazy_values_for and values_for give exactly the placeholders and texts of the eager values_for of
    before (every key, every value, read in any order and twice), for generated cards, plans and times."""
    from asistente.objections.card import PromiseView
    from asistente.objections.render import PlanTerms, lazy_values_for, values_for

    c = card(jurisdiction, language=language)
    cur = c.main_currency
    main = replace(
        c.accounts[0],
        creditor=creditor,
        principal=principal,
        balance=balance,
        minimum_due=minimum,
        due_date=due,
    )
    c = replace(
        c,
        full_name=name,
        accounts=(main,) if accounts else (),
        payments=tuple(
            PaymentView("acc-1", a, cur, datetime(d.year, d.month, d.day, 12, tzinfo=UTC), r)
            for a, d, r in pays
        ),
        promises=tuple(PromiseView(a, cur, d, s, None) for a, d, s in promises),
    )
    terms = None if plan is None else PlanTerms(cur, *plan)
    at = None if at is None else at.replace(tzinfo=UTC)
    before = _values_before(c, language, plan=terms, next_contact=at, timezone=tz)
    assert values_for(c, language, plan=terms, next_contact=at, timezone=tz) == before
    lazy = lazy_values_for(c, language, plan=terms, next_contact=at, timezone=tz)
    assert list(lazy.keys()) == list(before) and len(lazy) == len(before)
    assert all(k in lazy for k in before) and "nope" not in lazy
    for key in reversed(list(before)):
        assert lazy[key] == before[key] and lazy[key] == before[key]
    assert dict(lazy) == before
    with pytest.raises(KeyError):
        lazy["nope"]
