"""What a served draft's DRAFT event stores as its `output`.

``draft_output`` is the output as the resolver gives it to the ledger; ``prepared_output`` is the same value
already passed through ``audit.chain.prepare`` (normalised and scrubbed, what the ledger stores), with the
part that depends only on the rendered text, its compliance report and the filled destinations prepared once
per process. The resolver hands the latter to ``Context.record_committed(prepared=...)``.
"""

from __future__ import annotations

import copy
from typing import Any

import orjson

from asistente.audit.chain import prepare
from asistente.drafting.service import Produced
from asistente.enums import Generator
from asistente.memo import BoundedMemo

__all__ = ["draft_output", "hits", "prepared_output", "prepared_value"]


def hits(found: list[Any]) -> list[dict[str, Any]]:
    """Rule hits as the ledger records them."""
    return [{"ruleId": h.rule_id, "code": str(h.code)} for h in found]


def draft_output(produced: Produced) -> dict[str, Any]:
    """The `output` of a served draft's DRAFT event, as given to the ledger (before `audit.chain.prepare`)."""
    d = produced.draft
    return {
        "text": d.text,
        "subject": d.subject,
        "generator": produced.generator.value,
        "segments": d.sms.segments if d.sms else None,
        "compliant": d.compliance.compliant,
        "violations": hits(d.compliance.violations),
        "warnings": hits(d.compliance.warnings),
        "contactWarnings": hits(d.contact_warnings),
        "paymentDestinations": [f.to_dict() for f in d.destinations],
        "links": {k: v.ledger() for k, v in produced.links.items()},
        "llm": produced.llm.ledger() if produced.llm else None,
    }


def prepared_output(produced: Produced) -> dict[str, Any]:
    """``prepare(draft_output(produced))``: what the ledger stores, with the part that depends only on the
    text, its compliance report and the filled destinations prepared once per process for those objects.

    A template draft served again (the render memo gives the same text and destination objects, the check
    memo the same report) stores the same `text`, `subject`, `segments`, `compliant`, `violations`,
    `warnings` and `paymentDestinations`: they are prepared once and kept under the objects' identities (the
    entry holds the objects, so an id is never reused while it lives; the report and the filled destinations
    are never changed once made). The rest (generator, contact warnings of this instant, links, LLM) is
    prepared per request. Equal to the plain path for every draft (tests/drafting/test_record.py);
    the shared values are never changed by the ledger (`Context.record_committed`)."""
    d = produced.draft
    segments = d.sms.segments if d.sms else None
    key = (id(d.text), id(d.subject), id(d.compliance), id(d.destinations), segments)
    found = _OUTPUTS.get(key)
    if (
        found is not None
        and found[0] is d.text
        and found[1] is d.subject
        and found[2] is d.compliance
        and found[3] is d.destinations
    ):
        fixed = found[4]
    else:
        fixed = prepare(
            {
                "text": d.text,
                "subject": d.subject,
                "segments": segments,
                "compliant": d.compliance.compliant,
                "violations": hits(d.compliance.violations),
                "warnings": hits(d.compliance.warnings),
                "paymentDestinations": [f.to_dict() for f in d.destinations],
            }
        )
        if produced.generator is Generator.TEMPLATE:  # an LLM text is new every time: not kept
            _OUTPUTS.put(key, (d.text, d.subject, d.compliance, d.destinations, fixed))
    return {
        "text": fixed["text"],
        "subject": fixed["subject"],
        "generator": prepare(produced.generator.value),
        "segments": fixed["segments"],
        "compliant": fixed["compliant"],
        "violations": fixed["violations"],
        "warnings": fixed["warnings"],
        "contactWarnings": prepare(hits(d.contact_warnings)),
        "paymentDestinations": fixed["paymentDestinations"],
        "links": prepare({k: v.ledger() for k, v in produced.links.items()}),
        "llm": prepare(produced.llm.ledger() if produced.llm else None),
    }


_OUTPUTS = BoundedMemo(2048)  # see prepared_output


# orjson refuses (calls `default`, which raises) every value that is not plain JSON: datetime, dataclass,
# subclasses of str/int/dict/list (a str-valued enum...), Decimal, UUID; a plain Enum and a float are written
# in forms that the equality test below tells apart from text and from int.
_PLAIN = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS


def _refuse(value: Any) -> Any:
    raise TypeError(type(value).__name__)


def prepared_value(value: Any) -> Any:
    """``prepare(value)`` (what the ledger stores for an event's input or versions), remembered per process
    for plain JSON values: a draft's input (its request, template and facts) and versions repeat for every
    draft of the same debtor, purpose and day.

    Keyed by the value's JSON bytes (orjson: key order kept; true and 1, 1 and 1.0 differ); a hit also
    requires the remembered value to equal this one (``==``), so a plain Enum written as its value, or any
    value orjson would write like another, is prepared again; anything orjson does not write as plain JSON
    (datetime, Decimal, dataclass, subclasses of str, int, dict and list, non-text keys) goes to ``prepare``
    every time. The value returned is shared: the ledger never changes prepared fields
    (``Context.record_committed``), nor does anyone else. Equal to ``prepare`` for every value
    (tests/drafting/test_record.py)."""
    try:
        key = orjson.dumps(value, default=_refuse, option=_PLAIN)
    except TypeError:
        return prepare(value)
    found = _VALUES.get(key)
    if found is not None and found[0] == value:
        return found[1]
    prepared = prepare(value)
    # the memo's own deep copy (types kept): a caller changing its value later cannot make the entry match
    # a value it was not prepared from
    _VALUES.put(key, (copy.deepcopy(value), prepared))
    return prepared


_VALUES = BoundedMemo(4096)  # see prepared_value: entries of a few hundred bytes
