"""What a call must contain at its start, and whether the agent has said it.

The rule packs say what a whole communication must contain (``required_elements`` rules, scope
"communication": the US mini-Miranda and meaningful identification, the Mexican identification of gestor,
despacho and creditor). Inside a call each agent line is checked as a ``CALL_TURN`` (what a line must not
say); these communication rules are tracked here, per call: every agent line adds the elements the
detector finds in it (``asistente.compliance.detect.find_elements``), and when the agent's first N lines
(the rule's ``callOpeningTurns`` parameter, default :data:`DEFAULT_OPENING_TURNS`) still lack one, the
call reminds the agent once. What the opening already said is never asked again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from asistente.compliance import PackRegistry, RuleHit
from asistente.compliance._common import hit
from asistente.compliance.content import ELEMENT_TEXT
from asistente.compliance.types import Rule
from asistente.enums import Channel, RecipientRole

__all__ = ["DEFAULT_OPENING_TURNS", "DisclosureState", "Requirement", "call_requirements", "track"]

DEFAULT_OPENING_TURNS = 2


@dataclass(frozen=True)
class Requirement:
    rule: Rule
    any_of: tuple[str, ...]
    within_turns: int

    @property
    def rule_id(self) -> str:
        return self.rule.id

    def reminder(self) -> RuleHit:
        es = " o ".join(ELEMENT_TEXT[e][0] for e in self.any_of)
        en = " or ".join(ELEMENT_TEXT[e][1] for e in self.any_of)
        return hit(
            self.rule,
            f"Al inicio de la llamada falta indicar {es} (primeras {self.within_turns} intervenciones)",
            f"The start of the call is missing {en} (first {self.within_turns} agent lines)",
        )


@dataclass(frozen=True)
class DisclosureState:
    """Per call: how many lines the agent has said, which elements were said, which rules were reminded."""

    agent_turns: int = 0
    said: frozenset[str] = frozenset()
    reminded: frozenset[str] = frozenset()

    def as_json(self) -> dict[str, Any]:
        return {"agentTurns": self.agent_turns, "said": sorted(self.said), "reminded": sorted(self.reminded)}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any] | None) -> DisclosureState:
        raw = raw or {}
        return cls(
            agent_turns=int(raw.get("agentTurns", 0)),
            said=frozenset(raw.get("said") or ()),
            reminded=frozenset(raw.get("reminded") or ()),
        )

    def missing(self, requirements: Sequence[Requirement]) -> list[Requirement]:
        return [r for r in requirements if not any(e in self.said for e in r.any_of)]


@dataclass(frozen=True)
class Tracked:
    state: DisclosureState
    due: tuple[Requirement, ...] = field(default_factory=tuple)


def call_requirements(
    packs: PackRegistry,
    jurisdiction: str,
    *,
    recipient_role: RecipientRole = RecipientRole.DEBTOR,
    is_first_contact: bool,
    addresses: Sequence[Mapping[str, Any]] = (),
) -> list[Requirement]:
    """The communication rules of the jurisdiction's packs (with the tenant's overlays) a call must meet."""
    out: list[Requirement] = []
    for pack in packs.resolve(jurisdiction, addresses):
        for rule in pack.rules:
            if rule.kind != "required_elements" or rule.scope != "communication":
                continue
            if not rule.applies_to(Channel.CALL, recipient_role):
                continue
            when = rule.parameters.get("when")
            if (when == "first_contact" and not is_first_contact) or (
                when == "subsequent_contact" and is_first_contact
            ):
                continue
            if rule.parameters.get("onlyIfAnyElement"):
                continue  # content-gated rules (limited-content voicemails) are not about a live call
            within = int(rule.parameters.get("callOpeningTurns", DEFAULT_OPENING_TURNS))
            out.append(Requirement(rule, tuple(rule.parameters["anyOf"]), within))
    return out


def track(state: DisclosureState, requirements: Sequence[Requirement], elements: Iterable[str]) -> Tracked:
    """One more agent line with these elements: the new state and the requirements to remind now (once)."""
    said = state.said | frozenset(elements)
    turns = state.agent_turns + 1
    due = tuple(
        r
        for r in requirements
        if r.rule_id not in state.reminded
        and turns >= r.within_turns
        and not any(e in said for e in r.any_of)
    )
    return Tracked(
        DisclosureState(turns, said, state.reminded | frozenset(r.rule_id for r in due)),
        due,
    )
