"""Playbooks as data: coverage of every category, variants, jurisdiction answers, and files refused at load
with the file, the JSON path and the reason (unknown placeholder, an answer that fails compliance...)."""

from __future__ import annotations

import copy
import hashlib
import json
import os
from functools import cache
from pathlib import Path

import pytest

from asistente.compliance import check_text, load_packs
from asistente.enums import Channel, ComplianceContext, ObjectionCategory, RecipientRole, Register, Technique
from asistente.objections.playbook import (
    BUILTIN_PLAYBOOK_DIR,
    PLACEHOLDERS,
    PlaybookError,
    build_playbook,
    load_playbook,
    placeholders_in,
)
from asistente.objections.render import sample_values

# Each file's version moves with its content: edit a file, bump its "version", update the hash here.
VERSIONS = {
    "default.json": "2026.12.3",
    "US.json": "2026.12.2",
    "MX.json": "2026.12.1",
    "CO.json": "2026.12.2",
    "CL.json": "2026.12.1",
    "PE.json": "2026.12.1",
    "AR.json": "2026.12.1",
    "ES.json": "2026.12.1",
}
HASHES = Path(__file__).with_name("playbook-hashes.json")


@cache
def packs():
    return load_packs()


@cache
def playbook():
    return load_playbook(packs())


def _docs():
    return [
        (p.name, json.loads(p.read_text(encoding="utf-8")))
        for p in sorted(BUILTIN_PLAYBOOK_DIR.glob("*.json"))
    ]


def _content_hash(doc: dict) -> str:
    body = {k: v for k, v in doc.items() if k not in ("version", "$schema")}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def test_every_category_has_three_default_answers_with_all_variants_and_techniques():
    pb = playbook()
    for category in ObjectionCategory:
        if category is ObjectionCategory.NONE:
            continue
        answers = [a for a in pb.answers if a.category is category and a.jurisdiction is None]
        assert len(answers) >= 3, category
        assert len({a.technique for a in answers}) >= 2, category
        for a in answers:
            assert isinstance(a.technique, Technique)
            for reg in Register:
                assert a.text("es", reg) and a.text("es", reg) != a.text("en", reg)
            assert a.rationale_es and a.rationale_en


def test_registers_really_differ():
    """tú, usted and vos variants are written for each register, not copies of one another."""
    pb = playbook()
    differing = sum(
        1
        for a in pb.answers
        if len({a.text("es", Register.TU), a.text("es", Register.USTED), a.text("es", Register.VOS)}) == 3
    )
    assert differing >= len(pb.answers) * 0.8
    vos = " ".join(a.text("es", Register.VOS) for a in pb.answers)
    for marker in ("podés", "tenés", "querés", "contame", "pasámelo", "preferís"):
        assert marker in vos


def test_jurisdiction_answers_state_the_law():
    pb = playbook()
    us_dispute = [a.id for a in pb.candidates(ObjectionCategory.DISPUTE, "US-TX")]
    assert "DISPUTE.us_rights" in us_dispute and "DISPUTE.documents" not in us_dispute  # replaced in the US
    assert "DISPUTE.documents" in [a.id for a in pb.candidates(ObjectionCategory.DISPUTE, "MX")]
    us_validation = pb.get("REQUEST_VALIDATION.us_notice")
    assert "1692g" in us_validation.source
    for country, article in (("MX", "17"), ("CO", "28"), ("PE", "2")):
        cands = pb.candidates(ObjectionCategory.CONSEQUENCES, country)
        legal = [a for a in cands if a.jurisdiction == country]
        assert legal and "no existe prisión por deudas" in legal[0].text("es", Register.USTED)
        assert article in legal[0].source
    co = [a.id for a in pb.candidates(ObjectionCategory.CALL_LATER, "CO")]
    assert "CALL_LATER.co_ley2300" in co and "CALL_LATER.next_allowed" not in co
    assert "Ley 2300" in pb.get("CALL_LATER.co_ley2300").text("es", Register.TU)
    # Another country never sees Colombia's or the US answers.
    assert not [a for a in pb.candidates(ObjectionCategory.CALL_LATER, "MX") if a.jurisdiction]


def test_file_versions_move_with_content():
    """Edit a playbook file -> bump its version -> ASISTENTE_UPDATE_PLAYBOOK_HASHES=1 pytest this test once."""
    docs = dict(_docs())
    if os.environ.get("ASISTENTE_UPDATE_PLAYBOOK_HASHES"):
        fresh = {n: {"version": d["version"], "sha256": _content_hash(d)} for n, d in sorted(docs.items())}
        HASHES.write_text(json.dumps(fresh, indent=2) + "\n")
    assert {name: doc["version"] for name, doc in docs.items()} == VERSIONS
    recorded = json.loads(HASHES.read_text())
    for name, doc in docs.items():
        assert recorded[name] == {"version": doc["version"], "sha256": _content_hash(doc)}, (
            f"{name} changed: bump its version, then run this test with ASISTENTE_UPDATE_PLAYBOOK_HASHES=1"
        )


def test_every_variant_passes_compliance_where_it_can_be_shown():
    """What load_playbook checks, checked again independently (every pack, every variant)."""
    pb = playbook()
    checked = 0
    for a in pb.answers:
        role = RecipientRole.OTHER if a.category is ObjectionCategory.WRONG_PARTY else RecipientRole.DEBTOR
        for j in packs().known():
            if not a.applies_in(j):
                continue
            for lang, regs in (("es", list(Register)), ("en", [Register.USTED])):
                for reg in regs:
                    text = a.text(lang, reg).format_map(sample_values(j, lang))
                    report = check_text(
                        text,
                        channel=Channel.CALL,
                        jurisdiction=j,
                        packs=packs(),
                        recipient_role=role,
                        language=lang,
                        context=ComplianceContext.CALL_TURN,
                    )
                    assert report.compliant, (a.id, j, text, report.violations)
                    checked += 1
    assert checked > 1000


def test_placeholders_are_all_known_and_sample_fills_them():
    for j in ("MX", "CO", "CL", "PE", "AR", "ES", "US"):
        for lang in ("es", "en"):
            assert set(sample_values(j, lang)) == set(PLACEHOLDERS)
    assert placeholders_in("Hola {firstName}, su saldo es {balance}") == ["firstName", "balance"]


# ------------------------------------------------------------------------------------ refused at load


def _with(mutate, name="default.json"):
    docs = copy.deepcopy(_docs())
    for i, (n, d) in enumerate(docs):
        if n == name:
            mutate(d)
            docs[i] = (n, d)
    return docs


def _answer(doc, answer_id):
    return next(a for a in doc["answers"] if a["id"] == answer_id)


def test_unknown_placeholder_fails_naming_file_path_and_reason():
    def bad(d):
        _answer(d, "NO_MONEY.clarify")["text"]["es"]["VOS"] = (
            "Hola {apodo}, contame cuánto podés pagar este mes."
        )

    with pytest.raises(PlaybookError) as err:
        build_playbook(_with(bad), packs(), check=False)
    e = err.value
    idx = next(
        i for i, a in enumerate(dict(_docs())["default.json"]["answers"]) if a["id"] == "NO_MONEY.clarify"
    )
    assert e.file == "default.json"
    assert e.path == f"$.answers[{idx}].text.es.VOS"
    assert "unknown placeholder {apodo}" in e.reason
    assert str(e).startswith(f"default.json: $.answers[{idx}].text.es.VOS: unknown placeholder")


def test_answer_failing_compliance_in_its_own_jurisdiction_fails_at_load():
    def threat(d):
        _answer(d, "CONSEQUENCES.mx_no_prison")["text"]["es"]["USTED"] = (
            "Si no paga hoy, {firstName}, le va a llegar una orden de aprehensión y va a terminar en la cárcel."
        )

    with pytest.raises(PlaybookError) as err:
        build_playbook(_with(threat, "MX.json"), packs())
    e = err.value
    assert (e.file, e.path) == ("MX.json", "$.answers[0].text.es.USTED")
    assert "fails the compliance check for MX as a CALL_TURN" in e.reason
    assert "THREAT_OF_ARREST" in e.reason


def test_wrong_party_answer_that_mentions_the_debt_fails_at_load():
    def disclose(d):
        _answer(d, "WRONG_PARTY.apologise")["text"]["en"] = (
            "Sorry, please tell them they owe $500 on their loan."
        )

    with pytest.raises(PlaybookError) as err:
        build_playbook(_with(disclose), packs())
    assert err.value.path.endswith(".text.en")
    assert "THIRD_PARTY_DISCLOSURE" in err.value.reason


@pytest.mark.parametrize(
    ("mutate", "path", "reason"),
    [
        (
            lambda d: _answer(d, "REFUSAL.listen")["text"]["es"].pop("VOS"),
            ".text.es",
            "'VOS' is a required property",
        ),
        (lambda d: _answer(d, "REFUSAL.listen").update(technique="PERSUADE"), ".technique", "PERSUADE"),
        (
            lambda d: _answer(d, "REFUSAL.listen").update(id="REFUSAL.listen_x", category="HARDSHIP"),
            ".id",
            "must start",
        ),
        (lambda d: _answer(d, "REFUSAL.close").update(id="REFUSAL.listen"), ".id", "duplicate answer id"),
        (
            lambda d: _answer(d, "REFUSAL.listen").update(when={"minDaysPastDue": 90, "maxDaysPastDue": 30}),
            ".when",
            "above",
        ),
        (lambda d: d.update(version="v1"), "$.version", "does not match"),
    ],
)
def test_schema_and_content_errors_name_the_path(mutate, path, reason):
    with pytest.raises(PlaybookError) as err:
        build_playbook(_with(mutate), packs(), check=False)
    assert err.value.file == "default.json"
    assert path in err.value.path
    assert reason in err.value.reason


def test_replacing_an_unknown_answer_fails():
    def bad(d):
        d["answers"][0]["replaces"] = ["DISPUTE.nope"]

    with pytest.raises(PlaybookError) as err:
        build_playbook(_with(bad, "US.json"), packs(), check=False)
    assert (err.value.file, err.value.path) == ("US.json", "$.answers[0].replaces[0]")


def test_extra_directory_adds_a_tenants_answers(tmp_path):
    extra = {
        "version": "2026.12.1",
        "name": "Acme",
        "jurisdiction": "MX",
        "answers": [
            {
                "id": "REFUSAL.acme_callback",
                "category": "REFUSAL",
                "technique": "NEXT_STEP",
                "rationale": {"es": "Deja la puerta abierta.", "en": "Leaves the door open."},
                "text": {
                    "es": {
                        "TU": "Está bien, {firstName}. Si cambias de opinión, llámanos cuando quieras.",
                        "USTED": "Está bien, {firstName}. Si cambia de opinión, llámenos cuando quiera.",
                        "VOS": "Está bien, {firstName}. Si cambiás de opinión, llamanos cuando quieras.",
                    },
                    "en": "That's fine, {firstName}. If you change your mind, call us any time.",
                },
            }
        ],
    }
    (tmp_path / "acme-MX.json").write_text(json.dumps(extra), encoding="utf-8")
    pb = load_playbook(packs(), tmp_path)
    assert "REFUSAL.acme_callback" in [a.id for a in pb.candidates(ObjectionCategory.REFUSAL, "MX")]
    assert "acme-MX@2026.12.1" in pb.version
    extra["answers"][0]["text"]["en"] = (
        "Pay now or {creditor} will send the police to your house, {firstName}."
    )
    (tmp_path / "acme-MX.json").write_text(json.dumps(extra), encoding="utf-8")
    with pytest.raises(PlaybookError) as err:
        load_playbook(packs(), tmp_path)
    assert (err.value.file, err.value.path) == ("acme-MX.json", "$.answers[0].text.en")
