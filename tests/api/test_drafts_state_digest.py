"""The draft inputs' key (api.drafting.schema.DraftState.key): the settings digest remembered per text is the
SHA-256 of that text, whatever texts came before and however many (the memo is cleared when full)."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from asistente.api.drafting import schema
from asistente.api.drafting.schema import DraftState


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=3 * schema.DIGESTS_KEPT))
def test_the_remembered_digest_is_the_texts_sha256(texts):
    for text in [*texts, *reversed(texts)]:
        assert schema.settings_digest(text) == hashlib.sha256(text.encode()).digest()
    assert len(schema._DIGESTS) <= schema.DIGESTS_KEPT


def test_a_settings_change_moves_the_key():
    def state(text):
        return DraftState("d1", 3, text, "demo", "Demo", None)

    a = '{"draftingProfile": {"agencyName": "A"}}'
    b = '{"draftingProfile": {"agencyName": "B"}}'
    assert state(a).key() == state(str(a)).key()
    assert state(a).key() != state(b).key()
    assert state(a).key() != state(None).key()
    assert state(a).key()[2] == hashlib.sha256(a.encode()).digest()
