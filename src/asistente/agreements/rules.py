"""The rules a plan must meet, evaluated on an already well-formed proposal (see validation.py for the
input checks and counter_offer.py for the closest acceptable plan).

Every rule has a stable id and a bilingual message (Spanish / English):

| rule id | kind | when |
|---|---|---|
| PLAN.MIXED_CURRENCIES | violation | the accounts are in more than one currency |
| POLICY.CURRENCY | violation | the accounts' currency is not the policy's |
| ACCOUNT.IN_LITIGATION | violation | an account is in litigation (extrajudicial collection stops) |
| ACCOUNT.DISPUTED | violation (policy disputedAccounts=BLOCK, default) or warning (WARN) | an account is disputed |
| ACCOUNT.TIME_BARRED | warning | an account is time-barred: payment is voluntary, no legal threat may be made |
| LEGAL.<cap id> | warning | collection charges above a legal cap (e.g. LEGAL.CL-08): the excess is left out of the plan |
| PLAN.SETTLEMENT_ABOVE_BALANCE | violation | a settlement above the (collectible) balance |
| POLICY.ALLOWED_FREQUENCIES | violation | a frequency the policy does not allow |
| POLICY.MAX_INSTALLMENTS | violation | more installments than maxInstallments (down payment not counted), or a named amount that never pays the debt off |
| POLICY.MIN_DOWN_PAYMENT | violation | down payment below minDownPaymentPercent of the amount to pay (plans in installments) |
| POLICY.MIN_INSTALLMENT_AMOUNT | violation | an installment other than the last below minInstallmentAmount |
| PLAN.FIRST_PAYMENT_IN_PAST | violation | first payment date before today, or moved before today by PRECEDING |
| POLICY.MAX_FIRST_PAYMENT_DELAY | violation | first payment date (as proposed) more than maxFirstPaymentDelayDays after today |
| AUTHORITY.DISCOUNT_APPROVAL | warning | the discount exceeds the caller's authority: requires_approval, approval_role |
| POLICY.MAX_DISCOUNT | violation | the discount exceeds every role's authority |
| PLAN.NAMED_AMOUNT | warning | an installment above the amount the debtor named |
| PLAN.AFFORDABILITY | warning | an installment above the stated affordability |
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, localcontext

from asistente.agreements.calculator import (
    HUNDRED,
    MAX_SCHEDULE_ROWS,
    ZERO,
    ScheduleError,
    ceil_money,
    covers_interest,
    discount_percent,
    fixed_payment_rows,
    installment_schedule,
    periodic_rate,
    schedule_interest,
    schedule_total,
    single_payment_schedule,
)
from asistente.agreements.dates import BusinessCalendar, adjust
from asistente.agreements.model import (
    AccountFacts,
    AgreementProposal,
    AgreementValidation,
    DisputedAccountsRule,
    Installment,
    IssueCode,
    PlanIssue,
    PlanKind,
)
from asistente.agreements.policy import AgreementPolicy
from asistente.enums import Role
from asistente.errors import BadInput
from asistente.money import format_amount


@dataclass(frozen=True)
class Context:
    policy: AgreementPolicy
    caller_role: Role
    today: date
    jurisdiction: str
    calendar: BusinessCalendar
    affordability: Decimal | None = None

    @property
    def latest_first_payment(self) -> date:
        return self.today + timedelta(days=self.policy.max_first_payment_delay_days)


def issue(rule_id: str, code: IssueCode, es: str, en: str, field: str | None = None) -> PlanIssue:
    return PlanIssue(rule_id=rule_id, code=code, message=f"{es} / {en}", field=field)


def money(amount: Decimal, currency: str) -> str:
    return f"{format_amount(amount, currency)} {currency}"


def in_installments(p: AgreementProposal) -> bool:
    if p.kind is PlanKind.INSTALLMENTS:
        return True
    if p.kind is PlanKind.SETTLEMENT:
        return (p.installments or 1) > 1 or p.installment_amount is not None or p.down_payment is not None
    return False


def collectible(
    accounts: Sequence[AccountFacts], ctx: Context, currency: str
) -> tuple[dict[str, Decimal], list[PlanIssue]]:
    """Per account, the balance the plan may collect: the balance less collection charges above any
    legal cap that applies in the jurisdiction (the excess is reported as a warning)."""
    caps = [c for c in ctx.policy.legal_caps if c.applies_to(ctx.jurisdiction)]
    amounts: dict[str, Decimal] = {}
    warnings: list[PlanIssue] = []
    for account in accounts:
        amount = account.balance
        for cap in caps:
            debt = account.balance - account.collection_charges
            allowed = cap.max_charges(debt, account.days_past_due, currency)
            excess = account.collection_charges - allowed
            if excess > 0:
                amount = min(amount, account.balance - excess)
                warnings.append(
                    issue(
                        f"LEGAL.{cap.id}",
                        IssueCode.COLLECTION_CHARGE_CAP,
                        f"Los gastos de cobranza de la cuenta {account.id} ({money(account.collection_charges, currency)}) "
                        f"superan el tope legal ({money(allowed, currency)}, {cap.source}); el plan excluye "
                        f"{money(excess, currency)}",
                        f"Collection charges on account {account.id} ({money(account.collection_charges, currency)}) "
                        f"exceed the legal cap ({money(allowed, currency)}, {cap.source}); the plan leaves out "
                        f"{money(excess, currency)}",
                        "accountIds",
                    )
                )
        amounts[account.id] = amount
    return amounts, warnings


def _empty(ctx: Context, violations: list[PlanIssue], currency: str | None) -> AgreementValidation:
    return AgreementValidation(
        valid=False,
        violations=violations,
        warnings=[],
        schedule=[],
        total_to_pay=ZERO,
        total_interest=ZERO,
        balance=ZERO,
        discount_amount=ZERO,
        discount_percent=Decimal("0.00"),
        requires_approval=False,
        approval_role=None,
        currency=currency,
        policy_version=ctx.policy.version,
    )


def account_issues(accounts: Sequence[AccountFacts], ctx: Context) -> tuple[list[PlanIssue], list[PlanIssue]]:
    violations: list[PlanIssue] = []
    warnings: list[PlanIssue] = []
    for a in accounts:
        if a.in_litigation:
            violations.append(
                issue(
                    "ACCOUNT.IN_LITIGATION",
                    IssueCode.LITIGATION_HOLD,
                    f"La cuenta {a.id} está en litigio: no se puede acordar un plan extrajudicial",
                    f"Account {a.id} is in litigation: no out-of-court plan may be agreed",
                    "accountIds",
                )
            )
        if a.disputed:
            es = f"La cuenta {a.id} está en disputa"
            en = f"Account {a.id} is disputed"
            if ctx.policy.disputed_accounts is DisputedAccountsRule.BLOCK:
                violations.append(
                    issue(
                        "ACCOUNT.DISPUTED",
                        IssueCode.DISPUTED,
                        f"{es}: resuelva la disputa antes de acordar un plan",
                        f"{en}: resolve the dispute before agreeing a plan",
                        "accountIds",
                    )
                )
            else:
                warnings.append(
                    issue(
                        "ACCOUNT.DISPUTED",
                        IssueCode.DISPUTED,
                        f"{es}: confirme que el deudor acepta la deuda",
                        f"{en}: confirm the debtor acknowledges the debt",
                        "accountIds",
                    )
                )
        if a.time_barred:
            warnings.append(
                issue(
                    "ACCOUNT.TIME_BARRED",
                    IssueCode.TIME_BARRED,
                    f"La deuda de la cuenta {a.id} está prescrita: el pago es voluntario y no se puede amenazar con demanda",
                    f"The debt on account {a.id} is time-barred: payment is voluntary and no lawsuit may be threatened",
                    "accountIds",
                )
            )
    return violations, warnings


def amount_to_pay(p: AgreementProposal, balance: Decimal) -> Decimal:
    if p.kind is PlanKind.SETTLEMENT:
        if p.settlement_amount is None:
            raise BadInput("settlementAmount: required for a SETTLEMENT")
        return p.settlement_amount
    return balance


def plan_rate(p: AgreementProposal, policy: AgreementPolicy) -> Decimal:
    """Settlements carry no interest; installment plans use the policy's rate per period."""
    if p.kind is not PlanKind.INSTALLMENTS:
        return ZERO
    return periodic_rate(policy.monthly_interest_rate, p.frequency)


def min_down_payment(amount: Decimal, policy: AgreementPolicy, currency: str) -> Decimal:
    with localcontext() as c:
        c.prec = 50
        return ceil_money(amount * policy.min_down_payment_percent / HUNDRED, currency)


def first_due(p: AgreementProposal, ctx: Context) -> date:
    return adjust(p.first_payment_date, ctx.policy.business_day_convention, ctx.calendar)


Fmt = Callable[[Decimal], str]


def _formatter(currency: str) -> Fmt:
    return lambda amount: money(amount, currency)


def evaluate(p: AgreementProposal, accounts: Sequence[AccountFacts], ctx: Context) -> AgreementValidation:
    """Apply every rule to a well-formed proposal (no counter-offer). May raise BadInput for a
    self-contradictory proposal (a down payment not below the amount to pay)."""
    policy = ctx.policy
    currencies = sorted({a.currency for a in accounts})
    if len(currencies) > 1:
        return _empty(
            ctx,
            [
                issue(
                    "PLAN.MIXED_CURRENCIES",
                    IssueCode.MIXED_CURRENCIES,
                    f"Un plan no puede mezclar monedas ({', '.join(currencies)})",
                    f"A plan cannot mix currencies ({', '.join(currencies)})",
                    "accountIds",
                )
            ],
            None,
        )
    currency = currencies[0]
    if currency != policy.currency:
        return _empty(
            ctx,
            [
                issue(
                    "POLICY.CURRENCY",
                    IssueCode.CURRENCY_MISMATCH,
                    f"La política {policy.version} es para {policy.currency}, no para {currency}",
                    f"Policy {policy.version} is for {policy.currency}, not {currency}",
                    "accountIds",
                )
            ],
            currency,
        )
    violations, warnings = account_issues(accounts, ctx)
    per_account, cap_warnings = collectible(accounts, ctx, currency)
    warnings.extend(cap_warnings)
    balance = sum(per_account.values(), ZERO)
    to_pay = amount_to_pay(p, balance)
    m = _formatter(currency)

    if p.kind is PlanKind.SETTLEMENT and to_pay > balance:
        violations.append(
            issue(
                "PLAN.SETTLEMENT_ABOVE_BALANCE",
                IssueCode.SETTLEMENT_ABOVE_BALANCE,
                f"El monto del acuerdo ({m(to_pay)}) supera el saldo ({m(balance)})",
                f"The settlement amount ({m(to_pay)}) is above the balance ({m(balance)})",
                "settlementAmount",
            )
        )

    schedule: list[Installment] = []
    convention, cal = policy.business_day_convention, ctx.calendar
    if not in_installments(p):
        schedule = single_payment_schedule(
            to_pay, currency, p.first_payment_date, convention=convention, calendar=cal
        )
    else:
        schedule = _installment_rules(p, to_pay, currency, ctx, violations)

    _date_rules(p, schedule, ctx, violations)

    discount = max(balance - to_pay, ZERO) if p.kind is PlanKind.SETTLEMENT else ZERO
    percent_display = discount_percent(balance, discount)
    requires_approval, approval_role = False, None
    if discount > 0:
        with localcontext() as c:
            c.prec = 50
            exact = discount * HUNDRED / balance
        if exact > policy.authority(ctx.caller_role):
            role = policy.approval_role_for(exact)
            if role is None:
                top = policy.authority(Role.ADMIN)
                violations.append(
                    issue(
                        "POLICY.MAX_DISCOUNT",
                        IssueCode.DISCOUNT_EXCEEDS_POLICY,
                        f"El descuento de {percent_display}% supera el máximo que la política permite a cualquier rol ({top}%)",
                        f"The {percent_display}% discount exceeds what the policy allows any role ({top}%)",
                        "settlementAmount",
                    )
                )
            else:
                requires_approval, approval_role = True, role
                warnings.append(
                    issue(
                        "AUTHORITY.DISCOUNT_APPROVAL",
                        IssueCode.DISCOUNT_REQUIRES_APPROVAL,
                        f"El descuento de {percent_display}% supera su límite ({policy.authority(ctx.caller_role)}%): "
                        f"requiere aprobación de {role.value}",
                        f"The {percent_display}% discount exceeds your limit ({policy.authority(ctx.caller_role)}%): "
                        f"it needs {role.value} approval",
                        "settlementAmount",
                    )
                )

    installment_rows = [row for row in schedule if row.number >= 1]
    largest = max((row.amount for row in installment_rows), default=ZERO)
    if p.installment_amount is not None and p.installments is not None and largest > p.installment_amount:
        warnings.append(
            issue(
                "PLAN.NAMED_AMOUNT",
                IssueCode.NAMED_AMOUNT_EXCEEDED,
                f"La cuota de {m(largest)} supera lo que el deudor dijo poder pagar ({m(p.installment_amount)})",
                f"The {m(largest)} installment is above what the debtor said they can pay ({m(p.installment_amount)})",
                "installments",
            )
        )
    if ctx.affordability is not None and largest > ctx.affordability:
        warnings.append(
            issue(
                "PLAN.AFFORDABILITY",
                IssueCode.AFFORDABILITY,
                f"La cuota de {m(largest)} supera la capacidad de pago declarada ({m(ctx.affordability)})",
                f"The {m(largest)} installment is above the stated affordability ({m(ctx.affordability)})",
                "installments",
            )
        )

    return AgreementValidation(
        valid=not violations,
        violations=violations,
        warnings=warnings,
        schedule=schedule,
        total_to_pay=schedule_total(schedule),
        total_interest=schedule_interest(schedule),
        balance=balance,
        discount_amount=discount,
        discount_percent=percent_display,
        requires_approval=requires_approval,
        approval_role=approval_role,
        currency=currency,
        policy_version=policy.version,
    )


def _installment_rules(
    p: AgreementProposal, to_pay: Decimal, currency: str, ctx: Context, violations: list[PlanIssue]
) -> list[Installment]:
    policy = ctx.policy
    m = _formatter(currency)
    frequency = p.frequency
    if frequency is None:
        raise BadInput("frequency: required for a plan in installments")
    if frequency not in policy.allowed_frequencies:
        allowed = ", ".join(sorted(f.value for f in policy.allowed_frequencies))
        violations.append(
            issue(
                "POLICY.ALLOWED_FREQUENCIES",
                IssueCode.FREQUENCY_NOT_ALLOWED,
                f"La frecuencia {frequency.value} no está permitida (permitidas: {allowed})",
                f"Frequency {frequency.value} is not allowed (allowed: {allowed})",
                "frequency",
            )
        )
    down = p.down_payment
    if down is not None and down >= to_pay:
        raise BadInput(
            f"downPayment: the down payment ({m(down)}) must be less than the amount to pay ({m(to_pay)})",
        )
    if policy.min_down_payment_percent > 0:
        needed = min_down_payment(to_pay, policy, currency)
        if (down or ZERO) < needed:
            violations.append(
                issue(
                    "POLICY.MIN_DOWN_PAYMENT",
                    IssueCode.MIN_DOWN_PAYMENT,
                    f"El pago inicial debe ser al menos {policy.min_down_payment_percent}% ({m(needed)})",
                    f"The down payment must be at least {policy.min_down_payment_percent}% ({m(needed)})",
                    "downPayment",
                )
            )
    financed = to_pay - (down or ZERO)
    rate = plan_rate(p, policy)
    count = p.installments
    if count is None and p.installment_amount is None:
        count = 1
    named_mode = count is None
    if count is None:
        named = p.installment_amount or ZERO
        if not covers_interest(financed, currency, named, rate):
            violations.append(
                issue(
                    "POLICY.MAX_INSTALLMENTS",
                    IssueCode.MAX_INSTALLMENTS,
                    f"Una cuota de {m(named)} no cubre ni los intereses del periodo: la deuda nunca se pagaría",
                    f"An installment of {m(named)} does not even cover a period's interest: the debt would never be paid",
                    "installmentAmount",
                )
            )
            return []
        rows = fixed_payment_rows(financed, currency, named, rate, MAX_SCHEDULE_ROWS)
        if rows is None:
            violations.append(
                _max_installments(
                    f"más de {MAX_SCHEDULE_ROWS}", f"more than {MAX_SCHEDULE_ROWS}", named, m, policy
                )
            )
            return []
        count = len(rows)
        if count > policy.max_installments:
            violations.append(_max_installments(str(count), str(count), named, m, policy))
    elif count > policy.max_installments:
        violations.append(
            issue(
                "POLICY.MAX_INSTALLMENTS",
                IssueCode.MAX_INSTALLMENTS,
                f"El plan excede el máximo de {policy.max_installments} cuotas",
                f"The plan exceeds the maximum of {policy.max_installments} installments",
                "installments",
            )
        )
    try:
        schedule = installment_schedule(
            to_pay,
            currency,
            first_payment_date=p.first_payment_date,
            frequency=frequency,
            installments=None if named_mode else count,
            installment_amount=p.installment_amount if named_mode else None,
            down_payment=down,
            monthly_rate=policy.monthly_interest_rate if p.kind is PlanKind.INSTALLMENTS else ZERO,
            convention=policy.business_day_convention,
            calendar=ctx.calendar,
            rounding=policy.installment_rounding,
        )
    except ScheduleError:
        violations.append(_min_installment(policy, m))
        return []
    regular = [row for row in schedule if row.number >= 1][:-1]
    if any(row.amount < policy.min_installment_amount for row in regular):
        violations.append(_min_installment(policy, m))
    return schedule


def _max_installments(
    count_es: str, count_en: str, named: Decimal, m: Fmt, policy: AgreementPolicy
) -> PlanIssue:
    return issue(
        "POLICY.MAX_INSTALLMENTS",
        IssueCode.MAX_INSTALLMENTS,
        f"Con cuotas de {m(named)} el plan necesita {count_es} cuotas y excede el máximo de {policy.max_installments} cuotas",
        f"With installments of {m(named)} the plan needs {count_en} installments and exceeds the maximum of "
        f"{policy.max_installments} installments",
        "installmentAmount",
    )


def _min_installment(policy: AgreementPolicy, m: Fmt) -> PlanIssue:
    minimum = m(policy.min_installment_amount)
    return issue(
        "POLICY.MIN_INSTALLMENT_AMOUNT",
        IssueCode.MIN_INSTALLMENT_AMOUNT,
        f"Cada cuota (salvo la última) debe ser al menos {minimum}",
        f"Every installment but the last must be at least {minimum}",
        "installments",
    )


def _date_rules(
    p: AgreementProposal, schedule: Sequence[Installment], ctx: Context, violations: list[PlanIssue]
) -> None:
    first_date = schedule[0].due_date if schedule else first_due(p, ctx)
    if p.first_payment_date < ctx.today or first_date < ctx.today:
        violations.append(
            issue(
                "PLAN.FIRST_PAYMENT_IN_PAST",
                IssueCode.FIRST_PAYMENT_IN_PAST,
                f"El primer pago ({first_date.isoformat()}) no puede ser anterior a hoy ({ctx.today.isoformat()})",
                f"The first payment ({first_date.isoformat()}) cannot be before today ({ctx.today.isoformat()})",
                "firstPaymentDate",
            )
        )
    latest = ctx.latest_first_payment
    if p.first_payment_date > latest:
        days = ctx.policy.max_first_payment_delay_days
        violations.append(
            issue(
                "POLICY.MAX_FIRST_PAYMENT_DELAY",
                IssueCode.FIRST_PAYMENT_TOO_LATE,
                f"El primer pago debe ser a más tardar el {latest.isoformat()} ({days} días desde hoy)",
                f"The first payment must be on or before {latest.isoformat()} ({days} days from today)",
                "firstPaymentDate",
            )
        )
