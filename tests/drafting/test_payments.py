"""Payment destinations: check digits, templates with a reference, unregistered destinations found."""

from __future__ import annotations

from decimal import Decimal

import pytest

from asistente.compliance import load_packs
from asistente.drafting.payments import (
    cbu_valid,
    cci_valid,
    check_with_destinations,
    clabe_valid,
    fill,
    guard_report,
    iban_valid,
    parse_destinations,
    tenant_guard,
    unregistered_destinations,
)
from asistente.enums import ViolationCode
from asistente.errors import BadInput

CLABE = "032180000118359719"
DOC = {
    "version": "2026-12-01",
    "destinations": [
        {
            "id": "bbva",
            "currency": "MXN",
            "kind": "BANK_TRANSFER",
            "bank": "BBVA México",
            "holder": "Financiera Andina S.A. de C.V.",
            "scheme": "CLABE",
            "account": CLABE,
            "reference": "REF-{reference}",
        },
        {
            "id": "mp",
            "currency": "MXN",
            "kind": "PAYMENT_LINK",
            "provider": "MERCADO_PAGO",
            "url": "https://pagos.andina.example/mp?ref={reference}&monto={amount}",
        },
    ],
}


def test_check_digits():
    assert clabe_valid(CLABE) and not clabe_valid(CLABE[:-1] + "8") and not clabe_valid("12345")
    assert cbu_valid("2850590940090418135201") and not cbu_valid("2850590940090418135211")
    assert cci_valid("00219300123456789013") and not cci_valid("00219300123456789014")
    assert iban_valid("ES91 2100 0418 4502 0005 1332") and iban_valid("GB82WEST12345698765432")
    assert not iban_valid("ES91 2100 0418 4502 0005 1331")


def test_parse_and_fill():
    dests = parse_destinations(DOC)
    assert [d.id for d in dests.for_currency("MXN")] == ["bbva", "mp"] and dests.for_currency("EUR") == []
    filled = fill(dests.destinations, reference="A/1 x", amount=Decimal("120.50"))
    assert filled[0].reference == "REF-A/1 x"
    assert filled[1].url == "https://pagos.andina.example/mp?ref=A%2F1%20x&monto=120.50"
    assert "CLABE 032180000118359719" in filled[0].lines["es"] and "REF-A/1 x" in filled[0].lines["en"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"url": "https://pagos.andina.example/mp?monto={amount}"}, "{reference}"),
        ({"url": "http://pagos.andina.example/{reference}"}, "https"),
        ({"url": "https://pagos.andina.example/{reference}/{user}"}, "unknown placeholder"),
        ({"url": "https://{reference}.andina.example/pay"}, "fixed host"),
    ],
)
def test_bad_link_templates(change, message):
    doc = {"version": "1", "destinations": [{**DOC["destinations"][1], **change}]}
    with pytest.raises(BadInput, match=message):
        parse_destinations(doc)


def test_bad_bank_transfers():
    bad_clabe = {**DOC["destinations"][0], "account": CLABE[:-1] + "0"}
    with pytest.raises(BadInput, match="not a valid CLABE"):
        parse_destinations({"version": "1", "destinations": [bad_clabe]})
    no_ref = {**DOC["destinations"][0], "reference": "pago"}
    with pytest.raises(BadInput, match="reference"):
        parse_destinations({"version": "1", "destinations": [no_ref]})
    with pytest.raises(BadInput, match=r"destinations\[0\]"):
        parse_destinations({"version": "1", "destinations": [{**DOC["destinations"][0], "kind": "CASH"}]})
    twice = {"version": "1", "destinations": [DOC["destinations"][0], DOC["destinations"][0]]}
    with pytest.raises(BadInput, match="used twice"):
        parse_destinations(twice)


def test_unregistered_destinations_are_found_registered_ones_are_not():
    dests = parse_destinations(DOC).destinations
    ok = (
        "Pague por transferencia a la CLABE 032180000118359719 con referencia REF-A1 o en "
        "https://pagos.andina.example/mp?ref=A1&monto=100. Dudas al 55 5123 4567."
    )
    assert unregistered_destinations(ok, dests, allowed_numbers=["+52 55 5123 4567"]) == []
    personal = "Mejor deposite a la CLABE 012180015523419876 y me avisa."
    hits = unregistered_destinations(personal, dests)
    assert [h.code for h in hits] == [ViolationCode.PAYMENT_DESTINATION]
    assert personal[hits[0].span.start : hits[0].span.end] == "012180015523419876"
    link = "Pague aquí: https://mpago.la/2xYz9 o en paypal.me/juanperez"
    assert len(unregistered_destinations(link, dests)) == 2
    iban = "Transfer to ES91 2100 0418 4502 0005 1332 today"
    assert len(unregistered_destinations(iban, dests)) == 1
    account = "Deposit to account 4417 5523 8890 12 please"
    assert len(unregistered_destinations(account, dests)) == 1
    assert unregistered_destinations("Your case number 12345678901 is open", dests) == []


def test_compliance_check_with_registered_destinations():
    packs = load_packs(None)
    dests = parse_destinations(DOC).destinations
    text = "Le escribe Laura de parte de Cobranzas Delta. Deposite a la CLABE 012180015523419876."
    plain = check_with_destinations(
        text, registered_destinations=None, packs=packs, jurisdiction="MX", channel="SMS"
    )
    assert all(v.code != ViolationCode.PAYMENT_DESTINATION for v in plain.violations)
    report = check_with_destinations(
        text, registered_destinations=dests, packs=packs, jurisdiction="MX", channel="SMS"
    )
    assert not report.compliant
    hit = next(v for v in report.violations if v.code == ViolationCode.PAYMENT_DESTINATION)
    assert hit.legal_source  # the jurisdiction's payment rule (MX-09)


def test_link_amounts_carry_the_currency_minor_units_whatever_the_database_returned():
    """PostgreSQL can hand back Decimal('24001.0') where SQLite gives '24001.00': the link says the same."""
    from asistente.drafting.payments import Destination

    link = Destination(
        id="mp", currency="MXN", kind="PAYMENT_LINK", url="https://p.example/mp?r={reference}&m={amount}"
    )
    assert link.fill_url("MX-1", Decimal("24001.0")) == "https://p.example/mp?r=MX-1&m=24001.00"
    assert link.fill_url("MX-1", Decimal("24001")) == "https://p.example/mp?r=MX-1&m=24001.00"
    clp = Destination(
        id="kh", currency="CLP", kind="PAYMENT_LINK", url="https://p.example/k?r={reference}&m={amount}"
    )
    assert clp.fill_url("CL 1", Decimal("1240.00")) == "https://p.example/k?r=CL%201&m=1240"
    assert link.fill_url("MX-1", None) == "https://p.example/mp?r=MX-1&m="


def test_an_allowed_site_matches_at_a_host_boundary_only():
    site = ["https://cobranzas-delta.example"]
    assert unregistered_destinations("Vea https://cobranzas-delta.example/pagos", [], allowed_urls=site) == []
    hits = unregistered_destinations(
        "Pague en https://cobranzas-delta.example.evil.com/x", [], allowed_urls=site
    )
    assert [h.span.start for h in hits] == [9]


def test_the_tenant_guard_for_free_text():
    from asistente.compliance import check_text
    from asistente.enums import Channel

    assert tenant_guard({}) is None and tenant_guard({"paymentDestinations": None}) is None
    settings = {
        "paymentDestinations": DOC,
        "draftingProfile": {"website": "https://cobranzas-delta.example", "phone": "+52 55 5123 4567"},
    }
    guard = tenant_guard(settings, ["www.cfpb.gov/debt-collection"])
    assert guard is not None and guard.version == DOC["version"]
    packs = load_packs()
    text = (
        "Quejas en www.condusef.gob.mx o www.cfpb.gov/debt-collection; pague en https://mpago.la/x1 "
        f"o a la CLABE {CLABE}; dudas al +52 55 5123 4567 o en https://cobranzas-delta.example/pagar"
    )
    base = check_text(text, channel=Channel.SMS, jurisdiction="MX", packs=packs)
    report = guard_report(base, text, guard, packs=packs, jurisdiction="MX")
    hits = [h for h in report.violations if h.rule_id == "PAYMENT-DESTINATION"]
    # a regulator's site is not a payment link in free text; the other provider's link is
    assert [text[h.span.start : h.span.end] for h in hits] == ["https://mpago.la/x1"]
    assert hits[0].legal_source and hits[0].code == ViolationCode.PAYMENT_DESTINATION
    assert guard_report(base, text, None, packs=packs, jurisdiction="MX") is base
    # a debtor's own account reference is allowed only when given
    own = "Su cuenta 4152313377889900 está al corriente."
    assert unregistered_destinations(own, guard.registered, allowed_numbers=guard.allowed_numbers)
    mine = guard.allowing(numbers=["4152313377889900"])
    assert mine.key() != guard.key()
    assert not unregistered_destinations(own, mine.registered, allowed_numbers=mine.allowed_numbers)
