"""The importer's fast paths agree with the reference code: stored segments equal `segment_for` over the
stored rows (new debtors and the UPDATE path), the JSON Lines parser equals `json.loads`, schema defaults
are filled in as validation fills them, the SQLite storage forms equal SQLAlchemy's, ids are UUID4."""

from __future__ import annotations

import copy
import json
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from asistente.portfolio import ingest
from asistente.portfolio.ingest import _Ids, _sqlite_datetime, import_jsonl_file, loads, upsert_records
from asistente.portfolio.models import Account, Debtor, Interaction, Payment, Promise
from asistente.portfolio.repository import segment_for
from asistente.portfolio.segmentation import (
    AccountFacts,
    PromiseFacts,
    load_rules,
    segment,
    segment_code_and_risk,
)
from asistente.portfolio.validation import apply_schema_defaults, record_errors
from asistente.tenants.service import get_or_create_tenant
from tests.api.data import debtor_record

NOW = datetime.now(UTC)  # the instant the rows are stamped with (ingest never reads the clock)

CURRENCIES = {"MX": "MXN", "CO": "COP", "US": "USD", "CL": "CLP", "PE": "PEN"}
PHONES = {"MX": "+529981234567", "CO": "+573001234567", "US": "+12125550123", "CL": "+56921234567"}


def varied_record(rng: random.Random, n: int, today: date) -> dict:
    """A valid record with balances, days past due, payments and promises spread over every segment."""
    country = rng.choice(sorted(PHONES))
    cur = CURRENCIES[country]
    rec = debtor_record(f"SEG-{n}", accounts=rng.randint(0, 3), payments=0, country=country)
    rec["phones"] = [{"number": PHONES[country]}]  # kind left to the schema default
    if rng.random() < 0.5:
        rec.pop("addresses")
    decimals = 0 if cur == "CLP" else 2
    for acc in rec["accounts"]:
        acc["currency"] = cur
        scale = {"MXN": 1, "COP": 200, "USD": 0.06, "CLP": 50, "PEN": 0.2}[cur]
        acc["balance"] = (
            f"{rng.choice([0, 0.5, 100, 4999.99, 5000, 20000, 60000, 200000]) * scale:.{decimals}f}"
        )
        acc["principal"] = acc["balance"] if rng.random() < 0.5 else f"{100000 * scale:.{decimals}f}"
        acc["daysPastDue"] = rng.choice([0, 1, 30, 31, 60, 61, 90, 91, 180, 181, 400])
        acc["payments"] = [
            {
                "amount": "1" if decimals == 0 else "1.00",
                "paidAt": (
                    datetime.now(UTC) - timedelta(days=rng.choice([1, 44, 46, 179, 181, 400]), hours=j)
                )
                .isoformat()
                .replace("+00:00", "Z"),
                "reference": f"{acc['externalId']}-P{j}",
            }
            for j in range(rng.choice([0, 0, 1, 2]))
        ]
    rec["promises"] = []
    if rec["accounts"]:
        for j in range(rng.choice([0, 0, 1, 2, 3])):
            rec["promises"].append(
                {
                    "externalId": f"SEG-{n}-PR{j}",
                    "accountExternalId": rec["accounts"][0]["externalId"],
                    "amount": "10" if decimals == 0 else "10.00",
                    "currency": cur,
                    "dueDate": (today + timedelta(days=rng.randint(-200, 30))).isoformat(),
                    **({"status": rng.choice(["PENDING", "KEPT", "BROKEN", "CANCELLED"])} if j else {}),
                }
            )
    assert record_errors(copy.deepcopy(rec)) == [], rec
    return rec


def assert_segments_match(session, tenant_id: str) -> int:
    now = datetime.now(UTC)
    debtors = list(session.scalars(select(Debtor).where(Debtor.tenant_id == tenant_id)))
    for d in debtors:
        accounts = list(session.scalars(select(Account).where(Account.debtor_id == d.id)))
        promises = list(session.scalars(select(Promise).where(Promise.debtor_id == d.id)))
        paid = list(session.scalars(select(Payment.paid_at).where(Payment.debtor_id == d.id)))
        seg = segment_for(accounts, promises, paid, now)
        assert (d.segment_code, d.risk_level) == (seg.code, seg.risk_level), d.external_id
    return len(debtors)


def test_import_segments_equal_segment_for_on_insert_and_update(session):
    tenant = get_or_create_tenant(session, "acme")
    rng = random.Random(7)
    today = datetime.now(UTC).date()
    records = [varied_record(rng, n, today) for n in range(150)]
    original = copy.deepcopy(records)
    out = upsert_records(session, tenant.id, copy.deepcopy(records), now=NOW)
    assert not out.rejections and out.created == 150
    session.commit()
    session.expire_all()
    assert assert_segments_match(session, tenant.id) == 150
    codes = set(session.scalars(select(Debtor.segment_code)))
    assert len(codes) > 10  # the sample spreads over many segments

    # The UPDATE path: balances and days past due change, new payments and promises arrive, and some
    # records omit their accounts (the stored ones count all the same).
    for rec in records:
        for acc in rec["accounts"]:
            acc["balance"] = rng.choice(["0", "3", "90000000"])
            acc["daysPastDue"] = rng.choice([0, 75, 500])
            acc["payments"].append(
                {"amount": "2", "paidAt": "2026-11-01T00:00:00Z", "reference": f"{acc['externalId']}-NEW"}
            )
        if rng.random() < 0.3:
            rec.pop("accounts")
            rec["promises"] = []
    out = upsert_records(session, tenant.id, copy.deepcopy(records), now=NOW)
    # Records the loop above left as they were (no accounts to change, promises already empty) are unchanged.
    unchanged = sum(1 for r, orig in zip(records, original, strict=True) if r == orig)
    assert not out.rejections and (out.updated, out.unchanged) == (150 - unchanged, unchanged)
    assert out.updated > 100
    session.commit()
    session.expire_all()
    assert assert_segments_match(session, tenant.id) == 150


def test_update_keeps_absent_keys_and_sets_given_ones(session):
    tenant = get_or_create_tenant(session, "acme")
    rec = debtor_record("U-1")
    rec["language"] = "en"
    rec["timezone"] = "America/Cancun"
    rec["attributes"] = {"employer": "Ñandú", "n": 1.5}
    upsert_records(session, tenant.id, [copy.deepcopy(rec)], now=NOW)
    session.commit()
    again = {
        "externalId": "U-1",
        "fullName": "Ana P. López",
        "language": "en",
        "accounts": [{**rec["accounts"][1], "balance": "0.01", "payments": []}],
    }
    upsert_records(session, tenant.id, [again], now=NOW + timedelta(seconds=1))
    session.commit()
    session.expire_all()
    d = session.scalar(select(Debtor).where(Debtor.external_id == "U-1"))
    assert d.full_name == "Ana P. López" and d.timezone == "America/Cancun"
    assert d.attributes == {"employer": "Ñandú", "n": 1.5}
    assert d.phones == [{"number": "+529981234567", "kind": "MOBILE"}]
    balances = dict(session.execute(select(Account.external_id, Account.balance)).all())
    assert balances == {"U-1-A0": Decimal("12000.50"), "U-1-A1": Decimal("0.01")}
    assert d.updated_at > d.created_at


@pytest.mark.parametrize("parallel", [False, True])
def test_file_import_parallel_and_serial_store_the_same(tmp_path, session_factory, monkeypatch, parallel):
    """Both ways through `import_jsonl_file` (the validation process re-parses nothing for the writer: the
    writer parses good lines again and fills in the schema defaults) store the same thing."""
    monkeypatch.setattr(ingest, "PARALLEL_MIN_BYTES", 0 if parallel else 1 << 40)
    rng = random.Random(11)
    today = datetime.now(UTC).date()
    records = [varied_record(rng, n, today) for n in range(60)]
    for rec in records[::3]:
        rec.pop("language", None)  # schema default "es"
    records[5]["language"] = "en"
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    with session_factory() as s:
        get_or_create_tenant(s, "acme")
        s.commit()
    for expect_created in (60, 0):  # import, then the idempotent re-import (UPDATE path)
        result = import_jsonl_file(session_factory, path, tenant_slug="acme", now=NOW, progress=False)
        assert not result.rejections and result.debtors_created == expect_created
        with session_factory() as s:
            tenant_id = get_or_create_tenant(s, "acme").id
            assert assert_segments_match(s, tenant_id) == 60
            counts = [s.scalar(select(func.count()).select_from(m)) for m in (Account, Payment, Promise)]
            assert counts[0] == sum(len(r["accounts"]) for r in records)
            assert s.scalar(select(func.count()).select_from(Interaction)) == 60
            langs = dict(s.execute(select(Debtor.external_id, Debtor.language)).all())
            assert langs["SEG-0"] == "es" and langs["SEG-5"] == "en"
            phones = s.scalar(select(Debtor.phones).where(Debtor.external_id == "SEG-1"))
            assert phones[0]["kind"] == "MOBILE"


# ---------------------------------------------------------------- pure pieces


@settings(max_examples=400, deadline=None)
@given(
    accounts=st.lists(
        st.tuples(
            st.sampled_from(["MXN", "USD", "CLP", "EUR", "XAF"]),
            st.decimals(min_value=-10, max_value=3_000_000, places=2, allow_nan=False),
            st.integers(min_value=0, max_value=900),
        ),
        max_size=4,
    ),
    promises=st.lists(
        st.tuples(
            st.sampled_from(["PENDING", "KEPT", "BROKEN", "CANCELLED"]),
            st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 1, 1)),
        ),
        max_size=5,
    ),
    paid=st.lists(
        st.datetimes(
            min_value=datetime(2025, 1, 1), max_value=datetime(2026, 11, 22), timezones=st.just(UTC)
        ),
        max_size=3,
    ),
)
def test_segment_code_and_risk_equals_segment(accounts, promises, paid):
    today = date(2026, 11, 22)
    facts = [AccountFacts(c, b, d) for c, b, d in accounts]
    seg = segment(facts, [PromiseFacts(s, d) for s, d in promises], paid, today)
    assert segment_code_and_risk(accounts, promises, paid, today) == (seg.code, seg.risk_level)


def test_segment_thresholds_exact():
    today = date(2026, 11, 22)
    assert segment_code_and_risk([("MXN", Decimal("4999.99"), 0)], [], [], today)[0] == "CURRENT-LOW-NONE"
    assert segment_code_and_risk([("MXN", Decimal("5000"), 30)], [], [], today)[0] == "EARLY-MEDIUM-NONE"
    assert segment_code_and_risk([("MXN", Decimal("50000"), 31)], [], [], today)[0] == "MID-HIGH-NONE"
    assert segment_code_and_risk([("ZZZ", Decimal("499"), 0)], [], [], today)[0] == "CURRENT-LOW-NONE"
    rules = load_rules()
    assert segment([], [], [], today, rules).code == "CURRENT-LOW-NONE"


@pytest.mark.parametrize(
    "line",
    [
        '{"a": 1, "a": 2}',
        '{"n": 18446744073709551616}',
        '{"n": -9223372036854775809}',
        '{"n": 12345678901234567890123}',
        '{"n": 1e400}',
        '{"n": NaN}',
        '{"s": "\\ud800"}',
        '{"s": "a\\u0000b", "f": 0.1, "e": 1.5e-400}',
        '{"t": "Ñandú \\u00f1", "l": [true, false, null]}',
    ],
)
def test_loads_equals_json_loads(line):
    expected = json.loads(line)
    got = loads(line)
    assert json.dumps(got) == json.dumps(expected)
    assert type(got.get("n")) is type(expected.get("n"))


@pytest.mark.parametrize("line", ['{"a": ', "[1, 2", '{"a": 1} x', "{'a': 1}"])
def test_loads_errors_are_json_errors(line):
    with pytest.raises(json.JSONDecodeError) as want:
        json.loads(line)
    with pytest.raises(json.JSONDecodeError) as got:
        loads(line)
    assert (got.value.msg, got.value.colno) == (want.value.msg, want.value.colno)


def test_apply_schema_defaults_equals_what_validation_fills_in():
    rec = debtor_record("D-1", interactions=2)
    rec.pop("language", None)
    rec["phones"] = [{"number": "+529981234567"}, {"number": "+529981234568", "kind": "HOME"}]
    rec["emails"] = [{"address": "a@example.com"}]
    for it in rec["interactions"]:
        it.pop("recipientRole", None)
    rec["promises"][0].pop("status")
    validated = copy.deepcopy(rec)
    assert record_errors(validated) == []
    assert apply_schema_defaults(copy.deepcopy(rec)) == validated
    assert validated["language"] == "es" and validated["promises"][0]["status"] == "PENDING"


def test_ids_are_distinct_uuid4_strings():
    new_id = _Ids()
    ids = [new_id() for _ in range(3000)]
    assert len(set(ids)) == 3000
    for value in ids[:200]:
        parsed = uuid.UUID(value)
        assert str(parsed) == value and parsed.version == 4 and parsed.variant == uuid.RFC_4122


def test_sqlite_datetime_is_sqlalchemys_format():
    for dt in (
        datetime(2026, 10, 2, 4, 30, tzinfo=UTC),
        datetime(2026, 10, 2, 4, 30, 0, 123456, tzinfo=UTC),
        datetime.fromisoformat("2026-10-01T23:30:00.5-05:00"),
        datetime(1900, 1, 1, tzinfo=UTC),
    ):
        assert _sqlite_datetime(dt) == dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
