"""A live call: turns in, suggestions and compliance alerts out, a summary and wrap-up at the end.

- ``turns``: one line of the call (agent: compliance as a CALL_TURN plus the call's opening disclosures;
  debtor: the objection answers of ``asistente.objections.suggest`` and promise capture).
- ``disclosure``: what the packs require a call to contain, tracked per call.
- ``promise``: an amount and a date the debtor committed to, resolved in the debtor's zone.
- ``summary``: the end of the call: summary, proposed disposition with reasons, promise, alerts.
- ``store``: calls and their events in the database (seq assigned atomically per call).
- ``bus``: fan-out of call events to subscribers (in process, or Redis across workers).
No strawberry here; ``asistente.api.calls`` is the GraphQL edge.
"""
