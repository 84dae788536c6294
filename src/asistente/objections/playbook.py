"""Objection playbooks: JSON data validated against ``schema/playbook.schema.json`` at load.

``load_playbook(packs)`` reads ``objections/playbooks/*.json`` (``default.json`` for every jurisdiction,
``<JURISDICTION>.json`` for one) and, optionally, a directory of a tenant's extra files. A file is refused,
naming the file, the JSON path and the reason (:class:`PlaybookError`), when it does not match the schema,
repeats an answer id, uses a placeholder the debtor card cannot fill, replaces an answer that does not
exist, or has an answer that fails the compliance check of its own jurisdiction: every variant (tú, usted,
vos, English) is rendered against a sample debtor of each jurisdiction the answer can be shown in and
checked with ``check_text(..., channel=CALL, context=CALL_TURN)`` as the debtor would hear it (a
WRONG_PARTY answer as heard by a third party; the sample debt is time-barred only for answers whose
condition says so).

Placeholders are filled by :mod:`asistente.objections.render` from the debtor card; an answer whose
placeholder has no value for a debtor (no creditor on file, no plan the policy accepts...) is not offered
to that debtor.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from asistente.compliance import PackRegistry, check_text
from asistente.enums import Channel, ComplianceContext, ObjectionCategory, RecipientRole, Register, Technique
from asistente.errors import BadInput
from asistente.schemas import best_error as _best_error
from asistente.schemas import dollar_path as _json_path

__all__ = [
    "BUILTIN_PLAYBOOK_DIR",
    "PLACEHOLDERS",
    "Answer",
    "Conditions",
    "Playbook",
    "PlaybookError",
    "Situation",
    "load_playbook",
    "parse_playbook_file",
    "placeholders_in",
]

BUILTIN_PLAYBOOK_DIR = Path(__file__).with_name("playbooks")

# Everything a playbook line may say about the debtor (filled by render.py from the debtor card).
PLACEHOLDERS: dict[str, str] = {
    "name": "the debtor's full name",
    "firstName": "the debtor's first name",
    "creditor": "the creditor of the main account (the open account with the largest balance)",
    "product": "the product of the main account",
    "principal": "the original principal of the main account, formatted for the locale",
    "balance": "the total balance owed in the main currency, formatted for the locale",
    "minimumDue": "the minimum payment due on the main account",
    "dueDate": "the due date of the main account",
    "daysPastDue": "the largest number of days past due",
    "lastPaymentAmount": "the amount of the most recent recorded payment",
    "lastPaymentDate": "the date of the most recent recorded payment",
    "lastPaymentReference": "the reference of the most recent recorded payment",
    "promiseAmount": "the amount of the next pending promise",
    "promiseDate": "the due date of the next pending promise",
    "planDownPayment": "the first payment of the plan the agreement policy accepts",
    "planInstallment": "the regular installment of that plan",
    "planInstallments": "the number of regular installments of that plan",
    "planFrequency": "how often they fall due (mensuales / monthly...)",
    "planFirstDate": "the date of the plan's first payment",
    "planTotal": "the total the plan pays",
    "settlementAmount": "a single-payment settlement within the agent's own discount authority",
    "nextContact": "the next time the contact rules allow a call, in the debtor's local time",
}

_FORMATTER = string.Formatter()


class PlaybookError(BadInput):
    """A playbook file that cannot be used. ``str()`` is ``"<file>: <json path>: <reason>"``."""

    def __init__(self, file: str, path: str, reason: str) -> None:
        self.file = file
        self.path = path
        self.reason = reason
        super().__init__(f"{file}: {path}: {reason}")


@dataclass(frozen=True)
class Situation:
    """The account facts conditions are evaluated on (built from the debtor card by suggest.py)."""

    days_past_due: int = 0
    broken_promises: int = 0
    active_agreement: bool = False
    disputed: bool = False
    time_barred: bool = False
    in_litigation: bool = False
    has_payments: bool = False
    balance_band: str | None = None  # LOW / MEDIUM / HIGH


@dataclass(frozen=True)
class Conditions:
    min_days_past_due: int | None = None
    max_days_past_due: int | None = None
    min_broken_promises: int | None = None
    max_broken_promises: int | None = None
    active_agreement: bool | None = None
    disputed: bool | None = None
    time_barred: bool | None = None
    in_litigation: bool | None = None
    has_payments: bool | None = None
    balance_band: frozenset[str] | None = None

    @property
    def specificity(self) -> int:
        """How many conditions select a narrower situation (exclusions such as ``disputed: false`` do not
        count): an answer written for this debtor's situation ranks a little higher when it holds."""
        return sum(
            1
            for f in self.__dataclass_fields__
            if getattr(self, f) is not None and getattr(self, f) is not False
        )

    def holds(self, s: Situation) -> bool:
        checks = (
            self.min_days_past_due is None or s.days_past_due >= self.min_days_past_due,
            self.max_days_past_due is None or s.days_past_due <= self.max_days_past_due,
            self.min_broken_promises is None or s.broken_promises >= self.min_broken_promises,
            self.max_broken_promises is None or s.broken_promises <= self.max_broken_promises,
            self.active_agreement is None or s.active_agreement == self.active_agreement,
            self.disputed is None or s.disputed == self.disputed,
            self.time_barred is None or s.time_barred == self.time_barred,
            self.in_litigation is None or s.in_litigation == self.in_litigation,
            self.has_payments is None or s.has_payments == self.has_payments,
            self.balance_band is None or s.balance_band in self.balance_band,
        )
        return all(checks)


_WHEN_FIELDS = {
    "minDaysPastDue": "min_days_past_due",
    "maxDaysPastDue": "max_days_past_due",
    "minBrokenPromises": "min_broken_promises",
    "maxBrokenPromises": "max_broken_promises",
    "activeAgreement": "active_agreement",
    "disputed": "disputed",
    "timeBarred": "time_barred",
    "inLitigation": "in_litigation",
    "hasPayments": "has_payments",
    "balanceBand": "balance_band",
}


@dataclass(frozen=True)
class Answer:
    id: str
    category: ObjectionCategory
    technique: Technique
    weight: float
    rationale_es: str
    rationale_en: str
    texts: Mapping[tuple[str, Register | None], str]  # ("es", Register.TU) ... ("en", None)
    when: Conditions = Conditions()
    jurisdiction: str | None = None  # None: every jurisdiction
    replaces: tuple[str, ...] = ()
    source: str | None = None
    origin: str = ""  # file name
    path: str = ""  # JSON path of the answer in its file
    placeholders: frozenset[str] = frozenset()

    def text(self, language: str, register: Register) -> str:
        if language == "en":
            return self.texts[("en", None)]
        return self.texts[("es", register)]

    @property
    def rationale(self) -> str:
        return f"{self.rationale_es} / {self.rationale_en}"

    def applies_in(self, jurisdiction: str) -> bool:
        return self.jurisdiction is None or _covers(self.jurisdiction, jurisdiction)


def _covers(scope: str, jurisdiction: str) -> bool:
    """ "US" covers "US", "US-NY" and "US-NY-NYC"; "US-NY" covers "US-NY-NYC" but not "US"."""
    j = jurisdiction.upper()
    return j == scope or j.startswith(scope + "-")


@dataclass(frozen=True)
class Playbook:
    answers: tuple[Answer, ...]
    versions: Mapping[str, str]  # file stem -> version
    _by_category: Mapping[ObjectionCategory, tuple[Answer, ...]] = field(default_factory=dict, repr=False)

    @property
    def version(self) -> str:
        return "+".join(
            f"{k}@{v}" for k, v in sorted(self.versions.items(), key=lambda kv: kv[0] != "default")
        )

    def candidates(self, category: ObjectionCategory, jurisdiction: str) -> list[Answer]:
        """The answers for `category` that apply in `jurisdiction` (a jurisdiction's answer drops the
        default answers it replaces there)."""
        pool = [a for a in self._by_category.get(category, ()) if a.applies_in(jurisdiction)]
        replaced = {r for a in pool for r in a.replaces}
        return [a for a in pool if a.id not in replaced]

    def get(self, answer_id: str) -> Answer | None:
        return next((a for a in self.answers if a.id == answer_id), None)


def placeholders_in(text: str) -> list[str]:
    """The placeholder names of a line ("{name}" -> "name"); ValueError for malformed braces."""
    return [f for _, f, _, _ in _FORMATTER.parse(text) if f is not None]


@cache
def _schema_path() -> Path:
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "schema" / "playbook.schema.json"
        if candidate.is_file():
            return candidate
    raise PlaybookError("schema/playbook.schema.json", "$", "schema file not found")


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(_schema_path().read_text(encoding="utf-8")))


def parse_playbook_file(data: Any, origin: str) -> tuple[str, str | None, list[Answer]]:
    """Validate one file (parsed JSON): ``(version, jurisdiction, answers)``. Placeholders and ids are
    checked here; compliance is checked by :func:`load_playbook` once every file is known."""
    errors = list(_validator().iter_errors(data))
    if errors:
        err = _best_error(errors)
        raise PlaybookError(origin, _json_path(err.absolute_path), err.message)
    jurisdiction = data.get("jurisdiction")
    answers: list[Answer] = []
    seen: set[str] = set()
    for i, raw in enumerate(data["answers"]):
        where = f"$.answers[{i}]"
        answer_id = raw["id"]
        if answer_id in seen:
            raise PlaybookError(origin, f"{where}.id", f"duplicate answer id {answer_id!r}")
        seen.add(answer_id)
        if answer_id.split(".", 1)[0] != raw["category"]:
            raise PlaybookError(
                origin,
                f"{where}.id",
                f"answer id {answer_id!r} must start with its category {raw['category']}.",
            )
        if raw.get("replaces") and jurisdiction is None:
            raise PlaybookError(origin, f"{where}.replaces", "only a jurisdiction's file may replace answers")
        texts: dict[tuple[str, Register | None], str] = {("en", None): raw["text"]["en"]}
        lines = [(f"{where}.text.en", raw["text"]["en"])]
        for reg in Register:
            texts[("es", reg)] = raw["text"]["es"][reg.value]
            lines.append((f"{where}.text.es.{reg.value}", raw["text"]["es"][reg.value]))
        used: set[str] = set()
        for path, line in lines:
            try:
                names = placeholders_in(line)
            except ValueError as exc:
                raise PlaybookError(origin, path, f"malformed placeholder braces: {exc}") from None
            for name in names:
                if name not in PLACEHOLDERS:
                    raise PlaybookError(
                        origin,
                        path,
                        f"unknown placeholder {{{name}}}; known: {', '.join(sorted(PLACEHOLDERS))}",
                    )
            used.update(names)
        when = raw.get("when") or {}
        conditions = Conditions(
            **{_WHEN_FIELDS[k]: (frozenset(v) if k == "balanceBand" else v) for k, v in when.items()}
        )
        if (
            conditions.min_days_past_due is not None
            and conditions.max_days_past_due is not None
            and conditions.min_days_past_due > conditions.max_days_past_due
        ):
            raise PlaybookError(origin, f"{where}.when", "minDaysPastDue is above maxDaysPastDue")
        answers.append(
            Answer(
                id=answer_id,
                category=ObjectionCategory(raw["category"]),
                technique=Technique(raw["technique"]),
                weight=float(raw.get("weight", 1.0)),
                rationale_es=raw["rationale"]["es"],
                rationale_en=raw["rationale"]["en"],
                texts=texts,
                when=conditions,
                jurisdiction=jurisdiction,
                replaces=tuple(raw.get("replaces", ())),
                source=raw.get("source"),
                origin=origin,
                path=where,
                placeholders=frozenset(used),
            )
        )
    return data["version"], jurisdiction, answers


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise PlaybookError(
            path.name, "$", f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc
    except OSError as exc:
        raise PlaybookError(path.name, "$", f"cannot read: {exc.strerror or exc}") from exc


def _files(extra_dir: Path | str | None) -> list[Path]:
    files = sorted(BUILTIN_PLAYBOOK_DIR.glob("*.json"))
    if extra_dir is not None:
        directory = Path(extra_dir)
        if not directory.is_dir():
            raise PlaybookError(str(directory), "$", "extra playbook directory does not exist")
        files += sorted(directory.glob("*.json"))
    return files


def build_playbook(
    documents: Sequence[tuple[str, Any]], packs: PackRegistry, *, check: bool = True
) -> Playbook:
    """A playbook from parsed documents ``(file name, JSON)``; see the module docstring for the checks."""
    answers: list[Answer] = []
    versions: dict[str, str] = {}
    ids: dict[str, str] = {}
    for origin, data in documents:
        version, jurisdiction, found = parse_playbook_file(data, origin)
        if jurisdiction is not None:
            try:
                packs.normalize_jurisdiction(jurisdiction)
            except BadInput:
                raise PlaybookError(
                    origin,
                    "$.jurisdiction",
                    f"no rule pack for jurisdiction {jurisdiction!r}; known: {', '.join(packs.known())}",
                ) from None
        stem = origin.rsplit(".", 1)[0]
        if stem in versions:
            raise PlaybookError(origin, "$", f"a second playbook file named {stem!r}")
        versions[stem] = version
        for a in found:
            if a.id in ids:
                raise PlaybookError(
                    origin, f"{a.path}.id", f"answer id {a.id!r} is already used in {ids[a.id]}"
                )
            ids[a.id] = origin
        answers.extend(found)
    by_id = {a.id: a for a in answers}
    for a in answers:
        for j, target in enumerate(a.replaces):
            other = by_id.get(target)
            if other is None or other.jurisdiction is not None:
                raise PlaybookError(
                    a.origin,
                    f"{a.path}.replaces[{j}]",
                    f"{target!r} is not an answer of the default playbook",
                )
            if other.category != a.category:
                raise PlaybookError(
                    a.origin,
                    f"{a.path}.replaces[{j}]",
                    f"{target!r} answers {other.category}, not {a.category}",
                )
    if check:
        for a in answers:
            verify_answer(a, packs)
    by_category: dict[ObjectionCategory, list[Answer]] = {}
    for a in answers:
        by_category.setdefault(a.category, []).append(a)
    missing = [
        c.value
        for c in ObjectionCategory
        if c is not ObjectionCategory.NONE
        and len([a for a in by_category.get(c, []) if a.jurisdiction is None]) < 3
    ]
    if missing and any(o == "default.json" for o, _ in documents):
        raise PlaybookError("default.json", "$.answers", f"fewer than three answers for {', '.join(missing)}")
    return Playbook(
        answers=tuple(answers),
        versions=versions,
        _by_category={c: tuple(v) for c, v in by_category.items()},
    )


def load_playbook(
    packs: PackRegistry, extra_dir: Path | str | None = None, *, check: bool = True
) -> Playbook:
    """The built-in playbook files plus the ``*.json`` of ``extra_dir`` (a tenant's own answers)."""
    return build_playbook([(p.name, _read(p)) for p in _files(extra_dir)], packs, check=check)


# ------------------------------------------------------------------------------------ compliance at load


def _scope(answer: Answer, packs: PackRegistry) -> list[str]:
    """Every jurisdiction with a pack where the answer can be shown."""
    scope = [j for j in packs.known() if answer.applies_in(j)]
    if answer.jurisdiction is not None and answer.jurisdiction not in scope:
        scope.insert(0, answer.jurisdiction)  # a US state without a pack of its own: checked as itself
    return scope


def verify_answer(answer: Answer, packs: PackRegistry) -> None:
    """Render every variant of `answer` for a sample debtor of each jurisdiction it can be shown in and
    check it as a CALL_TURN; PlaybookError naming the variant's JSON path on the first failure."""
    from asistente.objections.render import sample_values

    role = RecipientRole.OTHER if answer.category is ObjectionCategory.WRONG_PARTY else RecipientRole.DEBTOR
    # The sample debtor's debt is time-barred only for answers written for time-barred debts; every answer
    # is checked again at runtime with the real debtor's flags (suggest.py), which drops what fails there.
    time_barred = answer.when.time_barred is True
    for jurisdiction in _scope(answer, packs):
        for (language, register), line in answer.texts.items():
            values = sample_values(jurisdiction, language)
            text = line.format_map(values)
            report = check_text(
                text,
                channel=Channel.CALL,
                jurisdiction=jurisdiction,
                packs=packs,
                recipient_role=role,
                language=language,
                time_barred=time_barred,
                context=ComplianceContext.CALL_TURN,
            )
            if not report.compliant:
                path = (
                    f"{answer.path}.text.en"
                    if language == "en"
                    else f"{answer.path}.text.es.{register.value}"
                )
                hits = "; ".join(f"{h.rule_id} {h.code.value}: {h.message}" for h in report.violations)
                raise PlaybookError(
                    answer.origin,
                    path,
                    f"fails the compliance check for {jurisdiction} as a CALL_TURN ({hits}); rendered: {text!r}",
                )
