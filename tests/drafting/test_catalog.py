"""Templates as data: every purpose covered, the start-up check stops on a broken copy, locale formats."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from asistente.compliance import load_packs
from asistente.drafting.catalog import (
    TEMPLATE_DIR,
    Catalog,
    TemplateError,
    format_money,
    load_catalog,
    locale_for,
    render,
)
from asistente.drafting.compose import format_values
from asistente.drafting.payments import parse_destinations
from asistente.enums import Channel, DraftPurpose, Register


@pytest.fixture(scope="module")
def packs():
    return load_packs(None)


@pytest.fixture(scope="module")
def catalog(packs) -> Catalog:
    return load_catalog(packs)


def _copy(tmp_path: Path) -> tuple[Path, dict]:
    target = tmp_path / "templates"
    target.mkdir()
    shutil.copy(TEMPLATE_DIR / "messages.json", target / "messages.json")
    return target, json.loads((target / "messages.json").read_text(encoding="utf-8"))


def _write(target: Path, doc: dict) -> None:
    (target / "messages.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def test_every_purpose_has_templates_and_every_render_was_checked(catalog):
    assert {t.purpose for t in catalog.templates} == set(DraftPurpose)
    assert catalog.checked > 500  # each template x jurisdiction x language x register x channel x contact
    assert catalog.version_string().startswith("messages.json@")
    for purpose in DraftPurpose:
        assert catalog.channels_for(purpose)
    assert catalog.channels_for(DraftPurpose.VOICEMAIL) == [Channel.VOICEMAIL]
    wa = [t for t in catalog.templates if Channel.WHATSAPP in t.channels]
    assert wa and all(t.whatsapp["name"] and t.whatsapp["category"] in ("UTILITY", "MARKETING") for t in wa)


def test_unknown_variable_stops_loading_naming_file_path_and_variable(tmp_path, packs):
    target, doc = _copy(tmp_path)
    doc["templates"][3]["text"]["en"]["body"] += " {{ debtor.ssn }} {{ secret_balance }}"
    _write(target, doc)
    with pytest.raises(TemplateError) as exc:
        load_catalog(packs, target)
    assert exc.value.file == "messages.json"
    assert exc.value.path == "$.templates[3].text.en.body"
    assert "secret_balance" in exc.value.reason


def test_missing_attribute_is_caught_when_rendering_the_samples(tmp_path, packs):
    target, doc = _copy(tmp_path)
    doc["templates"][0]["text"]["es"]["body"] += " {{ agency.fax }}"
    _write(target, doc)
    with pytest.raises(TemplateError) as exc:
        load_catalog(packs, target)
    assert exc.value.path == "$.templates[0].text.es"
    assert "fax" in exc.value.reason


def test_a_template_that_fails_compliance_stops_loading(tmp_path, packs):
    target, doc = _copy(tmp_path)
    body = doc["templates"][0]["text"]["en"]["body"]
    doc["templates"][0]["text"]["en"]["body"] = body.replace("{{ opt_out }}", "")  # US texts need an opt-out
    _write(target, doc)
    with pytest.raises(TemplateError) as exc:
        load_catalog(packs, target)
    assert exc.value.path == "$.templates[0].text.en"
    assert "US-07" in exc.value.reason and "MISSING_OPT_OUT" in exc.value.reason


def test_a_threat_in_a_template_stops_loading(tmp_path, packs):
    target, doc = _copy(tmp_path)
    doc["templates"][2]["text"]["es"]["body"] += " Si no paga hoy, mañana embargamos su casa."
    _write(target, doc)
    with pytest.raises(TemplateError) as exc:
        load_catalog(packs, target)
    assert "FALSE_LEGAL_THREAT" in exc.value.reason and exc.value.path.startswith("$.templates[2]")


def test_schema_errors_name_the_json_path(tmp_path, packs):
    target, doc = _copy(tmp_path)
    doc["templates"][1]["channels"] = ["FAX"]
    _write(target, doc)
    with pytest.raises(TemplateError) as exc:
        load_catalog(packs, target)
    assert exc.value.path.startswith("$.templates[1].channels")


def test_whatsapp_template_without_its_approved_name_is_refused(tmp_path, packs):
    target, doc = _copy(tmp_path)
    del doc["templates"][0]["whatsapp"]
    _write(target, doc)
    with pytest.raises(TemplateError, match="approved template name"):
        load_catalog(packs, target)


def test_the_sandbox_refuses_python_internals(tmp_path, packs):
    target, doc = _copy(tmp_path)
    doc["templates"][0]["text"]["en"]["body"] += " {{ r.__globals__ }}"
    _write(target, doc)
    with pytest.raises(TemplateError):
        load_catalog(packs, target)


def test_service_does_not_start_with_a_broken_template_dir(tmp_path, engine, session_factory):
    from asistente.api.core.context import Services
    from asistente.app import create_app
    from asistente.settings import Settings

    target, doc = _copy(tmp_path)
    doc["templates"][5]["text"]["es"]["body"] += " {{ nope }}"
    _write(target, doc)
    settings = Settings(draft_template_dir=target)
    services = Services(settings=settings, engine=engine, session_factory=session_factory)
    with pytest.raises(
        TemplateError, match=r"messages.json: \$.templates\[5\].text.es.body: unknown variable"
    ):
        create_app(settings, services=services)


def test_locale_formats_amounts_and_dates():
    assert locale_for("es", "MX") == "es_MX" and locale_for("en", "US-TX") == "en_US"
    assert format_money(Decimal("12000.50"), "MXN", "es_MX") == "$12,000.50"
    assert format_money(Decimal("12000.50"), "EUR", "es_ES") == "12.000,50\xa0€"
    assert format_money(Decimal("12000.50"), "COP", "es_CO") == "$12.000,50"  # not rounded to pesos
    assert format_money(Decimal("450000"), "CLP", "es_CL") == "$450.000"


def _sample(j: str) -> dict:
    samples = json.loads((TEMPLATE_DIR / "samples.json").read_text(encoding="utf-8"))["debtors"]
    return samples[j]


def test_registers_change_the_spanish_text(catalog):
    sample = _sample("AR")
    values = format_values(sample, "es", list(parse_destinations(sample["paymentDestinations"]).destinations))
    t = catalog.find(DraftPurpose.REMINDER, Channel.SMS, "AR")
    texts = {
        reg: render(
            catalog,
            t,
            channel=Channel.SMS,
            language="es",
            register=reg,
            jurisdiction="AR",
            first_contact=False,
            values=values,
        ).text
        for reg in Register
    }
    assert "Le recordamos" in texts[Register.USTED]
    assert "Te recordamos" in texts[Register.TU]
    assert "Podés pagar" in texts[Register.VOS] and "Respondé BAJA" in texts[Register.VOS]
    assert "$850.000,00" in texts[Register.USTED]  # es_AR money
    assert "20 de noviembre de 2026" in texts[Register.USTED]  # the date the amount was computed


def test_us_first_contact_and_later_disclosures(catalog):
    sample = _sample("US")
    values = format_values(sample, "en", list(parse_destinations(sample["paymentDestinations"]).destinations))
    t = catalog.find(DraftPurpose.REMINDER, Channel.EMAIL, "US-TX")
    args = dict(
        channel=Channel.EMAIL, language="en", register=Register.USTED, jurisdiction="US-TX", values=values
    )
    first = render(catalog, t, first_contact=True, **args).text
    later = render(catalog, t, first_contact=False, **args).text
    assert "attempt to collect a debt and any information obtained will be used for that purpose" in first
    assert "This communication is from a debt collector." in later and "attempt to collect" not in later
    assert "UNSUBSCRIBE" in first and "UNSUBSCRIBE" in later
    vm = catalog.find(DraftPurpose.VOICEMAIL, Channel.VOICEMAIL, "US")
    text = render(
        catalog,
        vm,
        channel=Channel.VOICEMAIL,
        language="en",
        register=Register.USTED,
        jurisdiction="US-TX",
        first_contact=True,
        values=values,
    ).text
    assert "DR Services" in text and "debt" not in text.lower() and "$" not in text


def test_verdicts_are_reused_only_for_exactly_the_same_inputs(tmp_path, packs):
    target, doc = _copy(tmp_path)
    cache = tmp_path / "cache"
    first = load_catalog(packs, target, cache_dir=cache)
    markers = list(cache.glob("drafts-checked-*"))
    assert len(markers) == 1 and first.checked > 500
    again = load_catalog(packs, target, cache_dir=cache)
    assert again.checked == first.checked and list(cache.glob("drafts-checked-*")) == markers
    # a change anywhere in the templates is a new digest: the check runs and a failure still stops loading
    doc["templates"][0]["text"]["en"]["body"] += " Pay today or we will garnish your wages tomorrow."
    _write(target, doc)
    with pytest.raises(TemplateError, match="FALSE_LEGAL_THREAT"):
        load_catalog(packs, target, cache_dir=cache)
    assert list(cache.glob("drafts-checked-*")) == markers  # no marker for a failed check
    # the same for an unknown attribute, caught when the samples are rendered
    (tmp_path / "b").mkdir()
    target2, doc2 = _copy(tmp_path / "b")
    doc2["templates"][0]["text"]["es"]["body"] += " {{ agency.fax }}"
    _write(target2, doc2)
    with pytest.raises(TemplateError, match="fax"):
        load_catalog(packs, target2, cache_dir=cache)


def test_the_digest_does_not_depend_on_the_hash_seed():
    import subprocess
    import sys

    code = (
        "from asistente.compliance import load_packs\n"
        "from asistente.drafting.catalog import check_digest, template_files\n"
        "print(check_digest(template_files(), load_packs(None)))"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**__import__("os").environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert len(digests) == 1 and len(next(iter(digests))) == 64
