"""Content mapping: detector signals/elements -> violations per jurisdiction, with a fake detector injected."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pytest

from asistente.compliance.content import MAX_TEXT_CHARS, check_text
from asistente.compliance.packs import PackRegistry, load_packs
from asistente.enums import Channel, RecipientRole, ViolationCode
from asistente.errors import BadInput

C = ViolationCode


@dataclass(frozen=True)
class Det:
    signal: str
    start: int
    end: int
    pattern_id: str = "fake"
    excerpt: str = ""


@dataclass
class FakeDetector:
    signals: list[Det] = field(default_factory=list)
    elements: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    calls: list[tuple[str, str | None]] = field(default_factory=list)

    def detect(self, text: str, language: str | None = None) -> Sequence[Det]:
        self.calls.append((text, language))
        return self.signals

    def find_elements(
        self, text: str, language: str | None = None
    ) -> Mapping[str, Sequence[tuple[int, int]]]:
        return self.elements


@pytest.fixture(scope="module")
def reg() -> PackRegistry:
    return load_packs()


TEXT = "x" * 60


def run(
    reg: PackRegistry, det: FakeDetector, jurisdiction: str, channel: Channel = Channel.CALL, **kw: object
):
    kw.setdefault("check_required", False)
    return check_text(TEXT, channel=channel, jurisdiction=jurisdiction, packs=reg, detector=det, **kw)


@pytest.mark.parametrize(
    ("signal", "jurisdiction", "code", "rule_id"),
    [
        ("ARREST_THREAT", "MX", C.THREAT_OF_ARREST, "MX-04.1"),
        ("SEIZURE_THREAT", "ES", C.FALSE_LEGAL_THREAT, "ES-02.2"),
        ("FAKE_COURT_DOCUMENT", "CL", C.FAKE_LEGAL_DOCUMENT, "CL-05"),
        ("AUTHORITY_IMPERSONATION", "US", C.IMPERSONATION, "US-13.4"),
        ("INSULT", "AR", C.HARASSMENT, "AR-01.1"),
        ("INTIMIDATION", "PE", C.HARASSMENT, "PE-01.2"),
        ("PUBLIC_SHAMING", "PE", C.PUBLIC_SHAMING, "PE-05"),
        ("THIRD_PARTY_DISCLOSURE_THREAT", "CO", C.THIRD_PARTY_DISCLOSURE, "CO-05.5"),
        ("PERMANENT_CREDIT_DAMAGE", "MX", C.MISREPRESENTATION, "MX-13"),
        ("FALSE_URGENCY_OR_DECEPTION", "US", C.MISREPRESENTATION, "US-13.7"),
        ("ASKING_REASON", "CO", C.ASKING_REASON, "CO-07"),
        ("PERSONAL_ACCOUNT_PAYMENT", "MX", C.PAYMENT_DESTINATION, "MX-09"),
        # Accusing the debtor of a crime misstates the legal consequence (1692e(7)); the corpus reading
        # labels it FALSE_LEGAL_THREAT (a jail mention in the same text adds THREAT_OF_ARREST).
        ("CRIMINAL_ACCUSATION", "US-MA", C.FALSE_LEGAL_THREAT, "US-13.9"),
        ("CRIMINAL_ACCUSATION", "CL", C.FALSE_LEGAL_THREAT, "CL-08.8"),
        # A lawsuit said to be filed or under way while pushing for payment outside it (session 5): the
        # legal status of the debt misstated, FALSE_LEGAL_THREAT in every pack.
        ("CLAIMED_LAWSUIT", "US", C.FALSE_LEGAL_THREAT, "US-13.10"),
        ("CLAIMED_LAWSUIT", "MX", C.FALSE_LEGAL_THREAT, "MX-04.6"),
        ("CLAIMED_LAWSUIT", "CO", C.FALSE_LEGAL_THREAT, "CO-09.11"),
        ("CLAIMED_LAWSUIT", "CL", C.FALSE_LEGAL_THREAT, "CL-08.9"),
        ("CLAIMED_LAWSUIT", "PE", C.FALSE_LEGAL_THREAT, "PE-01.8"),
        ("CLAIMED_LAWSUIT", "ES", C.FALSE_LEGAL_THREAT, "ES-02.10"),
        ("CLAIMED_LAWSUIT", "AR", C.FALSE_LEGAL_THREAT, "AR-01.9"),
    ],
)
def test_signal_maps_to_code_with_rule_source_and_span(
    reg: PackRegistry, signal: str, jurisdiction: str, code: ViolationCode, rule_id: str
) -> None:
    report = run(reg, FakeDetector([Det(signal, 3, 12)]), jurisdiction)
    assert not report.compliant
    assert [(v.code, v.rule_id) for v in report.violations] == [(code, rule_id)]
    hit = report.violations[0]
    assert hit.span is not None and (hit.span.start, hit.span.end) == (3, 12)
    assert hit.legal_source and " / " in hit.message


def test_asking_reason_is_only_a_violation_where_a_pack_says_so(reg: PackRegistry) -> None:
    assert run(reg, FakeDetector([Det("ASKING_REASON", 0, 5)]), "MX").compliant
    assert run(reg, FakeDetector([Det("ASKING_REASON", 0, 5)]), "US").compliant


def test_lawsuit_threat_only_on_time_barred_debt(reg: PackRegistry) -> None:
    det = FakeDetector([Det("LAWSUIT_THREAT", 0, 10)])
    assert run(reg, det, "US").compliant
    report = run(reg, det, "US", time_barred=True)
    assert [(v.code, v.rule_id) for v in report.violations] == [(C.TIME_BARRED_THREAT, "US-11")]
    # Outside the US prescription is a defence the debtor raises: the threat is a warning, not a violation.
    es = run(reg, det, "ES", time_barred=True)
    assert es.compliant and [(w.code, w.rule_id) for w in es.warnings] == [(C.TIME_BARRED_THREAT, "ES-02.8")]


def test_us_first_contact_needs_mini_miranda(reg: PackRegistry) -> None:
    det = FakeDetector(elements={"COMPANY_IDENTIFICATION": [(0, 4)]})
    report = run(reg, det, "US", check_required=True, is_first_contact=True)
    assert {v.rule_id for v in report.violations} == {"US-06.1", "US-06.2"}
    assert all(v.code == C.MISSING_DISCLOSURE and v.span is None for v in report.violations)
    det.elements.update({"DEBT_COLLECTOR_DISCLOSURE": [(5, 9)], "INFO_USE_DISCLOSURE": [(10, 20)]})
    assert run(reg, det, "US", check_required=True, is_first_contact=True).compliant


def test_us_later_contact_needs_debt_collector_disclosure_only(reg: PackRegistry) -> None:
    det = FakeDetector(elements={"COMPANY_IDENTIFICATION": [(0, 4)]})
    assert [v.rule_id for v in run(reg, det, "US", check_required=True).violations] == ["US-06.3"]
    det.elements["DEBT_COLLECTOR_DISCLOSURE"] = [(5, 9)]
    assert run(reg, det, "US", check_required=True).compliant


def test_us_email_and_sms_need_opt_out(reg: PackRegistry) -> None:
    det = FakeDetector(elements={"COMPANY_IDENTIFICATION": [(0, 4)], "DEBT_COLLECTOR_DISCLOSURE": [(5, 9)]})
    for channel in (Channel.EMAIL, Channel.SMS):
        report = run(reg, det, "US", channel, check_required=True)
        assert [v.code for v in report.violations] == [C.MISSING_OPT_OUT]
    assert run(reg, det, "US", Channel.LETTER, check_required=True).compliant


def test_mexico_first_contact_identification(reg: PackRegistry) -> None:
    # Nobody named at all: the binding MX-02/MX-03 violation.
    report = run(reg, FakeDetector(), "MX", check_required=True, is_first_contact=True)
    assert [v.rule_id for v in report.violations] == ["MX-02.1"]
    assert {v.code for v in report.violations} == {C.MISSING_IDENTIFICATION}
    # Only the agent's name on a call: identified, but the despacho and creditor are missing (warnings).
    det = FakeDetector(elements={"SELF_IDENTIFICATION": [(0, 4)]})
    report = run(reg, det, "MX", check_required=True, is_first_contact=True)
    assert report.compliant
    assert {w.rule_id for w in report.warnings} == {"MX-02.2", "MX-02.3"}
    # Later contacts carry no identification requirement.
    assert run(reg, FakeDetector(), "MX", check_required=True).compliant


def test_mexico_first_letter_names_despacho_and_creditor(reg: PackRegistry) -> None:
    det = FakeDetector(elements={"COMPANY_IDENTIFICATION": [(0, 4)]})
    report = run(reg, det, "MX", Channel.LETTER, check_required=True, is_first_contact=True)
    assert [v.rule_id for v in report.violations] == ["MX-02.6"]
    det.elements["CREDITOR_IDENTIFICATION"] = [(5, 9)]
    assert run(reg, det, "MX", Channel.LETTER, check_required=True, is_first_contact=True).compliant


def test_us_identification_is_a_call_warning_only(reg: PackRegistry) -> None:
    det = FakeDetector(elements={"DEBT_COLLECTOR_DISCLOSURE": [(0, 4)]})
    report = run(reg, det, "US", check_required=True)
    assert report.compliant and [w.rule_id for w in report.warnings] == ["US-06.4"]
    letter = run(reg, det, "US", Channel.LETTER, check_required=True)
    assert letter.compliant and not letter.warnings
    # A location call to a third party (1006.10) names the caller only.
    third = run(reg, FakeDetector(), "US", check_required=True, recipient_role=RecipientRole.REFERENCE)
    assert third.compliant and not third.warnings


def test_us_voicemail_with_a_threat_is_not_limited_content(reg: PackRegistry) -> None:
    report = run(reg, FakeDetector([Det("LAWSUIT_THREAT", 0, 5)]), "US", Channel.VOICEMAIL)
    assert [v.rule_id for v in report.violations] == ["US-08.2"]
    assert run(reg, FakeDetector([Det("LAWSUIT_THREAT", 0, 5)]), "MX", Channel.VOICEMAIL).compliant


def test_us_voicemail_limited_content(reg: PackRegistry) -> None:
    det = FakeDetector(
        elements={"CALLBACK_REQUEST": [(0, 5)], "AMOUNT_MENTION": [(20, 26)], "DEBT_MENTION": [(30, 35)]}
    )
    report = run(reg, det, "US", Channel.VOICEMAIL)
    assert [(v.code, v.span.start) for v in report.violations] == [
        (C.VOICEMAIL_CONTENT, 20),
        (C.VOICEMAIL_CONTENT, 30),
    ]
    assert run(reg, FakeDetector(elements={"CALLBACK_REQUEST": [(0, 5)]}), "US", Channel.VOICEMAIL).compliant
    # Mexico has no limited-content rule
    assert run(reg, det, "MX", Channel.VOICEMAIL).compliant


def test_third_party_must_not_hear_about_the_debt(reg: PackRegistry) -> None:
    det = FakeDetector(elements={"DEBT_MENTION": [(10, 15)]})
    for jurisdiction in ("MX", "CO", "CL", "PE", "ES", "AR", "US"):
        for role in (
            RecipientRole.REFERENCE,
            RecipientRole.FAMILY,
            RecipientRole.EMPLOYER,
            RecipientRole.OTHER,
        ):
            report = run(reg, det, jurisdiction, recipient_role=role)
            assert [v.code for v in report.violations] == [C.THIRD_PARTY_DISCLOSURE], (jurisdiction, role)
        assert run(reg, det, jurisdiction, recipient_role=RecipientRole.CO_DEBTOR).compliant
        assert run(reg, det, jurisdiction, recipient_role=RecipientRole.DEBTOR).compliant
    assert run(reg, det, "US", recipient_role=RecipientRole.SPOUSE).compliant  # a consumer in the US
    assert not run(reg, det, "MX", recipient_role=RecipientRole.SPOUSE).compliant


def test_tenant_overlay_adds_content_rule_and_version(reg: PackRegistry) -> None:
    overlay = {
        "jurisdiction": "AR",
        "version": "t9",
        "name": "tenant",
        "rules": [
            {
                "id": "T-AR-1",
                "kind": "forbidden_signal",
                "code": "ASKING_REASON",
                "source": "Política interna",
                "parameters": {"signals": ["ASKING_REASON"]},
            }
        ],
    }
    det = FakeDetector([Det("ASKING_REASON", 0, 5)])
    assert run(reg, det, "AR").compliant
    report = run(reg, det, "AR", tenant_overlay=overlay)
    assert [v.rule_id for v in report.violations] == ["T-AR-1"]
    assert report.pack_version == "AR@2026.12.9+tenant:AR@t9"


def test_hits_sorted_by_span_and_language_passed_through(reg: PackRegistry) -> None:
    det = FakeDetector([Det("INSULT", 40, 45), Det("ARREST_THREAT", 2, 8)])
    report = run(reg, det, "MX", language="es")
    assert [v.span.start for v in report.violations] == [2, 40]
    assert det.calls == [(TEXT, "es")]


def test_nyc_resolution_via_addresses_in_version(reg: PackRegistry) -> None:
    report = run(
        reg, FakeDetector(), "US-NY", addresses=[{"city": "Queens", "region": "NY", "country": "US"}]
    )
    assert report.pack_version == "US@2026.12.9+US-NY-NYC@2026.11.1"


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_empty_text_is_bad_input(reg: PackRegistry, text: str) -> None:
    with pytest.raises(BadInput, match="empty"):
        check_text(text, channel=Channel.SMS, jurisdiction="MX", packs=reg, detector=FakeDetector())


def test_too_long_text_is_bad_input(reg: PackRegistry) -> None:
    with pytest.raises(BadInput, match=f"100000 characters; the maximum is {MAX_TEXT_CHARS}"):
        check_text("a" * 100_000, channel=Channel.SMS, jurisdiction="MX", packs=reg, detector=FakeDetector())
    assert check_text(
        "a" * MAX_TEXT_CHARS, channel=Channel.SMS, jurisdiction="MX", packs=reg, detector=FakeDetector()
    )


def test_unknown_jurisdiction_channel_role(reg: PackRegistry) -> None:
    with pytest.raises(BadInput, match=r"unknown jurisdiction 'ZZ'.*CO"):
        check_text("hola", channel=Channel.SMS, jurisdiction="ZZ", packs=reg, detector=FakeDetector())
    with pytest.raises(BadInput, match="unknown channel 'PIGEON'"):
        check_text("hola", channel="PIGEON", jurisdiction="MX", packs=reg, detector=FakeDetector())
    with pytest.raises(BadInput, match="unknown recipient role 'BOSS'"):
        check_text(
            "hola",
            channel="SMS",
            jurisdiction="MX",
            recipient_role="BOSS",
            packs=reg,
            detector=FakeDetector(),
        )


def test_us_first_voicemail_beyond_limited_content_needs_mini_miranda(reg: PackRegistry) -> None:
    # 12 CFR 1006.2(j): mentioning the debt makes the voicemail a communication (1006.2(b)), so the
    # initial-communication disclosure of 1006.18(e)(1) applies to it.
    det = FakeDetector(elements={"CALLBACK_REQUEST": [(0, 5)], "DEBT_MENTION": [(30, 35)]})
    report = run(reg, det, "US", Channel.VOICEMAIL, check_required=True, is_first_contact=True)
    assert {v.rule_id for v in report.violations} >= {"US-06.VM1", "US-06.VM2", "US-08"}
    # a limited-content voicemail is not a communication: nothing is required
    limited = FakeDetector(elements={"CALLBACK_REQUEST": [(0, 5)]})
    assert run(reg, limited, "US", Channel.VOICEMAIL, check_required=True, is_first_contact=True).compliant
    # later voicemails are unaffected by the first-contact rule
    later = run(reg, det, "US", Channel.VOICEMAIL, check_required=True)
    assert {v.rule_id for v in later.violations} == {"US-08"}


def test_claimed_lawsuit_in_a_us_voicemail_is_also_not_limited_content(reg: PackRegistry) -> None:
    report = run(reg, FakeDetector([Det("CLAIMED_LAWSUIT", 0, 10)]), "US", channel=Channel.VOICEMAIL)
    assert {(v.code, v.rule_id) for v in report.violations} == {
        (C.FALSE_LEGAL_THREAT, "US-13.10"),
        (C.VOICEMAIL_CONTENT, "US-08.2"),
    }
