"""Contact-centre load: the real mix of live-call operations on a generated portfolio, open loop.

Usage:
    .venv/bin/python benchmarks/contact_centre.py --db sqlite|postgres [--database-url URL]
        [--debtors 20000] [--agents 500,1000,2000] [--search] [--seconds 20]
        [--closed-seconds 10] [--clients 50] [--skip-closed] [--skip-open] [--profile DIR]

What it does, in order (everything against the real service, nothing hand-inserted):
1. Generates a deterministic portfolio of `--debtors` debtors as JSON Lines (seed 20261207): the seven
   jurisdictions of the rule packs (MX, CO, CL, PE, ES, AR, US states), 1-3 accounts each, payments on a
   third of the accounts, promises, interactions (most debtors a few over 90 days; 15% worked by a dialer:
   25-80 attempts in the last 35 days), dates relative to today.
2. Prepares the database: a fresh SQLite file (temporary directory), or the PostgreSQL database given by
   `--database-url` (default $ASISTENTE_BENCH_POSTGRES_URL) whose `public` schema is DROPPED and recreated.
   Then the CLI, as an operator would: `asistente migrate`, `asistente tenants create`, `asistente keys
   create --role AGENT`, `asistente import FILE` (timed).
3. Starts `asistente serve --workers 2` (rate limits off: ASISTENTE_RATE_LIMIT_KEY/SESSION/TENANT=0 unless
   set) and reads the debtor and account ids from the database.
4. Closed loop (`--clients` keep-alive connections, wrk when installed, else httpx), one run per live-call
   operation for `--closed-seconds`, every request on a distinct debtor (a fresh random order per run; the
   warm-up uses other debtors), then the bare Starlette floor of benchmarks/card_load.py (same worker count,
   serving one real card response) in the same run: req/s, p50/p99, % of the floor.
5. Open loop: Poisson arrivals of the contact-centre mix per agent per minute (1 card, 4 suggestResponses,
   2 checkCompliance, 0.5 draftMessage, 0.2 validateAgreement, 1 contactPermission; writes make 5% of all
   requests, split evenly over recordPayment, recordInteraction and recordSuggestionFeedback), each request
   on a random debtor not used before in the run. Requests are sent at their scheduled times whatever the
   answers (one asyncio task each, a pool of up to 2,000 keep-alive connections on a minimal HTTP/1.1 client
   over asyncio streams), and latency is measured from the scheduled time, so a server (or a load
   generator) that falls behind shows up in the figures (no coordinated omission). Per agent count:
   p50/p99 per operation, errors (non-200, GraphQL errors, transport errors, 10 s timeouts), the load
   generator's own CPU. `--search` doubles the agent count from the first `--agents` value until the
   p99 over all requests reaches 100 ms or an error appears, then bisects (`--search-steps`).
6. Memory: resident set (VmRSS) and its peak (VmHWM) of each uvicorn worker after each phase.

`--profile DIR` samples the server with py-spy (all workers) during each closed-loop operation and writes
DIR/<operation>.txt (collapsed stacks) and prints the top functions.

The load generator runs on the same cores as the server: its CPU seconds per wall second are printed.
Results: benchmarks/README.md ("Contact-centre mix").
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).parent))

from card_load import (
    HOST,
    WRK_LUA,
    Run,
    free_port,
    httpx_run,
    is_error,
    percentile,
    print_run,
    start_floor,
    start_profiler,
    stop,
    summarize_profile,
    wait_healthy,
)

for _name in ("ASISTENTE_RATE_LIMIT_KEY", "ASISTENTE_RATE_LIMIT_SESSION", "ASISTENTE_RATE_LIMIT_TENANT"):
    os.environ.setdefault(_name, "0")

ROOT = Path(__file__).resolve().parents[1]
EXE = Path(sys.executable).with_name("asistente")
TENANT = "centro"
SEED = 20261207
KEYS: dict[str, str] = {}  # the integrator's key (recordPayment), set by prepare()

# ------------------------------------------------------------------ portfolio generator

# country: (share %, currency, decimals, MXN->local scale, [(city, region, postal prefix)],
#           (calling code, national prefixes, national length), first names, last names, language)
COUNTRIES: dict[str, dict[str, Any]] = {
    "MX": {
        "share": 30,
        "currency": "MXN",
        "scale": 1,
        "cities": [("Ciudad de México", "CMX", "06"), ("Guadalajara", "JAL", "44"), ("Cancún", "ROO", "77")],
        "phone": ("52", ["55", "33", "81", "998"], 10),
        "first": ["María", "José", "Guadalupe", "Juan", "Alejandra", "Luis", "Verónica", "Óscar"],
        "last": ["Hernández", "García", "Martínez", "López", "González", "Pérez", "Chan", "Pech"],
    },
    "CO": {
        "share": 15,
        "currency": "COP",
        "scale": 200,
        "cities": [("Bogotá", "DC", "11"), ("Medellín", "ANT", "05"), ("Cali", "VAC", "76")],
        "phone": ("57", ["300", "310", "311", "312", "315", "320"], 10),
        "first": ["Andrés", "Luz Marina", "Carlos", "Paola", "Jhon", "Diana", "Yeison", "Natalia"],
        "last": ["Rodríguez", "Gómez", "Muñoz", "Díaz", "Rojas", "Moreno", "Vargas", "Ospina"],
    },
    "CL": {
        "share": 10,
        "currency": "CLP",
        "scale": 50,
        "cities": [("Santiago", "RM", "83"), ("Valparaíso", "VS", "23"), ("Concepción", "BI", "40")],
        "phone": ("56", ["92", "94", "95", "98"], 9),
        "first": ["Matías", "Constanza", "Benjamín", "Javiera", "Cristóbal", "Catalina"],
        "last": ["González", "Muñoz", "Rojas", "Díaz", "Soto", "Contreras", "Sepúlveda"],
    },
    "PE": {
        "share": 10,
        "currency": "PEN",
        "scale": 0.2,
        "cities": [("Lima", "LIM", "15"), ("Arequipa", "ARE", "04"), ("Trujillo", "LAL", "13")],
        "phone": ("51", ["9"], 9),
        "first": ["Miguel", "Rosa", "Jorge", "Milagros", "César", "Karina", "Renzo"],
        "last": ["Quispe", "Flores", "Huamán", "Mamani", "Chávez", "Ramos", "Vásquez"],
    },
    "ES": {
        "share": 10,
        "currency": "EUR",
        "scale": 0.05,
        "cities": [("Madrid", "MD", "28"), ("Barcelona", "CT", "08"), ("Sevilla", "AN", "41")],
        "phone": ("34", ["6"], 9),
        "first": ["Lucía", "Javier", "Carmen", "Pablo", "Marta", "Sergio", "Elena"],
        "last": ["García", "Fernández", "González", "Rodríguez", "López", "Martín", "Sánchez"],
    },
    "AR": {
        "share": 10,
        "currency": "ARS",
        "scale": 50,
        "cities": [("Buenos Aires", "C", "C1"), ("Córdoba", "X", "X5"), ("Rosario", "S", "S2")],
        "phone": ("54", ["911", "9351", "9341"], 11),
        "first": ["Martín", "Sofía", "Facundo", "Valentina", "Agustín", "Camila"],
        "last": ["González", "Rodríguez", "Acosta", "Benítez", "Fernández", "Romero"],
    },
    "US": {
        "share": 15,
        "currency": "USD",
        "scale": 0.06,
        "cities": [
            ("New York", "NY", "10"),
            ("Phoenix", "AZ", "85"),
            ("Miami", "FL", "33"),
            ("Houston", "TX", "77"),
        ],
        "phone": ("1", ["212", "646", "602", "305", "713"], 10),
        "first": ["Michael", "Jennifer", "Carlos", "Ashley", "David", "Maria", "James"],
        "last": ["Smith", "Johnson", "Garcia", "Williams", "Brown", "Martinez", "Lopez"],
    },
}
DECIMALS = {"CLP": 0}
PRODUCTS = [
    ("tarjeta de crédito", "Banco Azteca"),
    ("préstamo personal", "Financiera Sol"),
    ("crédito de nómina", "Caja Popular"),
    ("línea telefónica", "Telco Andina"),
    ("crédito automotriz", "AutoFin"),
]
OUTCOMES = {
    "CALL": ["NO_ANSWER", "NO_ANSWER", "VOICEMAIL", "CONVERSATION"],
    "SMS": ["DELIVERED", "DELIVERED", "FAILED"],
    "WHATSAPP": ["DELIVERED"],
    "EMAIL": ["DELIVERED"],
}
NOTES = [
    "",
    "",
    "Cliente indica que pagará la próxima quincena.",
    "Pide llamar por la tarde.",
    "Sin contacto.",
]


def _money(rng: random.Random, low: float, high: float, country: str) -> str:
    c = COUNTRIES[country]
    value = rng.uniform(low, high) * c["scale"]
    return f"{value:.{DECIMALS.get(c['currency'], 2)}f}"


def _phone(rng: random.Random, country: str) -> str:
    cc, prefixes, length = COUNTRIES[country]["phone"]
    prefix = rng.choice(prefixes)
    rest = [str(rng.randrange(10)) for _ in range(length - len(prefix))]
    if country in ("US", "ES", "AR"):
        rest[0] = str(rng.randint(2, 8))  # valid leading digits in every prefix used
    return f"+{cc}{prefix}{''.join(rest)}"


def make_record(rng: random.Random, n: int, today: date, now: datetime) -> dict[str, Any]:
    country = rng.choices(list(COUNTRIES), weights=[c["share"] for c in COUNTRIES.values()])[0]
    c = COUNTRIES[country]
    currency, dec = c["currency"], DECIMALS.get(c["currency"], 2)
    ext = f"CC-{n:07d}"
    first, last1, last2 = rng.choice(c["first"]), rng.choice(c["last"]), rng.choice(c["last"])
    city, region, postal = rng.choice(c["cities"])
    rec: dict[str, Any] = {
        "externalId": ext,
        "fullName": f"{first} {last1}" if country == "US" else f"{first} {last1} {last2}",
        "language": "en" if country == "US" and rng.random() < 0.6 else "es",
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
        "authorizedChannels": ["CALL", "SMS"] + (["WHATSAPP", "EMAIL"] if rng.random() < 0.5 else []),
    }
    if rng.random() < 0.3:
        rec["phones"].append({"number": _phone(rng, country), "kind": "HOME"})
    if rng.random() < 0.6:
        rec["emails"] = [{"address": f"cliente.{n}@example.com", "kind": "PERSONAL"}]
    if rng.random() < 0.5:
        rec["birthDate"] = (date(1950, 1, 1) + timedelta(days=rng.randint(0, 365 * 55))).isoformat()
    accounts = []
    for a in range(rng.choices([1, 2, 3], weights=[55, 35, 10])[0]):
        product, creditor = rng.choice(PRODUCTS)
        principal = _money(rng, 2_000, 150_000, country)
        balance = f"{float(principal) * rng.uniform(0.2, 1.2):.{dec}f}"
        dpd = rng.choice([5, 15, 35, 65, 95, 130, 200, 400])
        acc: dict[str, Any] = {
            "externalId": f"{ext}-A{a}",
            "product": product,
            "creditor": creditor,
            "currency": currency,
            "principal": principal,
            "balance": balance,
            "daysPastDue": dpd,
            "dueDate": (today - timedelta(days=dpd)).isoformat(),
            "minimumDue": f"{float(balance) * 0.05:.{dec}f}",
            "inLitigation": rng.random() < 0.02,
            "disputed": rng.random() < 0.02,
        }
        if rng.random() < 0.35:
            acc["payments"] = [
                {
                    "amount": _money(rng, 100, 3_000, country),
                    "paidAt": (now - timedelta(days=rng.randint(1, 300), minutes=rng.randint(0, 900)))
                    .isoformat()
                    .replace("+00:00", "Z"),
                    "reference": f"{ext}-A{a}-P{p}",
                }
                for p in range(rng.randint(1, 6))
            ]
        accounts.append(acc)
    rec["accounts"] = accounts
    # interactions: a dialer works 15% of the portfolio hard (25-80 attempts in the last 35 days)
    if rng.random() < 0.15:
        count, span = rng.randint(25, 80), 34
    else:
        count, span = rng.choice([0, 1, 2, 3, 5, 8]), 90
    interactions = []
    for i in range(count):
        channel = rng.choice(["CALL", "CALL", "CALL", "SMS", "WHATSAPP", "EMAIL"])
        at = now - timedelta(days=rng.uniform(0.2, span))
        interactions.append(
            {
                "externalId": f"{ext}-I{i}",
                "channel": channel,
                "direction": "OUTBOUND",
                "at": at.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
                "outcome": rng.choice(OUTCOMES[channel]),
                "note": rng.choice(NOTES),
            }
        )
    if interactions:
        rec["interactions"] = interactions
    if rng.random() < 0.25:
        rec["promises"] = [
            {
                "externalId": f"{ext}-PR{p}",
                "accountExternalId": accounts[0]["externalId"],
                "amount": _money(rng, 200, 2_000, country),
                "currency": currency,
                "dueDate": (today + timedelta(days=rng.randint(-40, 20))).isoformat(),
                "status": rng.choice(["PENDING", "PENDING", "KEPT", "BROKEN"]),
            }
            for p in range(rng.randint(1, 3))
        ]
    return rec


def generate(path: Path, debtors: int, now: datetime) -> Counter[str]:
    rng = random.Random(SEED)
    mix: Counter[str] = Counter()
    with open(path, "wb") as fh:
        for n in range(debtors):
            rec = make_record(rng, n, now.date(), now)
            fh.write(orjson.dumps(rec) + b"\n")
            mix[rec["addresses"][0]["country"]] += 1
            mix["accounts"] += len(rec["accounts"])
            mix["payments"] += sum(len(a.get("payments", ())) for a in rec["accounts"])
            mix["interactions"] += len(rec.get("interactions", ()))
            mix["dialer-worked debtors"] += len(rec.get("interactions", ())) >= 25
            mix["promises"] += len(rec.get("promises", ()))
    return mix


# ------------------------------------------------------------------ database and service


def cli(env: dict[str, str], *args: str, timeout: float = 1800) -> str:
    proc = subprocess.run([str(EXE), *args], env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise SystemExit(f"asistente {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return proc.stdout


def reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def prepare(url: str, path: Path) -> tuple[str, str, float]:
    """Migrate, create the tenant, an agent and an admin key, import the file; (keys, import seconds)."""
    env = {**os.environ, "DATABASE_URL": url}
    cli(env, "migrate")
    cli(env, "tenants", "create", "--tenant", TENANT, "--name", "Centro de contacto")
    out = cli(env, "keys", "create", "--tenant", TENANT, "--role", "AGENT", "--agent-id", "agente-001")
    key = out.strip().splitlines()[-1].strip()
    admin = cli(env, "keys", "create", "--tenant", TENANT, "--role", "ADMIN").strip().splitlines()[-1].strip()
    # payments arrive from the CRM integration (recordPayment is INTEGRATOR/ADMIN only)
    integrator = (
        cli(env, "keys", "create", "--tenant", TENANT, "--role", "INTEGRATOR").strip().splitlines()[-1]
    )
    KEYS["integrator"] = integrator.strip()
    started = time.perf_counter()
    print(cli(env, "import", str(path), "--tenant", TENANT, "--no-progress").strip(), flush=True)
    return key, admin, time.perf_counter() - started


@dataclass
class Portfolio:
    debtors: list[tuple[str, str]]  # (id, language)
    accounts: dict[str, list[tuple[str, str, str]]]  # debtor id -> [(account id, currency, balance)]
    # debtors with an account in litigation: the law stops out-of-court collection, so an agent drafts no
    # message to them (draftMessage answers FORBIDDEN, rightly); drafts go to the others
    holds: frozenset[str] = frozenset()

    def skip_for(self, op: str) -> frozenset[str]:
        return self.holds if op == "draftMessage" else frozenset()


def read_portfolio(url: str) -> Portfolio:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    holds: set[str] = set()
    with engine.connect() as conn:
        debtors = [(r[0], r[1]) for r in conn.execute(text("SELECT id, language FROM debtors ORDER BY id"))]
        accounts: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        sql = "SELECT id, debtor_id, currency, balance, in_litigation FROM accounts ORDER BY id"
        for r in conn.execute(text(sql)):
            accounts[r[1]].append((r[0], r[2], str(r[3])))
            if r[4]:
                holds.add(r[1])
    engine.dispose()
    return Portfolio(debtors, accounts, frozenset(holds))


def start_service(url: str, workdir: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    log = workdir / "service.log"
    env = {**os.environ, "DATABASE_URL": url}
    cmd = [str(EXE), "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://{HOST}:{port}"
    try:
        wait_healthy(base, proc, log, timeout=300)
    except BaseException:
        stop(proc)
        raise
    return proc, base


def worker_memory(pid: int) -> list[tuple[int, float, float]]:
    """(pid, VmRSS MB, VmHWM MB) of each child process (the uvicorn workers)."""
    out = []
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return out
    for child in children:
        try:
            status = Path(f"/proc/{child}/status").read_text()
            if b"resource_tracker" in Path(f"/proc/{child}/cmdline").read_bytes():
                continue
        except OSError:
            continue
        rss = re.search(r"VmRSS:\s+(\d+)", status)
        hwm = re.search(r"VmHWM:\s+(\d+)", status)
        if rss and hwm:
            out.append((int(child), int(rss.group(1)) / 1024, int(hwm.group(1)) / 1024))
    return out


def worker_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by the child processes (the uvicorn workers)."""
    total = 0.0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return total
    tick = os.sysconf("SC_CLK_TCK")
    for child in children:
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def database_cpu(url: str | None) -> dict[int, float]:
    """PostgreSQL on this machine: CPU seconds used so far by each server process serving `url`'s database
    (pid -> seconds, from /proc; this probe's own backend left out); {} for SQLite or a remote server."""
    if not url or not url.startswith("postgresql"):
        return {}
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            pids = [
                r[0]
                for r in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()"
                )
            ]
    except psycopg.Error:
        return {}
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / tick
    return out


def database_cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds the database's server processes used between two `database_cpu` readings (a process
    that ended in between is not counted: a slight underestimate)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def print_memory(label: str, pid: int) -> None:
    mem = worker_memory(pid)
    print(
        f"memory {label}: "
        + ", ".join(f"worker {p} RSS {rss:,.0f} MB (peak {hwm:,.0f} MB)" for p, rss, hwm in mem),
        flush=True,
    )


# ------------------------------------------------------------------ the operations

CARD = (ROOT / "tests" / "api" / "data.py").read_text().split('FULL_CARD = """', 1)[1].split('"""', 1)[0]
SUGGEST = """query S($input: SuggestInput!) { suggestResponses(input: $input) {
  category confidence suggestions { id text rationale register technique } nextSteps { kind message at } auditId } }"""
CHECK = """query C($input: ComplianceCheckInput!) { checkCompliance(input: $input) {
  compliant violations { ruleId code message } warnings { code message } packVersion auditId } }"""
DRAFT = """query D($input: DraftInput!) { draftMessage(input: $input) {
  text subject segments compliance { compliant violations { code } } auditId templateId language } }"""
VALIDATE = """query V($input: AgreementInput!) { validateAgreement(input: $input) {
  valid violations { code message } warnings { code message } schedule { number dueDate amount }
  totalToPay discountPercent requiresApproval counterOffer { kind installments installmentAmount } } }"""
PERMISSION = """query P($id: ID!) { contactPermission(debtorId: $id, channel: CALL) {
  allowed violations { code message } warnings { code } nextAllowedAt debtorLocalTimes timezones auditId } }"""
PAYMENT = """mutation Pay($input: RecordPaymentInput!) { recordPayment(input: $input) {
  duplicate payment { id amount } account { id balance } } }"""
INTERACTION = """mutation I($input: RecordInteractionInput!) { recordInteraction(input: $input) {
  interaction { id at } } }"""
FEEDBACK = """mutation F($id: ID!) { recordSuggestionFeedback(auditId: $id, action: USED) { auditId } }"""

UTTERANCES_ES = [
    "ahorita no tengo dinero, me quedé sin chamba",
    "yo ya pagué eso el mes pasado, tengo el comprobante",
    "esa deuda no es mía, yo nunca saqué esa tarjeta",
    "estoy ocupado, llámeme más tarde por favor",
    "¿me pueden hacer un descuento o un plan de pagos?",
    "mirá, no tengo un mango, ¿me podés llamar la semana que viene?",
    "¿y si no pago me pueden meter a la cárcel?",
    "mándeme todo por escrito, no voy a hablar por teléfono",
]
UTTERANCES_EN = [
    "I already paid that, I have the receipt",
    "I don't owe this, that's not my debt",
    "I lost my job, I can't pay anything right now",
    "can you call me back next week?",
]
AGENT_LINES = [
    "Buenas tardes, le habla Laura del área de cobranza. Le llamo por el saldo pendiente de su tarjeta; "
    "podemos revisar juntos un plan de pagos que se ajuste a su presupuesto. Si le parece, le propongo "
    "doce pagos mensuales y le envío por escrito el detalle con la referencia oficial de pago.",
    "Entiendo su situación. No le estoy amenazando con nada: solo quiero ofrecerle opciones. Podemos dejar "
    "un primer pago pequeño la próxima quincena y el resto en mensualidades. ¿Le parece si lo anotamos así "
    "y le confirmo por mensaje los datos para pagar en la sucursal o por transferencia?",
    "Si no paga hoy vamos a ir a su trabajo a hablar con su jefe y le vamos a embargar todo; además su "
    "familia se va a enterar de que usted es un deudor. Esto ya está en manos de un abogado y la policía "
    "puede pasar por usted en cualquier momento si no liquida hoy mismo.",
    "Thank you for taking the call. This is an attempt to collect a debt and any information obtained will "
    "be used for that purpose. We can set up twelve monthly payments that fit your budget, and I will send "
    "you the details in writing with the official payment reference today.",
]
PURPOSES = [
    ("REMINDER", "SMS"),
    ("REMINDER", "SMS"),
    ("FIRST_NOTICE", "SMS"),
    ("CALL_SCRIPT_OPENING", "CALL"),
]

# per agent per minute; writes are 5% of all requests, split evenly
READS = {
    "card": 1.0,
    "suggestResponses": 4.0,
    "checkCompliance": 2.0,
    "draftMessage": 0.5,
    "validateAgreement": 0.2,
    "contactPermission": 1.0,
}
WRITE_SHARE = 0.05
WRITES = ["recordPayment", "recordInteraction", "recordSuggestionFeedback"]
LIVE = list(READS)


def mix_rates() -> dict[str, float]:
    reads = sum(READS.values())
    writes = reads * WRITE_SHARE / (1 - WRITE_SHARE)
    return {**READS, **{w: writes / len(WRITES) for w in WRITES}}


class Bodies:
    """Request bodies for one operation on one debtor; distinct references and ids per call."""

    def __init__(self, portfolio: Portfolio, seed: int) -> None:
        self.p = portfolio
        self.rng = random.Random(seed)
        self.counter = 0
        self.audit_ids: list[str] = []

    def body(self, op: str, debtor: tuple[str, str]) -> bytes | None:
        did, lang = debtor
        rng = self.rng
        self.counter += 1
        now = datetime.now(UTC)
        if op == "card":
            return orjson.dumps({"query": CARD, "variables": {"id": did}})
        if op == "suggestResponses":
            utterance = rng.choice(UTTERANCES_EN if lang == "en" else UTTERANCES_ES)
            return orjson.dumps(
                {"query": SUGGEST, "variables": {"input": {"debtorId": did, "utterance": utterance}}}
            )
        if op == "checkCompliance":
            text = rng.choice(AGENT_LINES)
            inp = {"text": text[:300], "channel": "CALL", "debtorId": did, "context": "CALL_TURN"}
            return orjson.dumps({"query": CHECK, "variables": {"input": inp}})
        if op == "draftMessage":
            purpose, channel = rng.choice(PURPOSES)
            inp = {"debtorId": did, "channel": channel, "purpose": purpose, "useLlm": False}
            return orjson.dumps({"query": DRAFT, "variables": {"input": inp}})
        if op == "validateAgreement":
            acc = self.p.accounts[did][0]
            inp = {
                "debtorId": did,
                "accountIds": [acc[0]],
                "kind": "INSTALLMENTS",
                "installments": 12,
                "frequency": "MONTHLY",
                "firstPaymentDate": (now.date() + timedelta(days=7)).isoformat(),
            }
            return orjson.dumps({"query": VALIDATE, "variables": {"input": inp}})
        if op == "contactPermission":
            return orjson.dumps({"query": PERMISSION, "variables": {"id": did}})
        if op == "recordPayment":
            acc_id, currency, _ = self.p.accounts[did][0]
            amount = "150" if currency == "CLP" else "150.00"
            inp = {
                "accountId": acc_id,
                "amount": amount,
                "currency": currency,
                "paidAt": now.isoformat(),
                "reference": f"BENCH-{os.getpid()}-{self.counter}-{rng.getrandbits(32):08x}",
            }
            return orjson.dumps({"query": PAYMENT, "variables": {"input": inp}})
        if op == "recordInteraction":
            inp = {
                "debtorId": did,
                "channel": "CALL",
                "direction": "OUTBOUND",
                "at": now.isoformat(),
                "outcome": "CONVERSATION",
                "note": "Promete pagar el viernes.",
            }
            return orjson.dumps({"query": INTERACTION, "variables": {"input": inp}})
        if op == "recordSuggestionFeedback":
            if not self.audit_ids:
                return None
            return orjson.dumps({"query": FEEDBACK, "variables": {"id": self.audit_ids.pop()}})
        raise ValueError(op)


# ------------------------------------------------------------------ closed loop (wrk)


def wrk_once(
    label: str, base: str, auth: str, bodies: list[bytes], workdir: Path, seconds: float, clients: int
) -> Run:
    script = workdir / "cc.lua"
    script.write_text(WRK_LUA)
    bodies_file = workdir / f"bodies-{label.replace(' ', '_')}.txt"
    bodies_file.write_bytes(b"\n".join(bodies) + b"\n")
    cmd = ["wrk", "-t1", f"-c{clients}", f"-d{seconds:g}s", "--timeout", "10s", "-s", str(script)]
    cmd += [f"{base}/graphql", "--", auth, str(bodies_file)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
    match = re.search(r"WRKJSON (\{.*\})", out)
    if not match:
        raise SystemExit(f"wrk gave no summary:\n{out}")
    r = json.loads(match.group(1))
    kinds = Counter({k: r[k] for k in ("status", "connect", "read", "write", "timeout", "gql") if r[k]})
    return Run(
        label,
        "wrk",
        r["requests"],
        sum(kinds.values()),
        r["duration_us"] / 1e6,
        r["p50"] / 1000,
        r["p90"] / 1000,
        r["p99"] / 1000,
        kinds,
    )


def drain(base: str, limit: float = 60.0) -> float:
    """Wait until the service answers /healthz promptly again (3 answers in a row under 100 ms): a
    closed-loop run leaves up to `--clients` requests in the workers when wrk stops, which would otherwise
    be charged to the next run."""
    import httpx

    started = time.perf_counter()
    fast = 0
    while time.perf_counter() - started < limit and fast < 3:
        t0 = time.perf_counter()
        try:
            httpx.get(f"{base}/healthz", timeout=limit)
            fast = fast + 1 if time.perf_counter() - t0 < 0.1 else 0
        except httpx.HTTPError:
            fast = 0
        time.sleep(0.05)
    return time.perf_counter() - started


class DebtorStream:
    """Debtors in a random order, each used once before any repeats (a new order after a full pass)."""

    def __init__(self, debtors: list[tuple[str, str]], seed: int) -> None:
        self.debtors = debtors
        self.rng = random.Random(seed)
        self.order: list[tuple[str, str]] = []

    def take(self, n: int, skip: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
        """The next `n` debtors; those in `skip` are passed over and stay next in line for other uses."""
        out: list[tuple[str, str]] = []
        passed: list[tuple[str, str]] = []
        while len(out) < n:
            if not self.order:
                self.order = self.debtors[:]
                self.rng.shuffle(self.order)
            d = self.order.pop()
            if d[0] in skip:
                passed.append(d)
                if len(passed) > len(self.debtors):
                    raise SystemExit("every debtor is skipped")
                continue
            out.append(d)
        self.order.extend(reversed(passed))
        return out


SERVER_CPU: dict[str, float] = {}  # operation -> server CPU milliseconds per request (closed loop)
DATABASE_CPU: dict[str, float] = {}  # operation -> PostgreSQL's CPU milliseconds per request (closed loop)


def closed_loop(
    args: argparse.Namespace,
    base: str,
    key: str,
    pid: int,
    portfolio: Portfolio,
    stream: DebtorStream,
    workdir: Path,
) -> dict[str, Run]:
    auth = f"Bearer {key}"
    maker = Bodies(portfolio, SEED + 1)
    runs: dict[str, Run] = {}
    use_wrk = shutil.which("wrk") is not None and args.client != "httpx"
    # enough distinct debtors for the run at up to 1,500 req/s, capped by the portfolio
    per_run = min(len(portfolio.debtors) // 2, int(1500 * args.closed_seconds) + 100)
    for op in args.ops:
        skip = portfolio.skip_for(op)
        warm = [maker.body(op, d) for d in stream.take(min(500, per_run), skip)]
        bodies = [maker.body(op, d) for d in stream.take(per_run, skip)]
        waited = drain(base)
        if waited > 1:
            print(f"    (waited {waited:.1f} s for the previous run's requests to finish)", flush=True)
        prof = None
        if args.profile:
            prof = start_profiler(pid, Path(args.profile) / f"{op}.txt", args.closed_seconds + 1)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        if use_wrk:
            wrk_once(f"{op} warm-up", base, auth, warm, workdir, 2, args.clients)
            server0 = worker_cpu(pid)
            db0 = database_cpu(args.database_url if args.db == "postgres" else None)
            run = wrk_once(op, base, auth, bodies, workdir, args.closed_seconds, args.clients)
        else:
            ns = argparse.Namespace(
                httpx_pool="per-client",
                clients=args.clients,
                seconds=args.closed_seconds,
                max_requests=2_000_000,
            )
            headers = {"Authorization": auth, "Content-Type": "application/json"}
            server0 = worker_cpu(pid)
            db0 = database_cpu(args.database_url if args.db == "postgres" else None)
            run = httpx_run(op, f"{base}/graphql", headers, bodies, ns)
            run.client = "httpx"
        server = worker_cpu(pid) - server0
        db = database_cpu_used(db0, database_cpu(args.database_url if args.db == "postgres" else None))
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        runs[op] = run
        print_run(run)
        if run.requests:
            # what a request costs the server whatever the machine's load (in-flight requests at the end
            # of the run are counted in the CPU, not in the requests: a slight overestimate)
            SERVER_CPU[op] = 1000 * server / run.requests
            print(f"    server CPU {SERVER_CPU[op]:.2f} ms per request (both workers)", flush=True)
            if db:
                DATABASE_CPU[op] = 1000 * db / run.requests
                print(f"    database CPU {DATABASE_CPU[op]:.2f} ms per request (PostgreSQL)", flush=True)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        print(f"    load generator (wrk) CPU {cpu / (args.closed_seconds + 2):.2f} s per s", flush=True)
        if prof is not None:
            prof.wait(timeout=args.closed_seconds + 120)
            summarize_profile(Path(args.profile) / f"{op}.txt", top=25)
    print_memory("after the closed-loop runs", pid)
    return runs


def card_payload(base: str, key: str, portfolio: Portfolio, stream: DebtorStream, workdir: Path) -> Path:
    """One real card response (the bytes the floor serves)."""
    import httpx

    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    body = Bodies(portfolio, SEED + 2).body("card", stream.take(1)[0])
    card = httpx.post(f"{base}/graphql", content=body, headers=headers, timeout=30)
    if is_error(card.status_code, card.content):
        raise SystemExit(f"the card fails: {card.status_code} {card.text[:2000]}")
    payload = workdir / "card.json"
    payload.write_bytes(card.content)
    return payload


def floor_run(
    args: argparse.Namespace,
    key: str,
    payload: Path,
    portfolio: Portfolio,
    stream: DebtorStream,
    workdir: Path,
) -> Run:
    """The bare Starlette floor (card_load.py's), same worker count, serving one real card response."""
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    maker = Bodies(portfolio, SEED + 2)
    floor, fbase = start_floor(workdir, args.workers, payload)
    try:
        bodies = [maker.body("card", d) for d in stream.take(2000)]
        if shutil.which("wrk") is not None and args.client != "httpx":
            wrk_once("floor warm-up", fbase, headers["Authorization"], bodies, workdir, 2, args.clients)
            run = wrk_once(
                "starlette floor",
                fbase,
                headers["Authorization"],
                bodies,
                workdir,
                args.closed_seconds,
                args.clients,
            )
        else:
            ns = argparse.Namespace(
                httpx_pool="per-client",
                clients=args.clients,
                seconds=args.closed_seconds,
                max_requests=2_000_000,
            )
            run = httpx_run("starlette floor", f"{fbase}/graphql", headers, bodies, ns)
        print_run(run)
        return run
    finally:
        stop(floor)


def set_drafting_profile(base: str, admin: str) -> None:
    """The tenant's signature and payment destinations (the demo's fictitious ones), as an ADMIN sets them."""
    import httpx

    data = json.loads((ROOT / "src" / "asistente" / "demo" / "drafting.json").read_text(encoding="utf-8"))
    headers = {"Authorization": f"Bearer {admin}"}
    for field_name, value in (
        ("setDraftingProfile(profile: $v)", data["draftingProfile"]),
        ("setPaymentDestinations(destinations: $v) { version }", data["paymentDestinations"]),
    ):
        query = f"mutation M($v: JSON!) {{ {field_name} }}"
        resp = httpx.post(
            f"{base}/graphql", json={"query": query, "variables": {"v": value}}, headers=headers, timeout=30
        )
        if is_error(resp.status_code, resp.content):
            raise SystemExit(f"{field_name} fails: {resp.text[:2000]}")


def smoke(base: str, key: str, portfolio: Portfolio, stream: DebtorStream) -> None:
    """Every operation once: a benchmark of error answers would measure nothing."""
    import httpx

    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    maker = Bodies(portfolio, SEED + 3)
    for op in [*mix_rates(), "draftMessage", "draftMessage", "draftMessage", "draftMessage"]:
        body = maker.body(op, stream.take(1, portfolio.skip_for(op))[0])
        who = {"Authorization": f"Bearer {KEYS['integrator']}"} if op == "recordPayment" else {}
        resp = httpx.post(f"{base}/graphql", content=body, headers={**headers, **who}, timeout=60)
        if is_error(resp.status_code, resp.content):
            raise SystemExit(f"{op} fails: {resp.status_code} {resp.text[:2000]}")
        if op == "suggestResponses":
            maker.audit_ids.append(resp.json()["data"]["suggestResponses"]["auditId"])


# ------------------------------------------------------------------ open loop


class Http:
    """A minimal HTTP/1.1 keep-alive client over asyncio streams: cheap per request, many connections."""

    def __init__(self, host: str, port: int, auth: str, max_connections: int = 2000) -> None:
        self.host, self.port = host, port
        self.head = self._head(auth)
        self.integrator_head = self._head(f"Bearer {KEYS['integrator']}")
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []  # oldest first
        self.slots = asyncio.Semaphore(max_connections)
        self.opened = 0

    def _head(self, auth: str) -> bytes:
        return (
            f"POST /graphql HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAuthorization: {auth}\r\n"
            "Content-Type: application/json\r\nContent-Length: "
        ).encode()

    async def post(self, body: bytes, integrator: bool = False) -> tuple[int, bytes]:
        async with self.slots:
            # uvicorn closes a keep-alive connection after 5 s idle: never reuse one idle for 4 s or more
            now = asyncio.get_running_loop().time()
            while self.idle and now - self.idle[0][2] >= 4.0:
                self.idle.pop(0)[1].close()
            if self.idle:
                reader, writer, _ = self.idle.pop()
            else:
                reader, writer = await asyncio.open_connection(self.host, self.port)
                self.opened += 1
            try:
                head = self.integrator_head if integrator else self.head
                writer.write(head + str(len(body)).encode() + b"\r\n\r\n" + body)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                lower = head.lower()
                m = re.search(rb"content-length:\s*(\d+)", lower)
                if m:
                    data = await reader.readexactly(int(m.group(1)))
                elif b"transfer-encoding: chunked" in lower:
                    parts = []
                    while True:
                        size = int((await reader.readuntil(b"\r\n")).strip(), 16)
                        chunk = await reader.readexactly(size + 2)
                        if size == 0:
                            break
                        parts.append(chunk[:-2])
                    data = b"".join(parts)
                else:
                    raise ConnectionError("response without length")
            except BaseException:
                writer.close()
                raise
            if b"connection: close" in lower:
                writer.close()
            else:
                self.idle.append((reader, writer, asyncio.get_running_loop().time()))
            return status, data

    def close(self) -> None:
        for _, writer, _ in self.idle:
            writer.close()
        self.idle.clear()


@dataclass
class OpenResult:
    agents: int
    offered: float  # req/s
    sent: int
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=dict)  # ms, per operation
    errors: Counter[str] = field(default_factory=Counter)
    generator_cpu: float = 0.0  # CPU seconds per wall second of the load generator
    max_lag_ms: float = 0.0  # how late the generator sent a request, at worst

    def all_latencies(self) -> list[float]:
        return sorted(x for v in self.latencies.values() for x in v)

    @property
    def p99(self) -> float:
        return percentile(self.all_latencies(), 99)

    @property
    def ok(self) -> bool:
        return not self.errors and self.p99 < 100.0


def error_kind(status: int, data: bytes) -> str | None:
    """`is_error`, with the error codes and the start of the first message of a GraphQL error answer (so
    every kind of error is seen, not counted)."""
    kind = is_error(status, data)
    if kind != "GraphQL errors":
        return kind
    try:
        errors = orjson.loads(data).get("errors") or []
    except (orjson.JSONDecodeError, AttributeError):
        return kind
    codes = sorted({str((e.get("extensions") or {}).get("code")) for e in errors})
    first = str(errors[0].get("message", ""))[:80] if errors else ""
    return f"GraphQL {','.join(codes)}: {first}"


async def _open_loop(
    base: str,
    key: str,
    portfolio: Portfolio,
    stream: DebtorStream,
    agents: int,
    seconds: float,
    warmup: float,
    seed: int,
) -> OpenResult:
    host, port = base.removeprefix("http://").split(":")
    http = Http(host, int(port), f"Bearer {key}")
    rates = mix_rates()
    ops, weights = list(rates), list(rates.values())
    total = agents * sum(weights) / 60.0
    rng = random.Random(seed)
    maker = Bodies(portfolio, seed)
    result = OpenResult(agents, total, 0, seconds)
    lat: dict[str, list[float]] = defaultdict(list)
    tasks: set[asyncio.Task[None]] = set()
    loop = asyncio.get_running_loop()

    async def one(op: str, body: bytes, at: float, measured: bool) -> None:
        kind = None
        try:
            status, data = await asyncio.wait_for(
                http.post(body, op == "recordPayment"), timeout=10 + max(0.0, at - loop.time())
            )
            kind = error_kind(status, data)
            if op == "suggestResponses" and not kind:
                audit = orjson.loads(data)["data"]["suggestResponses"]["auditId"]
                maker.audit_ids.append(audit)
        except TimeoutError:
            kind = "timeout (10 s)"
        except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as exc:
            kind = type(exc).__name__
        if measured:
            lat[op].append((loop.time() - at) * 1000)
            if kind:
                result.errors[f"{op}: {kind}"] += 1

    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    start = loop.time() + 0.2
    t = start
    end = start + warmup + seconds
    sent = 0
    max_lag = 0.0
    while True:
        t += rng.expovariate(total)
        if t >= end:
            break
        op = rng.choices(ops, weights)[0]
        body = maker.body(op, stream.take(1, portfolio.skip_for(op))[0])
        if body is None:  # no suggestion answered yet to give feedback on: a suggestion instead
            op = "suggestResponses"
            body = maker.body(op, stream.take(1)[0])
        delay = t - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        measured = t >= start + warmup
        if measured:
            max_lag = max(max_lag, loop.time() - t)
            sent += 1
        task = asyncio.create_task(one(op, body, t, measured))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(list(tasks), timeout=30)
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    http.close()
    wall = loop.time() - start
    result.sent = sent
    result.latencies = {op: sorted(v) for op, v in lat.items()}
    result.generator_cpu = ((cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)) / wall
    result.max_lag_ms = max_lag * 1000
    missing = sent - sum(len(v) for v in lat.values())
    if missing:
        result.errors["no answer within 30 s of the end"] += missing
    return result


def print_open(r: OpenResult) -> None:
    print(
        f"\nopen loop, {r.agents:,} agents: offered {r.offered:,.1f} req/s, {r.sent:,} requests in {r.seconds:g} s; "
        f"p99 all {r.p99:,.1f} ms; errors {sum(r.errors.values())}; load generator CPU {r.generator_cpu:.2f} s/s, "
        f"worst send lag {r.max_lag_ms:.1f} ms  -> {'HOLDS' if r.ok else 'FAILS'} (p99 < 100 ms, no error)"
    )
    for op in mix_rates():
        v = r.latencies.get(op, [])
        if v:
            print(
                f"    {op:<26} {len(v):>7,}  p50 {percentile(v, 50):8.1f} ms  p99 {percentile(v, 99):8.1f} ms"
            )
    for kind, n in r.errors.most_common(8):
        print(f"    error {kind}: {n}")
    sys.stdout.flush()


def open_loop(
    args: argparse.Namespace, base: str, key: str, pid: int, portfolio: Portfolio, stream: DebtorStream
) -> list[OpenResult]:
    results: list[OpenResult] = []

    def run(agents: int) -> OpenResult:
        r = asyncio.run(
            _open_loop(base, key, portfolio, stream, agents, args.seconds, args.warmup, SEED + agents)
        )
        print_open(r)
        print_memory(f"after {agents:,} agents", pid)
        results.append(r)
        drain(base)  # the requests still in the workers finish before the next run
        return r

    if not args.search:
        for agents in args.agents:
            run(agents)
        return results
    lo, hi = 0, None
    agents = args.agents[0]
    while hi is None:
        if run(agents).ok:
            lo, agents = agents, agents * 2
            if agents > args.max_agents:
                break
        else:
            hi = agents
    for _ in range(args.search_steps if hi is not None else 0):
        mid = (lo + hi) // 2
        if mid <= lo or hi - lo <= max(50, lo // 20):
            break
        if run(mid).ok:
            lo = mid
        else:
            hi = mid
    print(
        f"\nlargest agent count measured to hold p99 < 100 ms with no error: {lo:,}"
        + (f" (fails at {hi:,})" if hi else "")
    )
    return results


# ------------------------------------------------------------------ main


def main() -> int:
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the servers started are stopped
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("ASISTENTE_BENCH_POSTGRES_URL"),
        help="PostgreSQL (its public schema is dropped and recreated)",
    )
    parser.add_argument("--debtors", type=int, default=20_000)
    parser.add_argument("--agents", default="500,1000,2000", help="comma-separated agent counts (open loop)")
    parser.add_argument("--search", action="store_true", help="search the largest agent count that holds")
    parser.add_argument("--search-steps", type=int, default=3)
    parser.add_argument("--max-agents", type=int, default=16_000)
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per open-loop run")
    parser.add_argument(
        "--warmup", type=float, default=3.0, help="unmeasured seconds before each open-loop run"
    )
    parser.add_argument("--closed-seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument(
        "--client", choices=["auto", "httpx"], default="auto", help="closed loop: wrk if found"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--ops", default=",".join(LIVE), help="closed loop: which operations (comma-separated)"
    )
    parser.add_argument("--skip-closed", action="store_true")
    parser.add_argument("--skip-open", action="store_true")
    parser.add_argument("--workdir", help="keep the portfolio and SQLite file here; a later run reuses them")
    parser.add_argument("--profile", metavar="DIR", help="py-spy the workers during each closed-loop run")
    args = parser.parse_args()
    args.agents = [int(a) for a in args.agents.split(",")]
    args.ops = [op for op in args.ops.split(",") if op]
    if unknown := set(args.ops) - set(LIVE):
        parser.error(f"--ops: unknown {sorted(unknown)}; choose from {', '.join(LIVE)}")
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)

    load = os.getloadavg()
    print(
        f"{os.cpu_count()} CPU(s), load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; db {args.db}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="asistente-cc-") as tmp:
        workdir = Path(args.workdir or tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        url = args.database_url if args.db == "postgres" else f"sqlite:///{workdir / 'centro.db'}"
        if args.db == "postgres" and not url:
            raise SystemExit("--db postgres needs --database-url (or ASISTENTE_BENCH_POSTGRES_URL)")
        saved = workdir / f"keys-{args.db}-{args.debtors}.json"
        if args.workdir and saved.exists():  # reuse the portfolio imported by an earlier run
            keys = json.loads(saved.read_text())
            key, admin = keys["agent"], keys["admin"]
            KEYS["integrator"] = keys["integrator"]
            print(f"reusing the portfolio imported earlier in {workdir} ({saved.name})", flush=True)
        else:
            now = datetime.now(UTC).replace(microsecond=0)
            path = workdir / "portfolio.jsonl"
            started = time.perf_counter()
            mix = generate(path, args.debtors, now)
            print(
                f"generated {args.debtors:,} debtors ({path.stat().st_size / 1e6:.1f} MB) in "
                f"{time.perf_counter() - started:.1f} s: " + ", ".join(f"{k} {v:,}" for k, v in mix.items()),
                flush=True,
            )
            if args.db == "postgres":
                reset_postgres(url)
            else:
                Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
            key, admin, seconds = prepare(url, path)
            print(f"import: {seconds:.1f} s wall clock through `asistente import`", flush=True)
            saved.write_text(json.dumps({"agent": key, "admin": admin, "integrator": KEYS["integrator"]}))
        portfolio = read_portfolio(url)
        stream = DebtorStream(portfolio.debtors, SEED)
        proc, base = start_service(url, workdir, args.workers)
        try:
            print_memory("at start", proc.pid)
            set_drafting_profile(base, admin)
            payload = card_payload(base, key, portfolio, stream, workdir)
            smoke(base, key, portfolio, stream)
            closed: dict[str, Run] = {}
            if not args.skip_closed:
                closed = closed_loop(args, base, key, proc.pid, portfolio, stream, workdir)
            opened: list[OpenResult] = []
            if not args.skip_open:
                opened = open_loop(args, base, key, proc.pid, portfolio, stream)
            print_memory("at the end", proc.pid)
        finally:
            stop(proc)
        floor = floor_run(args, key, payload, portfolio, stream, workdir) if closed else None
    load = os.getloadavg()
    print(f"\nload average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if closed and floor:
        print(
            f"\nclosed loop, {args.clients} clients, distinct debtors, {args.workers} workers "
            f"(floor {floor.rps:,.0f} req/s, p99 {floor.p99:.1f} ms):"
        )
        for op, r in closed.items():
            ratio = r.rps / floor.rps if floor.rps else 0.0
            met = ratio >= 0.10 and r.p99 < 100 and r.errors == 0
            print(
                f"  {op:<20} {r.rps:7,.0f} req/s = {100 * ratio:5.1f}% of floor  p50 {r.p50:6.1f} ms  "
                f"p99 {r.p99:7.1f} ms  errors {r.errors}  {'MET' if met else 'not met'} (>= 10%, p99 < 100 ms)"
                + (f"  server CPU {SERVER_CPU[op]:.2f} ms/req" if op in SERVER_CPU else "")
                + (f"  database CPU {DATABASE_CPU[op]:.2f} ms/req" if op in DATABASE_CPU else "")
            )
    if opened:
        print("\nopen loop: agents  offered req/s  p99 all  errors  holds")
        for r in opened:
            print(
                f"  {r.agents:>7,}  {r.offered:10.1f}  {r.p99:8.1f} ms  {sum(r.errors.values()):5}  {'yes' if r.ok else 'no'}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
