"""Generate the demo portfolio shipped with asistente.

Run from the repository root:

    .venv/bin/python examples/make_demo_portfolio.py

It writes the same bytes to ``examples/portfolio.jsonl`` and ``src/asistente/demo/portfolio.jsonl``: one
portfolio record per line (schema/portfolio-record.schema.json). Every date and instant is written relative
to the anchor date 2026-11-20 ("today" for the data); the demo seeder shifts them all by (today - anchor).

The output is deterministic: a fixed seed drives one ``random.Random`` and the tables below are iterated in
order, so two runs give identical files. Standard library only, plus ``phonenumbers`` to validate numbers.

Names, streets, phone numbers and e-mail addresses are fictional; e-mail domains use the reserved
``example.*`` names and the ``.example`` top-level domain; US numbers use the fictional 555-01xx range.
Creditors are invented companies.
"""

from __future__ import annotations

import json
import math
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers

ANCHOR = date(2026, 11, 20)
SEED = 20261120
ROOT = Path(__file__).resolve().parent.parent
OUTPUTS = (ROOT / "examples" / "portfolio.jsonl", ROOT / "src" / "asistente" / "demo" / "portfolio.jsonl")
MAX_LINE_BYTES = 4000

# --------------------------------------------------------------------------------------------------------
# Countries


@dataclass(frozen=True)
class Country:
    code: str
    currency: str
    decimals: int
    fx: Decimal  # currency units per USD, to scale product amounts
    principal_step: Decimal  # principals are round amounts
    balance_step: Decimal  # balances are precise
    promise_step: Decimal  # promised amounts are round
    mobile_len: int  # digits after "+"
    home_len: int
    products: tuple[tuple[str, int], ...]
    channels: tuple[tuple[str, int], ...]
    creditors: dict[str, tuple[str, ...]]
    holidays: frozenset[date] = field(default_factory=frozenset)


def _days(*iso: str) -> frozenset[date]:
    return frozenset(date.fromisoformat(d) for d in iso)


LATAM_CHANNELS = (("CALL", 50), ("WHATSAPP", 25), ("SMS", 10), ("EMAIL", 10), ("LETTER", 5))

COUNTRIES: dict[str, Country] = {
    "MX": Country(
        code="MX",
        currency="MXN",
        decimals=2,
        fx=Decimal("18.5"),
        principal_step=Decimal(100),
        balance_step=Decimal("0.01"),
        promise_step=Decimal(50),
        mobile_len=12,
        home_len=12,
        products=(
            ("card", 30),
            ("personal", 20),
            ("auto", 10),
            ("micro", 10),
            ("telco", 15),
            ("payroll", 15),
        ),
        channels=LATAM_CHANNELS,
        creditors={
            "bank": ("Banco Quetzal", "Banco Ceiba del Sureste", "Financiera Nopal"),
            "auto": ("Autocrédito Sierra Madre",),
            "micro": ("Microfinanciera Mano Amiga", "Caja Solidaria Los Altos"),
            "telco": ("Jaguar Móvil Telecom",),
        },
        holidays=_days("2026-09-16", "2026-11-16"),
    ),
    "CO": Country(
        code="CO",
        currency="COP",
        decimals=2,
        fx=Decimal(4100),
        principal_step=Decimal(10000),
        balance_step=Decimal(1),
        promise_step=Decimal(10000),
        mobile_len=12,
        home_len=12,
        products=(("card", 30), ("personal", 25), ("auto", 10), ("micro", 15), ("telco", 15), ("payroll", 5)),
        channels=LATAM_CHANNELS,
        creditors={
            "bank": ("Banco Andino del Café", "Financiera Guayacán"),
            "auto": ("Crediautos La Sabana",),
            "micro": ("Fundación Microcrédito Ceiba",),
            "telco": ("Cóndor Móvil",),
        },
        holidays=_days(
            "2026-06-29", "2026-07-20", "2026-08-07", "2026-08-17", "2026-10-12", "2026-11-02", "2026-11-16"
        ),
    ),
    "CL": Country(
        code="CL",
        currency="CLP",
        decimals=0,
        fx=Decimal(950),
        principal_step=Decimal(10000),
        balance_step=Decimal(1),
        promise_step=Decimal(5000),
        mobile_len=11,
        home_len=11,
        products=(("card", 35), ("personal", 25), ("auto", 15), ("micro", 5), ("telco", 20)),
        channels=LATAM_CHANNELS,
        creditors={
            "bank": ("Banco Austral Pehuén", "Financiera Copihue"),
            "auto": ("Automotora Crédito Cordillera",),
            "micro": ("Cooperativa Ahorro Lautaro",),
            "telco": ("Araucaria Telecomunicaciones",),
        },
        holidays=_days(
            "2026-06-29", "2026-07-16", "2026-08-15", "2026-09-18", "2026-09-19", "2026-10-12", "2026-10-31"
        ),
    ),
    "PE": Country(
        code="PE",
        currency="PEN",
        decimals=2,
        fx=Decimal("3.75"),
        principal_step=Decimal(50),
        balance_step=Decimal("0.01"),
        promise_step=Decimal(10),
        mobile_len=11,
        home_len=10,
        products=(("card", 25), ("personal", 20), ("auto", 5), ("micro", 30), ("telco", 15), ("payroll", 5)),
        channels=LATAM_CHANNELS,
        creditors={
            "bank": ("Banco Vicuña", "Financiera Qhapaq"),
            "auto": ("Autofinanciamiento Inti",),
            "micro": ("Microfinanzas Ayni", "Caja Rural Illimani"),
            "telco": ("Pachacútec Móvil",),
        },
        holidays=_days("2026-06-29", "2026-07-28", "2026-07-29", "2026-08-06", "2026-08-30", "2026-10-08"),
    ),
    "ES": Country(
        code="ES",
        currency="EUR",
        decimals=2,
        fx=Decimal("0.92"),
        principal_step=Decimal(50),
        balance_step=Decimal("0.01"),
        promise_step=Decimal(10),
        mobile_len=11,
        home_len=11,
        products=(("card", 35), ("personal", 35), ("auto", 15), ("telco", 15)),
        channels=(("CALL", 55), ("SMS", 15), ("EMAIL", 15), ("WHATSAPP", 10), ("LETTER", 5)),
        creditors={
            "bank": ("Banco Ibérico Albor", "Levante Consumo Financiera"),
            "auto": ("Meseta Auto Crédito",),
            "telco": ("Brisa Móvil Telecomunicaciones",),
        },
        holidays=_days("2026-08-15", "2026-10-12", "2026-12-08"),
    ),
    "AR": Country(
        code="AR",
        currency="ARS",
        decimals=2,
        fx=Decimal(1450),
        principal_step=Decimal(1000),
        balance_step=Decimal("0.01"),
        promise_step=Decimal(5000),
        mobile_len=13,
        home_len=12,
        products=(("card", 40), ("personal", 25), ("auto", 10), ("micro", 10), ("telco", 15)),
        channels=LATAM_CHANNELS,
        creditors={
            "bank": ("Banco Pampa Sur", "Financiera Ombú"),
            "auto": ("Prendarios Automotor Tandil",),
            "micro": ("Mutual Crédito Aconcagua",),
            "telco": ("Aconcagua Móvil",),
        },
        holidays=_days("2026-06-20", "2026-07-09", "2026-08-17", "2026-10-12", "2026-11-23"),
    ),
    "US": Country(
        code="US",
        currency="USD",
        decimals=2,
        fx=Decimal(1),
        principal_step=Decimal(50),
        balance_step=Decimal("0.01"),
        promise_step=Decimal(10),
        mobile_len=11,
        home_len=11,
        products=(("card", 35), ("personal", 20), ("auto", 20), ("medical", 25)),
        channels=(("CALL", 55), ("SMS", 15), ("EMAIL", 15), ("LETTER", 15)),
        creditors={
            "bank": ("Harborview Bank", "Summit Ridge Credit Union", "Lakeshore Personal Lending"),
            "auto": ("Cobalt Auto Finance",),
            "medical": ("Mercy Valley Medical Center", "Desert Bloom Health Partners"),
        },
        holidays=_days("2026-07-03", "2026-09-07", "2026-10-12", "2026-11-11", "2026-11-26"),
    ),
}

# product kind -> (Spanish name, English name, USD principal range, loan term months or None)
PRODUCTS: dict[str, tuple[str, str, tuple[int, int], tuple[int, int] | None]] = {
    "card": ("tarjeta de crédito", "credit card", (800, 9000), None),
    "personal": ("préstamo personal", "personal loan", (1500, 15000), (12, 48)),
    "auto": ("crédito automotriz", "auto loan", (9000, 32000), (36, 72)),
    "micro": ("microcrédito", "microloan", (150, 1500), (6, 18)),
    "telco": ("telefonía móvil", "mobile phone service", (60, 450), None),
    "payroll": ("crédito de nómina", "payroll loan", (1000, 9000), (12, 36)),
    "medical": ("factura médica", "medical bill", (400, 12000), None),
}
CREDITOR_GROUP = {
    "card": "bank",
    "personal": "bank",
    "payroll": "bank",
    "auto": "auto",
    "micro": "micro",
    "telco": "telco",
    "medical": "medical",
}

# delinquency stages: (name, min days past due, max days past due, weight)
STAGES = (
    ("current", 0, 0, 12),
    ("early", 1, 30, 22),
    ("mid", 31, 90, 26),
    ("late", 91, 180, 20),
    ("chargeoff", 181, 720, 20),
)

# --------------------------------------------------------------------------------------------------------
# Cities: key -> (city, region (ISO 3166-2 without country), IANA zone, mobile prefix, home prefix or None)

CITIES: dict[str, tuple[str, str, str, str, str | None]] = {
    # Mexico
    "cancun": ("Cancún", "ROO", "America/Cancun", "+52998", "+52998"),
    "tijuana": ("Tijuana", "BCN", "America/Tijuana", "+52664", "+52664"),
    "hermosillo": ("Hermosillo", "SON", "America/Hermosillo", "+52662", "+52662"),
    "cdmx": ("Ciudad de México", "CMX", "America/Mexico_City", "+5255", "+5255"),
    "monterrey": ("Monterrey", "NLE", "America/Monterrey", "+5281", "+5281"),
    "guadalajara": ("Guadalajara", "JAL", "America/Mexico_City", "+5233", "+5233"),
    "merida": ("Mérida", "YUC", "America/Merida", "+52999", "+52999"),
    "puebla": ("Puebla", "PUE", "America/Mexico_City", "+52222", "+52222"),
    "lapaz": ("La Paz", "BCS", "America/Mazatlan", "+52612", "+52612"),
    "mazatlan": ("Mazatlán", "SIN", "America/Mazatlan", "+52669", "+52669"),
    "juarez": ("Ciudad Juárez", "CHH", "America/Ciudad_Juarez", "+52656", "+52656"),
    # Colombia
    "bogota": ("Bogotá", "DC", "America/Bogota", "+573", "+57601"),
    "medellin": ("Medellín", "ANT", "America/Bogota", "+573", "+57604"),
    "cali": ("Cali", "VAC", "America/Bogota", "+573", "+57602"),
    "barranquilla": ("Barranquilla", "ATL", "America/Bogota", "+573", "+57605"),
    "bucaramanga": ("Bucaramanga", "SAN", "America/Bogota", "+573", "+57607"),
    "cartagena": ("Cartagena de Indias", "BOL", "America/Bogota", "+573", "+57605"),
    "pereira": ("Pereira", "RIS", "America/Bogota", "+573", "+57606"),
    # Chile
    "santiago": ("Santiago", "RM", "America/Santiago", "+569", "+562"),
    "providencia": ("Providencia", "RM", "America/Santiago", "+569", "+562"),
    "puntaarenas": ("Punta Arenas", "MA", "America/Punta_Arenas", "+569", "+5661"),
    "valparaiso": ("Valparaíso", "VS", "America/Santiago", "+569", "+5632"),
    "concepcion": ("Concepción", "BI", "America/Santiago", "+569", "+5641"),
    "antofagasta": ("Antofagasta", "AN", "America/Santiago", "+569", "+5655"),
    "temuco": ("Temuco", "AR", "America/Santiago", "+569", "+5645"),
    "hangaroa": ("Hanga Roa", "VS", "Pacific/Easter", "+569", None),
    "laserena": ("La Serena", "CO", "America/Santiago", "+569", "+5651"),
    # Peru
    "lima": ("Lima", "LIM", "America/Lima", "+519", "+511"),
    "arequipa": ("Arequipa", "ARE", "America/Lima", "+519", "+5154"),
    "cusco": ("Cusco", "CUS", "America/Lima", "+519", "+5184"),
    "trujillo": ("Trujillo", "LAL", "America/Lima", "+519", "+5144"),
    "piura": ("Piura", "PIU", "America/Lima", "+519", "+5173"),
    # Spain
    "madrid": ("Madrid", "MD", "Europe/Madrid", "+346", "+3491"),
    "barcelona": ("Barcelona", "CT", "Europe/Madrid", "+346", "+3493"),
    "sevilla": ("Sevilla", "AN", "Europe/Madrid", "+346", "+34954"),
    "laspalmas": ("Las Palmas de Gran Canaria", "CN", "Atlantic/Canary", "+346", "+34928"),
    "valencia": ("Valencia", "VC", "Europe/Madrid", "+346", "+3496"),
    "bilbao": ("Bilbao", "PV", "Europe/Madrid", "+346", "+3494"),
    # Argentina
    "caba": ("Buenos Aires", "C", "America/Argentina/Buenos_Aires", "+54911", "+5411"),
    "cordoba": ("Córdoba", "X", "America/Argentina/Cordoba", "+549351", "+54351"),
    "mendoza": ("Mendoza", "M", "America/Argentina/Mendoza", "+549261", "+54261"),
    "rosario": ("Rosario", "S", "America/Argentina/Cordoba", "+549341", "+54341"),
    "salta": ("Salta", "A", "America/Argentina/Salta", "+549387", "+54387"),
    "ushuaia": ("Ushuaia", "V", "America/Argentina/Ushuaia", "+5492901", "+542901"),
    # United States
    "phoenix": ("Phoenix", "AZ", "America/Phoenix", "+1602", "+1602"),
    "newyork": ("New York", "NY", "America/New_York", "+1646", "+1212"),
    "losangeles": ("Los Angeles", "CA", "America/Los_Angeles", "+1213", "+1323"),
    "miami": ("Miami", "FL", "America/New_York", "+1786", "+1305"),
    "houston": ("Houston", "TX", "America/Chicago", "+1832", "+1713"),
    "chicago": ("Chicago", "IL", "America/Chicago", "+1773", "+1312"),
    "boston": ("Boston", "MA", "America/New_York", "+1617", "+1617"),
    "honolulu": ("Honolulu", "HI", "Pacific/Honolulu", "+1808", "+1808"),
    "denver": ("Denver", "CO", "America/Denver", "+1720", "+1303"),
    "elpaso": ("El Paso", "TX", "America/Denver", "+1915", "+1915"),
}

# --------------------------------------------------------------------------------------------------------
# Debtors: (country, city key, "Given names|Surname|Second surname", language, line1, line2, postal code,
# special cases). A debtor without an address has city key "-" and names its phone's city in "phone_city".
# Special-case keys:
#   no_address, phone_city   no address; the time zone must come from the phone number
#   mobile_city              the mobile number belongs to another city (another time zone) than the address
#   home: False              no landline; email: "none" | "work" (also a work address)
#   accounts                 number of accounts; stages: forced stage of the first accounts
#   kinds                    forced product kinds of the first accounts
#   disputed / litigation / barred   index of the account carrying that flag
#   heavy                    number of call attempts in the last 7 days; conv: conversation 2 days before
#   pending / broken / kept  promises (pending: due after the anchor)
#   optout                   channel the debtor opted out of (with the request in the history)
#   cease / attorney         cease-contact request / represented by an attorney
#   third                    a contact with a CO_DEBTOR or REFERENCE
#   auth                     Colombian authorised channels

# fmt: off
DEBTORS: list[tuple[str, str, str, str, str, str, str, dict[str, Any]]] = [
    # ---- Mexico
    ("MX", "cancun", "Ana Karen|Chan|Pech", "es", "Av. Tulum 215, Supermanzana 22", "Depto. 4", "77500",
     {"heavy": 5, "conv": True, "pending": 1, "stages": ["mid"]}),
    ("MX", "tijuana", "José Luis|Ramírez|Ochoa", "es", "Calle Segunda 1845", "Zona Centro", "22000",
     {"broken": 3, "stages": ["late"], "kinds": ["personal"]}),
    ("MX", "hermosillo", "María Fernanda|Valenzuela|Durazo", "es", "Blvd. Luis Encinas 520", "Col. San Benito",
     "83190", {"kept": 2, "stages": ["early"]}),
    ("MX", "cdmx", "Jorge Alberto|Hernández|Salinas", "es", "Calle Tonalá 87, Int. 3",
     "Col. Roma Norte, Cuauhtémoc", "06700", {"disputed": 0, "stages": ["mid"], "kinds": ["card"]}),
    ("MX", "cdmx", "Guadalupe|Martínez|Contreras", "es", "Av. Universidad 1330, Depto. 502",
     "Col. Del Carmen, Coyoacán", "04100", {"heavy": 4, "stages": ["late"]}),
    ("MX", "monterrey", "Roberto Carlos|Garza|Treviño", "es", "Av. Constitución 2050 Ote.", "Col. Centro", "64000",
     {"attorney": True, "litigation": 0, "email": "work", "employer": "Aceros del Norte Regiomontano",
      "stages": ["chargeoff"], "kinds": ["auto"]}),
    ("MX", "guadalajara", "Claudia Patricia|Aguilar|Íñiguez", "es", "Av. Chapultepec Sur 480", "Col. Americana",
     "44160", {"accounts": 3}),
    ("MX", "merida", "Luis Enrique|Pat|Canul", "es", "Calle 60 No. 455 x 51 y 53", "Centro", "97000",
     {"pending": 1, "stages": ["early"]}),
    ("MX", "puebla", "Verónica Ivonne|Sánchez|Pérez", "es", "Av. Reforma 712", "Centro Histórico", "72000",
     {"third": "CO_DEBTOR", "kinds": ["auto"], "stages": ["mid"]}),
    ("MX", "lapaz", "Héctor Manuel|Cota|Geraldo", "es", "Calle Madero 1340", "Col. Centro", "23000",
     {"barred": 0, "accounts": 2}),
    ("MX", "mazatlan", "Rosa María|Osuna|Lizárraga", "es", "Av. Camarón Sábalo 1220, Depto. 8", "Zona Dorada",
     "82110", {}),
    ("MX", "juarez", "Francisco Javier|Holguín|Chávez", "es", "Av. 16 de Septiembre 950", "Col. Centro", "32000",
     {"employer": "Maquiladora Paso Norte", "email": "work"}),
    ("MX", "tijuana", "Diana Laura|Castañeda|Ruiz", "es", "Blvd. Agua Caliente 10611, Depto. 12",
     "Col. Aviación", "22014", {"mobile_city": "cdmx", "home": False}),
    ("MX", "-", "Miguel Ángel|Canché|Uc", "es", "", "", "",
     {"no_address": True, "phone_city": "cancun", "home": False, "email": "none"}),
    # ---- Colombia (authorised channels are explicit for every Colombian debtor)
    ("CO", "bogota", "Luz Marina|Rodríguez|Gómez", "es", "Calle 72 # 10-34, Apto 502", "Chapinero", "110231",
     {"heavy": 4, "conv": True, "pending": 1, "auth": ["CALL", "WHATSAPP", "EMAIL"], "stages": ["mid"]}),
    ("CO", "bogota", "Jhon Jairo|Moreno|Castillo", "es", "Transversal 78 # 6-50 Sur", "Kennedy", "110841",
     {"broken": 2, "auth": ["CALL", "SMS", "WHATSAPP"], "stages": ["late"]}),
    ("CO", "medellin", "Paula Andrea|Restrepo|Zapata", "es", "Carrera 43A # 1 Sur-100, Apto 1204", "El Poblado",
     "050021", {"optout": "WHATSAPP", "auth": ["CALL", "WHATSAPP", "EMAIL"]}),
    ("CO", "medellin", "Carlos Mario|Ospina|Vélez", "es", "Calle 50 # 46-36", "La Candelaria", "050012",
     {"kept": 2, "auth": ["CALL", "WHATSAPP"], "stages": ["early"]}),
    ("CO", "cali", "Yeison Andrés|Mosquera|Valencia", "es", "Avenida 6N # 23-45", "Granada", "760045",
     {"disputed": 1, "accounts": 2, "auth": ["CALL", "EMAIL", "LETTER"], "stages": [None, "mid"]}),
    ("CO", "barranquilla", "Katherine Paola|De la Hoz|Pertuz", "es", "Calle 84 # 52-120, Apto 3B", "Alto Prado",
     "080020", {"auth": ["CALL", "WHATSAPP", "SMS", "EMAIL"], "third": "CO_DEBTOR", "kinds": ["personal"],
                "stages": ["mid"]}),
    ("CO", "bucaramanga", "Édgar Fabián|Rueda|Serrano", "es", "Carrera 27 # 36-14", "Sotomayor", "680003",
     {"auth": ["CALL"], "home": True}),
    ("CO", "cartagena", "Leidy Johana|Julio|Barrios", "es", "Calle del Arsenal # 10-43", "Getsemaní", "130001",
     {"auth": ["WHATSAPP", "SMS"]}),
    ("CO", "pereira", "Diego Alejandro|Giraldo|Marín", "es", "Carrera 8 # 20-15, Apto 701", "Centro", "660002",
     {"auth": ["CALL", "WHATSAPP", "EMAIL"]}),
    ("CO", "bogota", "Sandra Milena|Quintero|Rojas", "es", "Carrera 15 # 124-30, Apto 901", "Santa Bárbara",
     "110111", {"auth": ["CALL", "EMAIL"], "email": "work", "employer": "Textiles La Sabana S.A.S."}),
    # ---- Chile
    ("CL", "santiago", "Camila Fernanda|Muñoz|Rojas", "es", "Av. Libertador Bernardo O'Higgins 1302, Depto. 804",
     "", "8320000", {"heavy": 4, "conv": True, "pending": 1, "stages": ["mid"]}),
    ("CL", "providencia", "Matías Ignacio|González|Soto", "es", "Av. Providencia 2124, Depto. 31", "", "7510000",
     {"optout": "SMS"}),
    ("CL", "puntaarenas", "Juan Pablo|Oyarzún|Mansilla", "es", "Av. Colón 845", "", "6200000",
     {"kept": 3, "stages": ["early"]}),
    ("CL", "valparaiso", "Valentina Andrea|Reyes|Contreras", "es", "Calle Blanco 1131, Depto. 52", "", "2340000",
     {}),
    ("CL", "concepcion", "Rodrigo Esteban|Sepúlveda|Fuentes", "es", "Calle Lincoyán 444, Depto. 1203", "",
     "4030000", {"litigation": 0, "stages": ["chargeoff"], "kinds": ["auto"]}),
    ("CL", "antofagasta", "Daniela Alejandra|Tapia|Araya", "es", "Av. Grecia 1480, Depto. 1502", "", "1240000",
     {"accounts": 3}),
    ("CL", "temuco", "Luis Alberto|Huenchumilla|Catrileo", "es", "Av. Alemania 0745", "", "4780000", {}),
    ("CL", "hangaroa", "Sofía|Pakarati|Tuki", "es", "Atamu Tekena s/n", "", "2770000", {"home": False}),
    ("CL", "laserena", "María José|Pizarro|Álvarez", "es", "Av. Francisco de Aguirre 290, Depto. 45", "",
     "1700000", {"pending": 1, "stages": ["early"]}),
    # ---- Peru
    ("PE", "lima", "Rosa Elvira|Quispe|Mamani", "es", "Jr. Huancavelica 645, Dpto. 302", "Cercado de Lima",
     "15001", {"heavy": 4, "conv": True, "pending": 1, "stages": ["mid"], "kinds": ["micro"]}),
    ("PE", "lima", "Luis Alberto|Flores|Huamán", "es", "Av. Arequipa 2450, Dpto. 301", "Lince", "15046",
     {"broken": 2, "stages": ["late"]}),
    ("PE", "lima", "Milagros del Pilar|Torres|Paredes", "es", "Av. José Larco 1150, Dpto. 1004", "Miraflores",
     "15074", {"third": "REFERENCE", "email": "work", "employer": "Consultora Miraflores Andina"}),
    ("PE", "arequipa", "Juan Carlos|Zegarra|Rivera", "es", "Calle Mercaderes 212", "Cercado", "04001", {}),
    ("PE", "cusco", "Yolanda|Huillca|Condori", "es", "Av. El Sol 520", "", "08002",
     {"kinds": ["micro"], "email": "none"}),
    ("PE", "trujillo", "César Augusto|Rodríguez|Alvarado", "es", "Jr. Pizarro 455", "Centro Histórico", "13001",
     {"barred": 0, "accounts": 2}),
    ("PE", "piura", "Karina Elizabeth|Chunga|Ramos", "es", "Av. Grau 1020", "", "20001", {"kept": 2,
                                                                                       "stages": ["early"]}),
    # ---- Spain
    ("ES", "madrid", "Lucía|García|Fernández", "es", "Calle de Alcalá 145, 3º B", "", "28009",
     {"heavy": 3, "conv": True, "pending": 1, "kept": 1, "stages": ["mid"]}),
    ("ES", "barcelona", "Jordi|Puig|Ferrer", "es", "Carrer de Mallorca 275, 2n 1a", "", "08037",
     {"cease": True, "stages": ["late"]}),
    ("ES", "sevilla", "Manuel Jesús|Romero|Castillo", "es", "Calle Asunción 34, 4º A", "Los Remedios", "41011",
     {"broken": 2, "stages": ["mid"]}),
    ("ES", "laspalmas", "Yaiza|Santana|Rodríguez", "es", "Calle León y Castillo 210, 5º", "", "35004",
     {"disputed": 0, "kinds": ["telco"], "stages": ["mid"]}),
    ("ES", "valencia", "Javier|Martínez|Soler", "es", "Carrer de Colón 22, pta. 8", "", "46004",
     {"litigation": 0, "stages": ["chargeoff"], "kinds": ["personal"], "email": "work",
      "employer": "Cerámicas del Turia S.L."}),
    ("ES", "bilbao", "Itziar|Etxeberria|Goikoetxea", "es", "Gran Vía de Don Diego López de Haro 45, 2º izq.", "",
     "48011", {"barred": 0, "accounts": 2}),
    ("ES", "-", "Antonio José|Hernández|Suárez", "es", "", "", "",
     {"no_address": True, "phone_city": "laspalmas", "mobile": False, "email": "none", "age": 68}),
    # ---- Argentina
    ("AR", "caba", "Martín Ezequiel|Acosta|Benítez", "es", "Av. Corrientes 1847, Piso 5, Depto. B", "Balvanera",
     "C1045AAB", {"heavy": 4, "conv": True, "pending": 1, "stages": ["mid"]}),
    ("AR", "caba", "Florencia Belén|Romero|Díaz", "es", "Av. Cabildo 2230, 3º A", "Belgrano", "C1428AAQ",
     {"optout": "WHATSAPP"}),
    ("AR", "cordoba", "Gustavo Daniel|Ferreyra|Luna", "es", "Av. Colón 1050, 7º C", "Centro", "X5000EPT",
     {"litigation": 0, "stages": ["chargeoff"], "kinds": ["personal"]}),
    ("AR", "mendoza", "Silvina Andrea|Quiroga|Funes", "es", "Av. San Martín 1245", "Ciudad", "M5500AAM",
     {"broken": 3, "stages": ["mid"]}),
    ("AR", "rosario", "Lucas Nahuel|Medina|Godoy", "es", "Calle Córdoba 1452, 4º", "Centro", "S2000AWV",
     {"kept": 2, "stages": ["early"]}),
    ("AR", "salta", "Natalia Soledad|Gutiérrez|Cruz", "es", "Calle Caseros 730", "Centro", "A4400DMP",
     {"third": "REFERENCE"}),
    ("AR", "ushuaia", "Pablo Andrés|Sosa|Vidal", "es", "Av. San Martín 640", "", "V9410BJN", {"accounts": 3}),
    # ---- United States
    ("US", "phoenix", "Michael R.|Thompson", "en", "1420 N Central Ave, Apt 312", "", "85004",
     {"heavy": 7, "stages": ["mid"], "kinds": ["card"]}),
    ("US", "newyork", "Jennifer L.|Williams", "en", "245 W 125th St, Apt 4C", "", "10027",
     {"heavy": 2, "conv": True, "pending": 1, "optout": "SMS", "stages": ["mid"]}),
    ("US", "losangeles", "María Elena|Gutiérrez", "es", "1834 W Sunset Blvd, Apt 6", "", "90026",
     {"disputed": 0, "kinds": ["medical"], "stages": ["late"]}),
    ("US", "miami", "Carlos Alberto|Rivera", "es", "2150 SW 8th St, Apt 7", "", "33135",
     {"attorney": True, "stages": ["chargeoff"]}),
    ("US", "houston", "Ashley Nicole|Davis", "en", "3402 Fulton St", "", "77009",
     {"broken": 2, "email": "work", "employer": "Gulf Coast Logistics LLC", "stages": ["mid"]}),
    ("US", "chicago", "Alejandro|Morales", "es", "1859 W 18th St, Unit 2R", "", "60608",
     {"kept": 3, "stages": ["early"], "kinds": ["auto"]}),
    ("US", "boston", "Emily Rose|Sullivan", "en", "47 Centre St, Apt 2", "", "02130",
     {"cease": True, "stages": ["late"], "kinds": ["personal"]}),
    ("US", "honolulu", "Kevin|Nakamura", "en", "1550 Kapiolani Blvd, Apt 1802", "", "96814",
     {"litigation": 0, "stages": ["chargeoff"], "kinds": ["personal"]}),
    ("US", "denver", "Robert Lee|Miller", "en", "2840 Welton St", "", "80205",
     {"barred": 0, "accounts": 2, "kinds": ["card"]}),
    ("US", "elpaso", "José Luis|Torres", "es", "3215 Alameda Ave", "", "79905", {"pending": 1,
                                                                              "stages": ["early"]}),
    ("US", "phoenix", "Brian Anthony|Walsh", "en", "4502 E Thomas Rd, Apt 221", "", "85018",
     {"mobile_city": "newyork", "home": False, "stages": ["mid"]}),
    ("US", "-", "Jessica Marie|Kahale", "en", "", "", "",
     {"no_address": True, "phone_city": "honolulu", "home": False, "jurisdiction": "US-HI"}),
]
# fmt: on

# --------------------------------------------------------------------------------------------------------
# Notes

NOTES_ES = {
    "conv": (
        "Titular reconoce el adeudo; solicita opciones de plan de pagos.",
        "Cliente refiere reducción de ingresos por cambio de empleo; se explican opciones de reestructura.",
        "Cliente solicita el estado de cuenta por correo antes de pagar.",
        "Cliente indica que ya pagó en sucursal; se solicita comprobante.",
        "Cliente pide que se le llame después de las 18 h.",
        "Cliente comenta gastos médicos de un familiar; pide unas semanas de plazo.",
        "Se confirman datos de contacto; cliente revisará su presupuesto y devolverá la llamada.",
        "Cliente pregunta por descuento para liquidar; se revisará con supervisión.",
        "Cliente inconforme con los intereses; se explica el desglose del saldo.",
    ),
    "promise_mx": (
        "Cliente indica que cobra el día 15; promete pago parcial.",
        "Cliente acepta cubrir el pago vencido con su quincena.",
        "Promesa de pago registrada; cliente pagará por transferencia SPEI.",
    ),
    "promise": (
        "Cliente indica que cobra el día 15; promete pago parcial.",
        "Cliente se compromete a pagar la cuota vencida cuando reciba su sueldo.",
        "Promesa de pago registrada; cliente pagará por transferencia.",
        "Cliente acepta abonar una parte ahora y el resto el próximo mes.",
    ),
    "voicemail": "Se deja mensaje con nombre del agente y número de devolución, sin detalles de la deuda.",
    "failed_call": ("Número fuera de servicio.", "La llamada no conecta; tono de ocupado."),
    "failed_msg": "Mensaje no entregado.",
    "failed_email": "Correo rebotado: buzón lleno.",
    "delivered": {
        "SMS": "Recordatorio de pago enviado por SMS.",
        "WHATSAPP": "Recordatorio de pago enviado por WhatsApp.",
        "EMAIL": "Estado de cuenta enviado por correo electrónico.",
        "LETTER": "Carta de aviso de adeudo enviada al domicilio.",
    },
    "inbound_call": (
        "Cliente llama para consultar su saldo para liquidar.",
        "Cliente devuelve la llamada; solicita la referencia de pago.",
    ),
    "inbound_msg": (
        "Cliente envía comprobante de transferencia.",
        "Cliente responde que pagará la próxima semana.",
    ),
    "CO_DEBTOR": "Se contacta al codeudor; indica que avisará al titular para que devuelva la llamada.",
    "REFERENCE": "Referencia personal proporciona un número actualizado del titular; no se comparten detalles "
    "de la cuenta.",
    "optout": {
        "SMS": "Cliente responde BAJA; solicita no recibir más SMS.",
        "WHATSAPP": "Cliente pide por WhatsApp no ser contactado por este medio.",
        "EMAIL": "Cliente solicita no recibir más correos de cobranza.",
        "CALL": "Cliente solicita no recibir más llamadas; prefiere contacto por correo.",
    },
    "cease": "Carta del cliente solicitando el cese de toda comunicación de cobranza.",
    "cease_ack": "Se envía acuse de recibo de la solicitud de cese; no habrá más gestiones de cobranza.",
    "attorney": "Cliente informa que está representado por abogado; se solicitan los datos del despacho.",
    "attorney_followup": "Se contacta al despacho del abogado para revisar una propuesta de convenio.",
    "dispute": "Cliente desconoce el cargo y solicita aclaración por escrito.",
    "litigation": "Cuenta turnada a juicio; no ofrecer convenios sin autorización del área jurídica.",
    "barred": "Cliente pregunta por un adeudo antiguo; se informa el saldo sin mencionar acciones legales.",
}

NOTES_EN = {
    "conv": (
        "Consumer acknowledges the balance; asked about payment plan options.",
        "Consumer reports reduced hours at work; discussed hardship options.",
        "Consumer asked for a statement by email before paying.",
        "Consumer says a payment was made online; asked for the confirmation number.",
        "Consumer asked to be called after 6 pm.",
        "Consumer will review the budget and call back.",
        "Consumer asked about a settlement discount; to be reviewed by a supervisor.",
    ),
    "promise": (
        "Consumer gets paid on the 15th; promised a partial payment.",
        "Consumer agreed to pay the past-due amount by debit card.",
        "Promise to pay recorded; consumer will pay through the online portal.",
    ),
    "voicemail": "Left a message with agent name and callback number only; no debt details.",
    "failed_call": ("Number disconnected.", "Call did not connect; busy signal."),
    "failed_msg": "Text message not delivered.",
    "failed_email": "Email bounced: mailbox full.",
    "delivered": {
        "SMS": "Payment reminder sent by text.",
        "WHATSAPP": "Payment reminder sent by WhatsApp.",
        "EMAIL": "Account statement sent by email.",
        "LETTER": "Validation notice mailed to the address on file.",
    },
    "inbound_call": (
        "Consumer called in to ask for a payoff amount.",
        "Consumer returned our call; asked for payment options.",
    ),
    "inbound_msg": ("Consumer replied that they will pay next week.",),
    "CO_DEBTOR": "Reached the co-signer; asked that the account holder call us back.",
    "REFERENCE": "Reference gave an updated number for the consumer; no account details disclosed.",
    "optout": {
        "SMS": "Consumer replied STOP; no more text messages.",
        "EMAIL": "Consumer asked not to receive collection emails.",
        "CALL": "Consumer asked not to be called; prefers mail.",
        "WHATSAPP": "Consumer asked not to be contacted by WhatsApp.",
    },
    "cease": "Written request from the consumer to cease communication received.",
    "cease_ack": "Acknowledgement letter sent; collection efforts on this account are terminated.",
    "attorney": "Consumer states they are represented by an attorney; asked for the attorney's details.",
    "attorney_followup": "Called the consumer's attorney to discuss a settlement proposal.",
    "dispute": "Consumer disputes the charges and requests an itemized statement in writing.",
    "litigation": "Account referred to litigation; no settlement offers without legal approval.",
    "barred": "Consumer asked about an old balance; informed of the amount, no legal action mentioned.",
}

EMPLOYER_DOMAINS = {
    "Aceros del Norte Regiomontano": "acerosnorte.example",
    "Maquiladora Paso Norte": "pasonorte.example",
    "Textiles La Sabana S.A.S.": "textileslasabana.example",
    "Consultora Miraflores Andina": "mirafloresandina.example",
    "Cerámicas del Turia S.L.": "ceramicasturia.example",
    "Gulf Coast Logistics LLC": "gulfcoastlogistics.example",
}
PERSONAL_DOMAINS = ("example.com", "example.net", "example.org", "correo.example", "mail.example")
ATTORNEYS = {
    "MX": "Lic. Ramiro Garza Villarreal, Garza & Asociados Abogados",
    "US": "Laura Méndez, Esq., Méndez Consumer Law P.A.",
}

# --------------------------------------------------------------------------------------------------------
# Helpers


def q(amount: Decimal, step: Decimal) -> Decimal:
    return (amount / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


def money(amount: Decimal, country: Country) -> str:
    if country.decimals == 0:
        return str(int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)))
    return str(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def weighted(rng: random.Random, options: tuple[tuple[Any, int], ...] | list[tuple[Any, int]]) -> Any:
    values = [o for o, _ in options]
    weights = [w for _, w in options]
    return rng.choices(values, weights=weights, k=1)[0]


def stamp(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


class Phones:
    """Valid, unique E.164 numbers (the fictional 555-01xx range for US numbers)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def make(self, prefix: str, length: int) -> str:
        for _ in range(20000):
            if prefix.startswith("+1"):
                number = f"{prefix}55501{self.rng.randrange(100):02d}"
            else:
                number = prefix + "".join(
                    str(self.rng.randrange(10)) for _ in range(length + 1 - len(prefix))
                )
            if number in self.used:
                continue
            parsed = phonenumbers.parse(number, None)
            if phonenumbers.is_valid_number(parsed) and (
                phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number
            ):
                self.used.add(number)
                return number
        raise RuntimeError(f"no valid number found for prefix {prefix}")


@dataclass
class Ctx:
    ext: str  # "MX-0001"
    country: Country
    zone: ZoneInfo
    lang: str
    x: dict[str, Any]
    mobile: str | None
    home: str | None
    emails: list[dict[str, str]]
    address_line: str | None
    numbers: Phones
    interactions: list[dict[str, Any]] = field(default_factory=list)
    promises: list[dict[str, Any]] = field(default_factory=list)

    @property
    def notes(self) -> dict[str, Any]:
        return NOTES_EN if self.lang == "en" else NOTES_ES


def contact_day(ctx: Ctx, day: date) -> date:
    """The nearest earlier day on which collectors work (no Sundays, no national holidays)."""
    while day.weekday() == 6 or day in ctx.country.holidays:
        day -= timedelta(days=1)
    return day


def local_instant(ctx: Ctx, rng: random.Random, day: date, *, start: time | None = None) -> datetime:
    """A plausible local working time on `day` (weekdays 9:00-18:30, Saturdays 9:30-13:30)."""
    lo, hi = (9 * 60 + 30, 13 * 60 + 30) if day.weekday() == 5 else (9 * 60, 18 * 60 + 30)
    if start is not None:
        lo = max(lo, start.hour * 60 + start.minute)
        hi = max(hi, lo)
    minute = rng.randint(lo, hi)
    return datetime.combine(day, time(minute // 60, minute % 60, rng.randrange(60)), tzinfo=ctx.zone)


def any_hour_instant(ctx: Ctx, rng: random.Random, day: date) -> datetime:
    minute = rng.randint(8 * 60, 21 * 60 + 30)
    return datetime.combine(day, time(minute // 60, minute % 60, rng.randrange(60)), tzinfo=ctx.zone)


# --------------------------------------------------------------------------------------------------------
# Records


def make_birth_date(rng: random.Random, age: int | None) -> str:
    age = (
        age
        if age is not None
        else rng.choice((rng.randint(22, 40), rng.randint(30, 60), rng.randint(45, 75)))
    )
    latest = date(ANCHOR.year - age, ANCHOR.month, ANCHOR.day)  # turned `age` on the anchor at the latest
    return (latest - timedelta(days=rng.randint(1, 360))).isoformat()


def make_emails(
    rng: random.Random, given: str, surnames: list[str], x: dict[str, Any]
) -> list[dict[str, str]]:
    if x.get("email") == "none":
        return []
    first = fold(given.split()[0])
    last = fold(surnames[0])
    second = fold(surnames[1]) if len(surnames) > 1 else ""
    local = rng.choice(
        (
            f"{first}.{last}",
            f"{first}{last}{rng.randint(10, 99)}",
            f"{first[0]}{last}{second[:1]}",
            f"{first}_{last}{rng.randint(70, 99)}",
            f"{last}.{first}",
        )
    )
    emails = [{"address": f"{local}@{rng.choice(PERSONAL_DOMAINS)}", "kind": "PERSONAL"}]
    if x.get("email") == "work":
        emails.append({"address": f"{first[0]}.{last}@{EMPLOYER_DOMAINS[x['employer']]}", "kind": "WORK"})
    return emails


def stage_range(name: str) -> tuple[int, int]:
    for stage, lo, hi, _ in STAGES:
        if stage == name:
            return lo, hi
    raise KeyError(name)


def make_account(rng: random.Random, ctx: Ctx, index: int) -> dict[str, Any]:
    c, x = ctx.country, ctx.x
    kinds = x.get("kinds", [])
    kind = kinds[index] if index < len(kinds) else weighted(rng, c.products)
    stages = x.get("stages", [])
    stage = (
        stages[index]
        if index < len(stages) and stages[index]
        else weighted(rng, [(s, w) for s, _, _, w in STAGES])
    )
    if x.get("litigation") == index:
        stage = "chargeoff"
    spanish, english, (lo_usd, hi_usd), term_range = PRODUCTS[kind]
    product = english if c.code == "US" else spanish
    creditor = rng.choice(c.creditors[CREDITOR_GROUP[kind]])

    principal = q(Decimal(rng.randint(lo_usd, hi_usd)) * c.fx, c.principal_step)
    barred = x.get("barred") == index
    if barred:
        dpd = rng.randint(1850, 3300)
    else:
        lo, hi = stage_range(stage)
        dpd = rng.randint(lo, hi)
        if x.get("litigation") == index:
            dpd = max(dpd, 300)

    # how much is still owed
    if dpd == 0:
        factor = Decimal(rng.randint(30, 90)) / 100
    elif kind == "card" and rng.random() < 0.25:
        factor = Decimal(rng.randint(100, 112)) / 100  # interest and fees on top of the credit used
    else:
        factor = Decimal(rng.randint(45, 100)) / 100
    balance = q(principal * factor + Decimal(rng.randint(0, 9999)) / 10000 * c.fx, c.balance_step)
    if kind in ("telco", "medical") and factor <= 1:
        balance = min(balance, principal)

    term = rng.randint(*term_range) if term_range else None
    if term:
        installment = principal / term * Decimal("1.25")  # with interest
    elif kind == "card":
        installment = max(balance * Decimal("0.06"), c.fx * 25)
    else:
        installment = balance
    months_due = max(1, math.ceil(dpd / 30))
    minimum = balance if dpd > 180 else min(balance, installment * months_due)

    due = ANCHOR + timedelta(days=rng.randint(3, 25)) if dpd == 0 else ANCHOR - timedelta(days=dpd)

    account: dict[str, Any] = {
        "externalId": f"ACC-{ctx.ext}-{index + 1}",
        "product": product,
        "creditor": creditor,
        "currency": c.currency,
        "principal": money(principal, c),
        "balance": money(balance, c),
        "daysPastDue": dpd,
        "dueDate": due.isoformat(),
        "minimumDue": money(q(minimum, c.balance_step), c),
    }
    if x.get("litigation") == index:
        account["inLitigation"] = True
    if x.get("disputed") == index:
        account["disputed"] = True
    if barred:
        account["timeBarred"] = True
    account["_installment"] = installment
    account["_dpd"] = dpd
    return account


def add_payments(rng: random.Random, ctx: Ctx, account: dict[str, Any]) -> None:
    c = ctx.country
    dpd = account["_dpd"]
    installment: Decimal = account["_installment"]
    balance = Decimal(account["balance"])
    payments: list[tuple[date, Decimal]] = []
    if account.get("timeBarred"):
        pass
    elif dpd == 0:
        due = date.fromisoformat(account["dueDate"])
        for k in range(1, rng.randint(2, 4) + 1):
            day = due - timedelta(days=30 * k + rng.randint(0, 4))
            payments.append((day, min(installment, balance) * Decimal(rng.randint(100, 115)) / 100))
    elif dpd <= 90:
        for _ in range(rng.choice((0, 1, 1, 2))):
            day = ANCHOR - timedelta(days=rng.randint(6, dpd + 60))
            payments.append((day, min(installment, balance) * Decimal(rng.randint(30, 100)) / 100))
    elif rng.random() < 0.4 and not account.get("inLitigation"):
        day = ANCHOR - timedelta(days=rng.randint(10, min(dpd, 150)))
        payments.append((day, min(installment, balance) * Decimal(rng.randint(20, 60)) / 100))
    account["_payments"] = [
        (d, q(a, c.promise_step if a > c.promise_step * 4 else c.balance_step)) for d, a in payments
    ]


def add_interaction(
    ctx: Ctx,
    at: datetime,
    channel: str,
    outcome: str,
    *,
    direction: str = "OUTBOUND",
    role: str = "DEBTOR",
    destination: str | None = None,
    note: str | None = None,
    opt_out: bool = False,
    keep: bool = False,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "channel": channel,
        "direction": direction,
        "at": at,
        "outcome": outcome,
        "recipientRole": role,
    }
    if destination is None and role == "DEBTOR":
        destination = destination_for(ctx, channel)
    if destination:
        item["destination"] = destination
    if opt_out:
        item["optOutRequested"] = True
    if note:
        item["note"] = note
    item["_keep"] = keep
    ctx.interactions.append(item)
    return item


def destination_for(ctx: Ctx, channel: str, rng: random.Random | None = None) -> str | None:
    if channel in ("SMS", "WHATSAPP"):
        return ctx.mobile or ctx.home
    if channel in ("CALL", "VOICEMAIL"):
        if ctx.mobile and ctx.home and rng is not None and rng.random() < 0.25:
            return ctx.home
        return ctx.mobile or ctx.home
    if channel == "EMAIL":
        personal = [e["address"] for e in ctx.emails if e["kind"] == "PERSONAL"]
        return personal[0] if personal else None
    if channel == "LETTER":
        return ctx.address_line
    return None


def allowed_channels(ctx: Ctx) -> list[tuple[str, int]]:
    options = list(ctx.country.channels)
    if "auth" in ctx.x:
        options = [(ch, w) for ch, w in options if ch in ctx.x["auth"]]
    usable = []
    for ch, w in options:
        if ch == "EMAIL" and not ctx.emails:
            continue
        if ch == "LETTER" and not ctx.address_line:
            continue
        if ch in ("SMS", "WHATSAPP") and not ctx.mobile:
            continue
        usable.append((ch, w))
    return usable


def generic_contact(rng: random.Random, ctx: Ctx, at: datetime) -> None:
    channel = weighted(rng, allowed_channels(ctx))
    n = ctx.notes
    inbound = rng.random() < 0.1 and channel in ("CALL", "WHATSAPP")
    if channel == "CALL":
        if inbound:
            add_interaction(
                ctx,
                at,
                "CALL",
                "CONVERSATION",
                direction="INBOUND",
                destination=destination_for(ctx, "CALL", rng),
                note=rng.choice(n["inbound_call"]),
            )
            return
        outcome = weighted(rng, (("NO_ANSWER", 45), ("VOICEMAIL", 20), ("CONVERSATION", 28), ("FAILED", 7)))
        note = {
            "VOICEMAIL": n["voicemail"],
            "CONVERSATION": rng.choice(n["conv"]),
            "FAILED": rng.choice(n["failed_call"]),
        }.get(outcome)
        add_interaction(ctx, at, "CALL", outcome, destination=destination_for(ctx, "CALL", rng), note=note)
    elif channel == "LETTER":
        add_interaction(ctx, at, "LETTER", "DELIVERED", note=n["delivered"]["LETTER"])
    elif inbound:
        add_interaction(ctx, at, channel, "DELIVERED", direction="INBOUND", note=rng.choice(n["inbound_msg"]))
    else:
        failed = rng.random() < 0.1
        if failed:
            note = n["failed_email"] if channel == "EMAIL" else n["failed_msg"]
            add_interaction(ctx, at, channel, "FAILED", note=note)
        else:
            add_interaction(
                ctx, at, channel, "DELIVERED", note=n["delivered"][channel] if rng.random() < 0.5 else None
            )


def promise_amount(rng: random.Random, ctx: Ctx, account: dict[str, Any]) -> Decimal:
    c = ctx.country
    base = min(Decimal(account["minimumDue"]), Decimal(account["balance"]))
    amount = q(base * Decimal(rng.randint(40, 100)) / 100, c.promise_step)
    return max(amount, c.promise_step)


def add_promise(
    rng: random.Random, ctx: Ctx, account: dict[str, Any], promised_day: date, due: date, status: str
) -> None:
    n = ctx.notes
    at = local_instant(ctx, rng, contact_day(ctx, promised_day))
    pool = n["promise_mx"] if ctx.country.code == "MX" and ctx.lang == "es" else n["promise"]
    add_interaction(
        ctx,
        at,
        "CALL",
        "CONVERSATION",
        destination=destination_for(ctx, "CALL"),
        note=rng.choice(pool),
        keep=True,
    )
    amount = promise_amount(rng, ctx, account)
    ctx.promises.append(
        {
            "accountExternalId": account["externalId"],
            "amount": money(amount, ctx.country),
            "currency": ctx.country.currency,
            "dueDate": due.isoformat(),
            "promisedAt": at,
            "status": status,
        }
    )
    if status == "KEPT":
        paid_day = due - timedelta(days=rng.randint(0, 2))
        account["_payments"].append((max(paid_day, at.date()), amount))


def build_history(rng: random.Random, ctx: Ctx, accounts: list[dict[str, Any]]) -> None:
    x, n = ctx.x, ctx.notes
    main = accounts[0]
    collectable = [a for a in accounts if not a.get("timeBarred")]
    max_dpd = max((a["_dpd"] for a in collectable), default=0)

    # background contact since the accounts fell behind
    if max_dpd == 0:
        window, count = 20, rng.randint(1, 2)
    else:
        window = min(max_dpd + 3, 150)
        count = rng.randint(2, 6)
    if not collectable:
        window, count = 60, 1
    for _ in range(count):
        day = contact_day(ctx, ANCHOR - timedelta(days=rng.randint(8, max(window, 9))))
        generic_contact(rng, ctx, local_instant(ctx, rng, day))

    if any(a.get("disputed") for a in accounts):
        day = contact_day(ctx, ANCHOR - timedelta(days=rng.randint(20, 40)))
        channel = "LETTER" if ctx.address_line else "CALL"
        add_interaction(
            ctx,
            local_instant(ctx, rng, day),
            channel,
            "DELIVERED" if channel == "LETTER" else "CONVERSATION",
            direction="INBOUND",
            destination="" if channel == "LETTER" else None,
            note=n["dispute"],
            keep=True,
        )
    if any(a.get("inLitigation") for a in accounts) and not x.get("attorney"):
        day = contact_day(ctx, ANCHOR - timedelta(days=rng.randint(30, 60)))
        add_interaction(
            ctx, local_instant(ctx, rng, day), "LETTER", "DELIVERED", note=n["litigation"], keep=True
        )
    if any(a.get("timeBarred") for a in accounts):
        day = contact_day(ctx, ANCHOR - timedelta(days=rng.randint(10, 30)))
        add_interaction(
            ctx,
            local_instant(ctx, rng, day),
            "CALL",
            "CONVERSATION",
            direction="INBOUND",
            note=n["barred"],
            keep=True,
        )
    if "third" in x:
        role = x["third"]
        third_number = ctx.numbers.make(*mobile_prefix_and_len(ctx.country, x["_city"]))
        for k, days_back in enumerate((rng.randint(25, 45), rng.randint(9, 20))):
            day = contact_day(ctx, ANCHOR - timedelta(days=days_back))
            outcome = "CONVERSATION" if k == 1 else "NO_ANSWER"
            add_interaction(
                ctx,
                local_instant(ctx, rng, day),
                "CALL",
                outcome,
                role=role,
                destination=third_number,
                note=n[role] if outcome == "CONVERSATION" else None,
                keep=True,
            )

    # promises
    for k in range(x.get("broken", 0)):
        promised = ANCHOR - timedelta(days=110 - 35 * k + rng.randint(0, 6))
        add_promise(rng, ctx, main, promised, promised + timedelta(days=rng.randint(5, 12)), "BROKEN")
    for k in range(x.get("kept", 0)):
        promised = ANCHOR - timedelta(days=100 - 30 * k + rng.randint(0, 5))
        add_promise(rng, ctx, main, promised, promised + timedelta(days=rng.randint(4, 10)), "KEPT")
    can_call = any(ch == "CALL" for ch, _ in allowed_channels(ctx))
    if (
        not any(k in x for k in ("broken", "kept", "pending", "cease", "attorney"))
        and collectable
        and can_call
    ):
        roll = rng.random()
        if roll < 0.2:
            promised = ANCHOR - timedelta(days=rng.randint(30, 90))
            add_promise(rng, ctx, main, promised, promised + timedelta(days=rng.randint(5, 10)), "KEPT")
        elif roll < 0.4:
            promised = ANCHOR - timedelta(days=rng.randint(20, 80))
            add_promise(rng, ctx, main, promised, promised + timedelta(days=rng.randint(5, 10)), "BROKEN")

    # heavy recent contact: attempts during the last 7 days, maybe a conversation 2 days before the anchor
    if x.get("heavy"):
        days = [d for d in (ANCHOR - timedelta(days=k) for k in range(6, 0, -1)) if contact_day(ctx, d) == d]
        attempts = x["heavy"]
        slots = sorted((days * 2)[:attempts], key=lambda d: d)
        used_times: dict[date, int] = {}
        for day in slots:
            after = time(9 + 4 * used_times.get(day, 0), 0)
            used_times[day] = used_times.get(day, 0) + 1
            at = local_instant(ctx, rng, day, start=after)
            if x.get("conv") and day == ANCHOR - timedelta(days=2):
                continue
            outcome = weighted(rng, (("NO_ANSWER", 6), ("VOICEMAIL", 3)))
            add_interaction(
                ctx,
                at,
                "CALL",
                outcome,
                destination=destination_for(ctx, "CALL", rng),
                note=n["voicemail"] if outcome == "VOICEMAIL" else None,
                keep=True,
            )
    if x.get("pending"):
        conv_day = ANCHOR - timedelta(days=2) if x.get("conv") else ANCHOR - timedelta(days=rng.randint(3, 6))
        add_promise(
            rng, ctx, main, contact_day(ctx, conv_day), ANCHOR + timedelta(days=rng.randint(4, 14)), "PENDING"
        )
    elif x.get("conv"):
        day = ANCHOR - timedelta(days=2)
        add_interaction(
            ctx, local_instant(ctx, rng, day), "CALL", "CONVERSATION", note=rng.choice(n["conv"]), keep=True
        )

    # opt-out, cease and attorney requests stop later contact of that kind
    if x.get("optout"):
        channel = x["optout"]
        day = contact_day(ctx, ANCHOR - timedelta(days=rng.randint(12, 25)))
        reply_channel = channel if channel in ("SMS", "WHATSAPP", "EMAIL") else "CALL"
        outcome = "CONVERSATION" if reply_channel == "CALL" else "DELIVERED"
        sent = local_instant(ctx, rng, day, start=time(9, 0))
        if reply_channel != "CALL":
            add_interaction(ctx, sent, channel, "DELIVERED", note=n["delivered"][channel], keep=True)
        reply = sent + timedelta(minutes=rng.randint(3, 50))
        add_interaction(
            ctx,
            reply,
            reply_channel,
            outcome,
            direction="INBOUND",
            note=n["optout"][channel],
            opt_out=True,
            keep=True,
        )
        ctx.interactions = [
            i
            for i in ctx.interactions
            if not (i["channel"] == channel and i["direction"] == "OUTBOUND" and i["at"] > reply)
        ]
    if x.get("cease"):
        day = contact_day(ctx, ANCHOR - timedelta(days=rng.randint(15, 30)))
        received = local_instant(ctx, rng, day, start=time(10, 0))
        ctx.interactions = [i for i in ctx.interactions if i["at"] < received]
        add_interaction(
            ctx,
            received,
            "LETTER",
            "DELIVERED",
            direction="INBOUND",
            destination="",
            note=n["cease"],
            keep=True,
        )
        ack_day = contact_day(ctx, day + timedelta(days=3))
        add_interaction(
            ctx, local_instant(ctx, rng, ack_day), "LETTER", "DELIVERED", note=n["cease_ack"], keep=True
        )
    if x.get("attorney"):
        day = contact_day(ctx, ANCHOR - timedelta(days=rng.randint(25, 40)))
        told = local_instant(ctx, rng, day, start=time(10, 0))
        ctx.interactions = [i for i in ctx.interactions if i["at"] < told]
        add_interaction(ctx, told, "CALL", "CONVERSATION", direction="INBOUND", note=n["attorney"], keep=True)
        follow = contact_day(ctx, day + timedelta(days=rng.randint(7, 12)))
        add_interaction(
            ctx,
            local_instant(ctx, rng, follow),
            "CALL",
            "CONVERSATION",
            role="ATTORNEY",
            destination=ctx.numbers.make(*mobile_prefix_and_len(ctx.country, x["_city"], home=True)),
            note=n["attorney_followup"],
            keep=True,
        )


def mobile_prefix_and_len(country: Country, city_key: str, *, home: bool = False) -> tuple[str, int]:
    _, _, _, mobile, landline = CITIES[city_key]
    if home and landline:
        return landline, country.home_len
    return mobile, country.mobile_len


def build_record(
    rng: random.Random,
    numbers: Phones,
    entry: tuple[str, str, str, str, str, str, str, dict[str, Any]],
    number: int,
) -> dict[str, Any]:
    code, city_key, name, lang, line1, line2, postal, x = entry
    x = dict(x)
    c = COUNTRIES[code]
    ext = f"{code}-{number:04d}"
    given, *surnames = name.split("|")
    full_name = " ".join([given, *surnames])

    phone_city = x.get("phone_city", city_key)
    x["_city"] = phone_city
    if x.get("no_address"):
        zone_name = CITIES[phone_city][2]
        address = None
    else:
        city, region, zone_name, _, _ = CITIES[city_key]
        address = {"line1": line1}
        if line2:
            address["line2"] = line2
        address.update({"city": city, "region": region, "postalCode": postal, "country": code})

    mobile = home = None
    phones = []
    if x.get("mobile", True):
        mobile = numbers.make(*mobile_prefix_and_len(c, x.get("mobile_city", phone_city)))
        phones.append({"number": mobile, "kind": "MOBILE"})
    has_home = x.get("home", CITIES[phone_city][4] is not None and rng.random() < 0.45)
    if not x.get("mobile", True):
        has_home = True
    if has_home:
        home = numbers.make(*mobile_prefix_and_len(c, phone_city, home=True))
        phones.append({"number": home, "kind": "HOME"})

    emails = make_emails(rng, given, surnames, x)
    if code == "US":
        region = address["region"] if address else x["jurisdiction"].split("-")[1]
        jurisdiction = f"US-{region}"
    else:
        jurisdiction = code

    record: dict[str, Any] = {
        "externalId": f"CRM-{ext}",
        "fullName": full_name,
        "language": lang,
        "jurisdiction": jurisdiction,
    }
    if address:
        record["addresses"] = [address]
    record["phones"] = phones
    if emails:
        record["emails"] = emails
    record["birthDate"] = make_birth_date(rng, x.get("age"))
    if "auth" in x:
        record["authorizedChannels"] = list(x["auth"])
    if "optout" in x:
        record["optedOutChannels"] = [x["optout"]]
    if x.get("cease"):
        record["ceaseContact"] = True
    if x.get("attorney"):
        record["representedByAttorney"] = True
    attributes = {}
    if "employer" in x:
        attributes["employer"] = x["employer"]
    if x.get("attorney"):
        attributes["attorney"] = ATTORNEYS[code]
    if attributes:
        record["attributes"] = attributes

    ctx = Ctx(
        ext,
        c,
        ZoneInfo(zone_name),
        lang,
        x,
        mobile,
        home,
        emails,
        f"{line1}, {CITIES[city_key][0]}" if address else None,
        numbers,
    )
    n_accounts = x.get("accounts") or weighted(rng, ((1, 30), (2, 45), (3, 25)))
    accounts = [make_account(rng, ctx, i) for i in range(n_accounts)]
    for account in accounts:
        add_payments(rng, ctx, account)
    build_history(rng, ctx, accounts)

    if code == "US":
        itemize(record, accounts)

    # serialise accounts with their payments
    for i, account in enumerate(accounts):
        pays = sorted(account.pop("_payments"))
        account.pop("_installment")
        account.pop("_dpd")
        if pays:
            account["payments"] = [
                {
                    "amount": money(amount, c),
                    "paidAt": stamp(any_hour_instant(ctx, rng, day)),
                    "reference": f"PAY-{ext}-{i + 1}-{k + 1:02d}",
                }
                for k, (day, amount) in enumerate(pays)
            ]
    record["accounts"] = accounts

    interactions = sorted(ctx.interactions, key=lambda it: it["at"])
    promises = sorted(ctx.promises, key=lambda p: p["promisedAt"])

    def render(items: list[dict[str, Any]]) -> dict[str, Any]:
        out = dict(record)
        out["interactions"] = [
            {
                "externalId": f"INT-{ext}-{k + 1:02d}",
                **{key: (stamp(v) if key == "at" else v) for key, v in it.items() if key != "_keep"},
            }
            for k, it in enumerate(items)
        ]
        if promises:
            out["promises"] = [
                {
                    "externalId": f"PRM-{ext}-{k + 1:02d}",
                    **{key: (stamp(v) if key == "promisedAt" else v) for key, v in p.items()},
                }
                for k, p in enumerate(promises)
            ]
        return out

    rendered = render(interactions)
    while len(dumps(rendered).encode()) > MAX_LINE_BYTES:
        droppable = [i for i, it in enumerate(interactions) if not it["_keep"]]
        if not droppable:
            raise RuntimeError(f"record {ext} does not fit in {MAX_LINE_BYTES} bytes")
        del interactions[droppable[0]]
        rendered = render(interactions)
    return rendered


ITEMIZATION_DATE = date(2026, 8, 31)


def itemize(record: dict[str, Any], accounts: list[dict[str, Any]]) -> None:
    """A US debtor's validation-notice itemization (attributes.itemization, schema/validation-itemization
    .schema.json) for the debt a first notice covers: the largest open account. Interest and fees since the
    last statement of Aug 31; the amount then is what makes the arithmetic meet today's balance with the
    payments recorded since (no random draws: the other records stay as they were)."""
    open_accounts = [a for a in accounts if Decimal(a["balance"]) > 0] or accounts
    top = min(open_accounts, key=lambda a: (-Decimal(a["balance"]), a["externalId"]))
    balance = Decimal(top["balance"])
    paid = sum(
        (
            amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)  # as serialised (money)
            for day, amount in top["_payments"]
            if ITEMIZATION_DATE < day <= ANCHOR
        ),
        Decimal(0),
    )
    interest = (balance * Decimal("0.03")).quantize(Decimal("0.01"))
    fees = Decimal("35.00") if balance > 500 else Decimal("0.00")
    record.setdefault("attributes", {})["itemization"] = {
        top["externalId"]: {
            "date": ITEMIZATION_DATE.isoformat(),
            "basis": "LAST_STATEMENT",
            "creditor": top["creditor"],
            "amount": str(balance - interest - fees + paid),
            "interest": str(interest),
            "fees": str(fees),
            "credits": "0.00",
        }
    }


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def build() -> bytes:
    rng = random.Random(SEED)
    numbers = Phones(rng)
    counters: dict[str, int] = {}
    lines = []
    for entry in DEBTORS:
        counters[entry[0]] = counters.get(entry[0], 0) + 1
        lines.append(dumps(build_record(rng, numbers, entry, counters[entry[0]])))
    return ("\n".join(lines) + "\n").encode("utf-8")


def main() -> None:
    data = build()
    for path in OUTPUTS:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        records = data.count(b"\n")
        print(f"wrote {path.relative_to(ROOT)} ({records} records, {len(data)} bytes)")


if __name__ == "__main__":
    main()
