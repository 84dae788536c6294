"""Portfolio import: records/s of the real `asistente import` path, first import and idempotent re-import.

Usage:
    .venv/bin/python benchmarks/import_bench.py [--records 100000] [--database-url URL] [--cli] [--profile]

Generates N deterministic portfolio records (schema/portfolio-record.schema.json) into a temporary JSON
Lines file, then calls `asistente.portfolio.ingest.import_jsonl_file` in-process (the code the CLI runs)
against a fresh, migrated SQLite file database (or `--database-url`, e.g. a scratch PostgreSQL database:
each run uses a new tenant, and leaves its rows in place). Prints records/s, seconds, peak RSS and the row
counts, then the same for a second import of the same file (which must change nothing).

`--cli` also runs `.venv/bin/asistente import FILE --tenant T` end to end (own process, progress bar on
stderr) against another fresh SQLite database and prints its wall-clock time.
`--profile` runs the first import under cProfile and prints the top functions.

Results and targets: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import phonenumbers
from sqlalchemy import func, select

from asistente import models  # noqa: F401  (registers every table)
from asistente.db import make_engine, make_session_factory, transaction
from asistente.migrate import upgrade
from asistente.portfolio.ingest import import_jsonl_file
from asistente.portfolio.models import Account, Debtor, Interaction, Payment, Promise
from asistente.tenants.service import get_or_create_tenant

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 22)

# ------------------------------------------------------------------ record generator

FIRST = {
    "MX": [
        "María",
        "José",
        "Guadalupe",
        "Juan",
        "Alejandra",
        "Luis",
        "Verónica",
        "Jesús",
        "Fernanda",
        "Óscar",
    ],
    "CO": [
        "Andrés",
        "Luz Marina",
        "Carlos",
        "Paola",
        "Jhon",
        "Diana",
        "Yeison",
        "Sandra",
        "Camilo",
        "Natalia",
    ],
    "CL": ["Matías", "Constanza", "Benjamín", "Javiera", "Cristóbal", "Catalina", "Ignacio", "Francisca"],
    "PE": ["Miguel", "Rosa", "Jorge", "Milagros", "César", "Karina", "Renzo", "Fiorella", "Víctor"],
    "US": ["Michael", "Jennifer", "Carlos", "Ashley", "David", "Maria", "James", "Jessica", "Daniel"],
}
LAST = {
    "MX": [
        "Hernández",
        "García",
        "Martínez",
        "López",
        "González",
        "Pérez",
        "Rodríguez",
        "Sánchez",
        "Ramírez",
    ],
    "CO": ["Rodríguez", "Gómez", "Muñoz", "Díaz", "Rojas", "Moreno", "Jiménez", "Vargas", "Castro", "Ospina"],
    "CL": ["González", "Muñoz", "Rojas", "Díaz", "Pérez", "Soto", "Contreras", "Silva", "Sepúlveda"],
    "PE": ["Quispe", "Flores", "Huamán", "Mamani", "Chávez", "Ramos", "Torres", "Mendoza", "Vásquez"],
    "US": ["Smith", "Johnson", "Garcia", "Williams", "Brown", "Martinez", "Davis", "Lopez", "Miller"],
}
# (city, region, postal code prefix)
CITIES = {
    "MX": [
        ("Ciudad de México", "CMX", "06"),
        ("Guadalajara", "JAL", "44"),
        ("Monterrey", "NLE", "64"),
        ("Cancún", "ROO", "77"),
        ("Tijuana", "BCN", "22"),
        ("Hermosillo", "SON", "83"),
    ],
    "CO": [
        ("Bogotá", "DC", "11"),
        ("Medellín", "ANT", "05"),
        ("Cali", "VAC", "76"),
        ("Barranquilla", "ATL", "08"),
    ],
    "CL": [
        ("Santiago", "RM", "83"),
        ("Valparaíso", "VS", "23"),
        ("Punta Arenas", "MA", "62"),
        ("Concepción", "BI", "40"),
    ],
    "PE": [("Lima", "LIM", "15"), ("Arequipa", "ARE", "04"), ("Trujillo", "LAL", "13")],
    "US": [("New York", "NY", "10"), ("Phoenix", "AZ", "85"), ("Miami", "FL", "33"), ("Houston", "TX", "77")],
}
# country calling code, national prefixes known valid in phonenumbers' metadata, national number length
PHONES = {
    "MX": ("52", ["55", "33", "81", "998", "664", "662"], 10),
    "CO": ("57", ["300", "301", "310", "311", "312", "313", "315", "316", "317", "318", "320", "321"], 10),
    "CL": ("56", ["92", "94", "95", "98"], 9),
    "PE": ("51", ["9"], 9),
    "US": ("1", ["212", "646", "602", "305", "415", "713"], 10),
}
CURRENCY = {"MX": "MXN", "CO": "COP", "CL": "CLP", "PE": "PEN", "US": "USD"}
DECIMALS = {"MXN": 2, "COP": 2, "CLP": 0, "PEN": 2, "USD": 2}
SCALE = {"MXN": 1, "COP": 200, "CLP": 50, "PEN": 0.2, "USD": 0.06}  # local units per MXN
COUNTRY_MIX = [("MX", 35), ("CO", 20), ("CL", 15), ("PE", 10), ("US", 20)]
PRODUCTS = [
    ("Tarjeta de crédito", "Banco Azteca"),
    ("Préstamo personal", "Financiera Sol"),
    ("Crédito de nómina", "Caja Popular"),
    ("Línea telefónica", "Telco Andina"),
    ("Crédito automotriz", "AutoFin"),
]
CHANNELS = ["CALL", "CALL", "CALL", "SMS", "WHATSAPP", "EMAIL"]
OUTCOMES = {"CALL": ["NO_ANSWER", "VOICEMAIL", "CONVERSATION"], "SMS": ["DELIVERED", "FAILED"]}


def _money(rng: random.Random, low: float, high: float, currency: str) -> str:
    value = rng.uniform(low, high) * SCALE[currency]
    return f"{value:.{DECIMALS[currency]}f}"


def _phone(rng: random.Random, country: str) -> str:
    cc, prefixes, length = PHONES[country]
    prefix = rng.choice(prefixes)
    rest = [str(rng.randrange(10)) for _ in range(length - len(prefix))]
    if country == "US":
        rest[0] = str(rng.randint(2, 9))  # NANP exchange codes start with 2-9
    return f"+{cc}{prefix}{''.join(rest)}"


def make_record(rng: random.Random, n: int) -> dict[str, Any]:
    country = rng.choices([c for c, _ in COUNTRY_MIX], weights=[w for _, w in COUNTRY_MIX])[0]
    currency = CURRENCY[country]
    ext = f"BENCH-{n:07d}"
    first, last1, last2 = rng.choice(FIRST[country]), rng.choice(LAST[country]), rng.choice(LAST[country])
    full = f"{first} {last1}" if country == "US" else f"{first} {last1} {last2}"
    city, region, postal = rng.choice(CITIES[country])
    rec: dict[str, Any] = {
        "externalId": ext,
        "fullName": full,
        "language": "en" if country == "US" and rng.random() < 0.5 else "es",
        "addresses": [
            {
                "line1": f"Calle {rng.randint(1, 120)} #{rng.randint(1, 999)}",
                "city": city,
                "region": region,
                "postalCode": f"{postal}{rng.randint(0, 999):03d}",
                "country": country,
            }
        ],
        "phones": [{"number": _phone(rng, country), "kind": "MOBILE"}],
        "authorizedChannels": ["CALL", "SMS"] + (["WHATSAPP"] if rng.random() < 0.5 else []),
        "attributes": {"employer": rng.choice(["Oxxo", "Pemex", "Éxito", "Falabella", "Walmart", "—"])},
    }
    if rng.random() < 0.4:
        rec["phones"].append({"number": _phone(rng, country), "kind": "HOME"})
    if rng.random() < 0.6:
        rec["emails"] = [{"address": f"{first.split()[0].lower()}.{n}@example.com", "kind": "PERSONAL"}]
    if rng.random() < 0.5:
        born = date(1950, 1, 1) + timedelta(days=rng.randint(0, 365 * 55))
        rec["birthDate"] = born.isoformat()
    accounts = []
    for a in range(1 if rng.random() < 0.6 else 2):
        product, creditor = rng.choice(PRODUCTS)
        principal = _money(rng, 2_000, 150_000, currency)
        balance = f"{float(principal) * rng.uniform(0.1, 1.3):.{DECIMALS[currency]}f}"
        dpd = rng.choice([0, 5, 15, 35, 65, 95, 130, 200, 400, 800])
        accounts.append(
            {
                "externalId": f"{ext}-A{a}",
                "product": product,
                "creditor": creditor,
                "currency": currency,
                "principal": principal,
                "balance": balance,
                "daysPastDue": dpd,
                "dueDate": (TODAY - timedelta(days=dpd)).isoformat(),
                "minimumDue": f"{float(balance) * 0.05:.{DECIMALS[currency]}f}",
                "inLitigation": rng.random() < 0.02,
                "disputed": rng.random() < 0.03,
            }
        )
    rec["accounts"] = accounts
    if rng.random() < 0.3:
        paid = datetime(2026, 11, 21, 12) - timedelta(days=rng.randint(1, 200), minutes=rng.randint(0, 600))
        accounts[0]["payments"] = [
            {
                "amount": _money(rng, 100, 3_000, currency),
                "paidAt": paid.isoformat() + "-06:00",
                "reference": f"{ext}-P1",
            }
        ]
    if rng.random() < 0.3:
        channel = rng.choice(CHANNELS)
        at = datetime(2026, 11, 21, 18) - timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 600))
        rec["interactions"] = [
            {
                "externalId": f"{ext}-I1",
                "channel": channel,
                "direction": "OUTBOUND",
                "at": at.isoformat() + "Z",
                "outcome": rng.choice(OUTCOMES.get(channel, ["DELIVERED"])),
                "note": "Cliente indica que pagará la próxima quincena." if rng.random() < 0.3 else "",
            }
        ]
    if rng.random() < 0.1:
        rec["promises"] = [
            {
                "externalId": f"{ext}-PR1",
                "accountExternalId": accounts[0]["externalId"],
                "amount": _money(rng, 200, 2_000, currency),
                "currency": currency,
                "dueDate": (TODAY + timedelta(days=rng.randint(-20, 20))).isoformat(),
                "status": rng.choice(["PENDING", "PENDING", "KEPT", "BROKEN"]),
            }
        ]
    return rec


def generate(path: Path, records: int, seed: int = 20261122) -> Counter[str]:
    """Write `records` records to `path`; return the mix (for the README) after validating a sample."""
    rng = random.Random(seed)
    mix: Counter[str] = Counter()
    sample: list[str] = []
    with open(path, "w", encoding="utf-8") as fh:
        for n in range(records):
            rec = make_record(rng, n)
            fh.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
            mix[rec["addresses"][0]["country"]] += 1
            mix["accounts"] += len(rec["accounts"])
            mix["debtors with 2 accounts"] += len(rec["accounts"]) == 2
            mix["payments"] += sum(len(a.get("payments", ())) for a in rec["accounts"])
            mix["interactions"] += len(rec.get("interactions", ()))
            mix["promises"] += len(rec.get("promises", ()))
            mix["phones"] += len(rec["phones"])
            if n % 50 == 0:
                sample.extend(p["number"] for p in rec["phones"])
    bad = [p for p in sample if not phonenumbers.is_valid_number(phonenumbers.parse(p, None))]
    if bad:
        raise SystemExit(f"generator produced invalid phone numbers, e.g. {bad[:3]}")
    mix["phones checked valid (sample)"] = len(sample)
    return mix


# ------------------------------------------------------------------ benchmark


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def row_counts(factory: Any, tenant_id: str) -> dict[str, int]:
    with factory() as s:
        return {
            m.__tablename__: s.scalar(select(func.count()).select_from(m).where(m.tenant_id == tenant_id))
            for m in (Debtor, Account, Payment, Interaction, Promise)
        }


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def run_import(factory: Any, path: Path, tenant: str, records: int, label: str, profile: bool) -> None:
    own, children = cpu_seconds(resource.RUSAGE_SELF), cpu_seconds(resource.RUSAGE_CHILDREN)
    if profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        result = prof.runcall(
            import_jsonl_file, factory, path, tenant_slug=tenant, now=datetime.now(UTC), progress=False
        )
    else:
        result = import_jsonl_file(factory, path, tenant_slug=tenant, now=datetime.now(UTC), progress=False)
    if result.rejections:
        first = result.rejections[0]
        raise SystemExit(
            f"{label}: {len(result.rejections)} rejected, first line {first.index}: {first.reasons}"
        )
    print(
        f"{label:<10} {result.records:>8,} records  {result.seconds:7.2f} s  {records / result.seconds:8,.0f}"
        f" records/s  created {result.debtors_created:,} updated {result.debtors_updated:,}"
        f"  peak RSS {peak_rss_mb():,.0f} MB"
    )
    # CPU time per record of this process (reading, writing) and of the validation process: less sensitive
    # than the wall clock to other work on the machine, and shows which side of the pipeline is the limit.
    own = cpu_seconds(resource.RUSAGE_SELF) - own
    children = cpu_seconds(resource.RUSAGE_CHILDREN) - children
    print(
        f"{'':<10} CPU: writer {own:.2f} s ({own / records * 1e6:.0f} µs/record), validation process "
        f"{children:.2f} s ({children / records * 1e6:.0f} µs/record)"
    )
    if profile:
        stats = pstats.Stats(prof)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(40)


def run_cli(path: Path, workdir: Path) -> None:
    url = f"sqlite:///{workdir / 'cli.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with transaction(make_session_factory(engine)) as s:
        get_or_create_tenant(s, "bench-cli")
    engine.dispose()
    exe = Path(sys.executable).with_name("asistente")
    env = {**os.environ, "DATABASE_URL": url}
    print(f"\n$ DATABASE_URL={url} {exe} import {path} --tenant bench-cli", flush=True)
    started = time.perf_counter()
    proc = subprocess.run([str(exe), "import", str(path), "--tenant", "bench-cli"], env=env, timeout=1800)
    wall = time.perf_counter() - started
    print(f"cli        exit {proc.returncode}, {wall:.2f} s wall clock (including start-up)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: a fresh temporary SQLite file")
    parser.add_argument("--cli", action="store_true", help="also run the CLI end to end (SQLite)")
    parser.add_argument("--profile", action="store_true", help="cProfile the first import")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="asistente-import-") as tmp:
        workdir = Path(tmp)
        path = workdir / "portfolio.jsonl"
        started = time.perf_counter()
        mix = generate(path, args.records)
        print(
            f"generated {args.records:,} records ({path.stat().st_size / 1e6:.1f} MB) in "
            f"{time.perf_counter() - started:.1f} s: " + ", ".join(f"{k} {v:,}" for k, v in mix.items())
        )

        url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
        engine = make_engine(url)
        upgrade(engine)
        factory = make_session_factory(engine)
        tenant = f"bench-{secrets.token_hex(4)}"
        with transaction(factory) as s:
            tenant_id = get_or_create_tenant(s, tenant).id
        print(f"database {engine.url.render_as_string(hide_password=True)}, tenant {tenant}")
        print(f"peak RSS before import {peak_rss_mb():,.0f} MB")

        run_import(factory, path, tenant, args.records, "import", args.profile)
        counts = row_counts(factory, tenant_id)
        print("rows       " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        run_import(factory, path, tenant, args.records, "re-import", False)
        again = row_counts(factory, tenant_id)
        print("rows       " + ", ".join(f"{k} {v:,}" for k, v in again.items()))
        if again != counts:
            print("ERROR: the re-import changed the row counts", file=sys.stderr)
            return 1
        engine.dispose()

        if args.cli:
            run_cli(path, workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
