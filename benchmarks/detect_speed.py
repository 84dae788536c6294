"""Speed of the content detectors: `detect` + `find_elements` on realistic 1,000-character texts.

Run: .venv/bin/python benchmarks/detect_speed.py [--runs 5000]
Prints median and p99 per text (in-process, lexicons compiled once at import), and one 100,000-character
text to show linear time.
"""

from __future__ import annotations

import argparse
import statistics
import time

from asistente.compliance.detect import LEXICON_VERSION, detect, find_elements

SPANISH = (
    "Buenos días, le habla Ana Gómez de Cobranzas del Sur, en representación de Banco Azul. Esta es una "
    "comunicación de un despacho de cobranza. Le llamo por su crédito con Banco Azul, que tiene un saldo "
    "vencido de $12,450.00 MXN desde marzo. Entiendo que la situación puede ser difícil; no existe prisión "
    "por deudas y nadie va a ir a la cárcel por esto. Podemos ofrecerle un plan de pagos en seis cuotas de "
    "2.075,00 pesos, o un descuento del 20% si liquida antes del viernes. El banco podrá ejercer las acciones "
    "previstas en su contrato, pero preferimos llegar a un acuerdo con usted. Si un juez lo ordena, podría "
    "haber un embargo, aunque ese no es nuestro objetivo. ¿Le parece bien que revisemos juntos su presupuesto? "
    "Puede pagar en cualquier sucursal o en la app oficial; nunca deposite a cuentas personales. Si prefiere, "
    "por favor llámenos al 800 123 4567 de lunes a viernes. Responda BAJA para dejar de recibir mensajes. "
    "Mañana embargamos su casa si no paga, y avisaremos a su jefe. Gracias por su tiempo, que tenga buen día."
)
ENGLISH = (
    "Hello, my name is John Smith and I'm calling from Acme Recovery on behalf of First National Bank. This "
    "is a communication from a debt collector. This is an attempt to collect a debt and any information "
    "obtained will be used for that purpose. Our records show a past due balance of $1,234.50 on your credit "
    "card account. We understand that things happen, and you cannot be arrested for this debt; we will never "
    "threaten you with arrest. We can offer a payment plan of three installments of $411.50, or a settlement "
    "of 60% if you pay by the end of the month. If a court orders it, your wages could be garnished, but that "
    "is not what we want. Please call us back at 800-555-0100 between 8 am and 9 pm. Reply STOP to opt out of "
    "text messages. We'll garnish your wages tomorrow and call your employer unless you pay today. You can "
    "also pay online at our website using a debit card or bank transfer. Thank you for your time today, sir. Have a good afternoon and take care."
)


def bench(text: str, language: str | None, runs: int) -> tuple[float, float]:
    """Each run gets a distinct text (a reference number changes), so no per-text cache is reused across runs."""
    for n in range(200):  # warm-up: first-use caches of the word index
        detect(f"Ref {n}. {text}"[:1000], language)
    samples = []
    for n in range(runs):
        variant = f"Ref {100000 + n}. {text}"[:1000]
        t0 = time.perf_counter()
        detect(variant, language)
        find_elements(variant, language)
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5000)
    args = ap.parse_args()
    print(f"lexicon {LEXICON_VERSION}; {args.runs} runs each; detect + find_elements")
    for name, text, lang in (
        ("es", SPANISH, "es"),
        ("en", ENGLISH, "en"),
        ("es, language=None", SPANISH, None),
    ):
        median, p99 = bench(text, lang, args.runs)
        print(f"{name:>18} (1000 chars): median {median:.3f} ms  p99 {p99:.3f} ms")
    for size in (10_000, 100_000):
        big = ((SPANISH + " " + ENGLISH + " ") * (size // 1000 + 1))[:size]
        t0 = time.perf_counter()
        hits = detect(big)
        elements = find_elements(big)
        print(
            f"{f'{size // 1000}k mixed':>18} ({len(big)} chars): {(time.perf_counter() - t0) * 1000:.1f} ms once, "
            f"{len(hits)} detections, {sum(len(v) for v in elements.values())} element spans"
        )


if __name__ == "__main__":
    main()
