"""Records shared by API tests."""

from __future__ import annotations

import copy


def debtor_record(
    ext: str = "CRM-1", *, accounts: int = 2, interactions: int = 1, payments: int = 1, country: str = "MX"
) -> dict:
    rec = {
        "externalId": ext,
        "fullName": "Ana Pérez López",
        "addresses": [
            {
                "line1": "Av. Tulum 12",
                "city": "Cancún",
                "region": "ROO",
                "postalCode": "77500",
                "country": country,
            }
        ],
        "phones": [{"number": "+529981234567", "kind": "MOBILE"}],
        "accounts": [],
        "interactions": [],
        "promises": [
            {
                "externalId": f"{ext}-PR1",
                "accountExternalId": f"{ext}-A0",
                "amount": "500.00",
                "currency": "MXN",
                "dueDate": "2026-11-30",
                "status": "PENDING",
            }
        ],
    }
    for i in range(accounts):
        rec["accounts"].append(
            {
                "externalId": f"{ext}-A{i}",
                "product": "Tarjeta",
                "currency": "MXN",
                "principal": "15000.00",
                "balance": "12000.50",
                "daysPastDue": 45 + i,
                "payments": [
                    {
                        "amount": "100.00",
                        "paidAt": f"2026-10-{j % 28 + 1:02d}T10:00:00-05:00",
                        "reference": f"{ext}-A{i}-P{j}",
                    }
                    for j in range(payments)
                ],
            }
        )
    for i in range(interactions):
        rec["interactions"].append(
            {
                "externalId": f"{ext}-I{i}",
                "channel": "CALL",
                "direction": "OUTBOUND",
                "at": f"2026-11-{i % 19 + 1:02d}T16:00:00Z",
                "outcome": "NO_ANSWER",
            }
        )
    return copy.deepcopy(rec)


UPSERT = """
mutation Up($input: [DebtorInput!]!) {
  upsertDebtors(input: $input) { ids created updated rejected { index externalId reasons } }
}
"""

FULL_CARD = """
query Card($id: ID!) {
  debtor(id: $id) {
    id externalId fullName language jurisdiction timezone localTime age
    localTimes { timezone source localTime utcOffset }
    addresses { line1 city region postalCode country } phones { number kind } emails { address kind }
    authorizedChannels optedOutChannels ceaseContact representedByAttorney attributes
    accounts { id externalId product creditor currency principal balance minimumDue daysPastDue dueDate
               inLitigation disputed timeBarred }
    totals { currency balance principal minimumDue accounts }
    maxDaysPastDue
    segment { code stage balanceBand paymentHistory label rulesVersion }
    risk { level score reasons { code message } }
    promises { id amount currency dueDate status } openPromises { id dueDate }
    promiseStats { kept broken pending cancelled }
    payments(limit: 10) { id amount currency paidAt reference } lastPaymentAt
    lastInteractions(limit: 20) { id channel direction outcome at recipientRole note }
  }
}
"""
