"""Revolving accounts in the synthetic population: Huabei- and Baitiao-like credit lines, cards.

Each account is simulated by the real revolving ledger (`fold.new_ledger` picks it for `method:
revolving`), one event at a time: purchases through the month, a statement on the statement
day, and on its due day a payment in full, of the minimum, of a part in between, or none. The
misses, cures, platform faults, defaults, partial payments and charge-offs follow the loans'
behaviour model (`LoanSim`: the archetype's miss chance and cure days, the defaulter's default
day), so a borrower who misses instalments misses minimums too. The month ends are furnished by
`LoanSim._report` with `furnished_figures`: the credit limit, the statement's balance and its
minimum due (docs/bureau.md, "Revolving accounts").

A person's revolving accounts are drawn after everything else about the person, from the same
random stream, so adding them changed no loan, inquiry or record of the instalment population.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from creditmend.domain.calendar import month_end
from creditmend.domain.loan.contract import (
    Contract,
    LateFee,
    PenaltyTerms,
    RepaymentMethod,
    RevolvingTerms,
)
from creditmend.domain.loan.events import (
    DeductionFailed,
    DeductionFailure,
    DeductionSucceeded,
    LoanEvent,
    Payment,
    Purchase,
)
from creditmend.domain.loan.revolving import RevolvingLedger
from creditmend.domain.money import ZERO, Money
from creditmend.domain.rate import Rate
from creditmend.domain.synth.loan_sim import Conduct, LoanSim, Outcome
from creditmend.domain.synth.people import PLATFORM_FAULT, Platform, _between, _poisson

if TYPE_CHECKING:
    from creditmend.domain.synth.person_sim import PersonSim

_FEN = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class LineKind:
    """A kind of credit line: who offers it, its limits and its calendar."""

    name: str  # huabei | baitiao | card
    subtypes: tuple[str, ...]  # the platforms that offer it (`Platform.subtype`)
    limits: tuple[int, int]  # credit limit, log-uniform, rounded to `step`
    step: int
    days_to_due: int  # due day = statement day + this (wrapped within 1..28)
    late_fee: Decimal | None  # a share of the unpaid minimum, once per missed minimum
    penalty_daily: Decimal | None  # 违约金 a day on the overdue minimum's principal


LINES = {
    # 花呗: statement on the 1st, due on the 10th; no late fee, revolving interest only.
    "huabei": LineKind("huabei", ("consumer_finance",), (500, 30_000), 100, 9, None, None),
    # 白条: own statement day, due 10 days later; 违约金 0.07 % a day on the overdue minimum.
    "baitiao": LineKind(
        "baitiao", ("online_microloan",), (1_000, 30_000), 100, 10, None, Decimal("0.0007")
    ),
    # A bank card: due 20 days after the statement; a late fee of 5 % of the unpaid minimum.
    "card": LineKind("card", ("online_bank",), (5_000, 100_000), 1_000, 20, Decimal("0.05"), None),
}
ONLINE_SHARE = 1 / 3  # persons holding a Huabei- or Baitiao-like line
CARD_SHARE = {"prime": 0.3, "regular": 0.2, "slipping": 0.15, "multi_head": 0.15,
              "restructured": 0.1, "defaulter": 0.1, "fraud": 0.0}  # fmt: skip
TRANSACTOR = {"prime": 0.6, "regular": 0.4, "slipping": 0.15, "multi_head": 0.1,
              "restructured": 0.2, "defaulter": 0.1, "fraud": 0.0}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Habits:
    """How a holder uses the line: spending a month as a share of the limit, and paying. Like
    the archetypes' rates (`people.Archetype`), the share is a random draw's parameter, a float
    on purpose; a purchase's amount is made Decimal and quantised to the fen once, where drawn
    (`_spend`), and all money after that is Decimal."""

    spend_share: float  # mean monthly spending / credit limit
    transactor: bool  # pays the statement in full; else the minimum or a part of the rest


def credit_lines(sim: PersonSim) -> list[tuple[LineKind, Platform]]:
    """The lines a person holds: a Huabei- or Baitiao-like one with chance 1/3, a card with the
    archetype's chance; each from a platform of the kind that offers it (none: no line)."""
    rng, archetype = sim.rng, sim.person.archetype
    wanted = []
    if rng.random() < ONLINE_SHARE:
        wanted.append(LINES["huabei" if rng.random() < 0.5 else "baitiao"])
    if rng.random() < CARD_SHARE[archetype]:
        wanted.append(LINES["card"])
    held = []
    for line in wanted:
        pool = [p for p in sim.world.platforms if p.subtype in line.subtypes]
        if pool:
            held.append((line, rng.choices(pool, [p.weight for p in pool])[0]))
    return held


def line_contract(
    sim: PersonSim, account_id: str, line: LineKind, platform: Platform, opened: date
) -> Contract:
    rng, profile = sim.rng, sim.world.profile
    defaults = profile.revolving
    assert defaults is not None
    low, high = line.limits
    limit = round(math.exp(rng.uniform(math.log(low), math.log(high))) / line.step) * line.step
    statement_day = 1 if line.name == "huabei" else rng.randint(1, 28)
    due_day = (statement_day + line.days_to_due - 1) % 28 + 1
    late_fee = None if line.late_fee is None else LateFee(rate=line.late_fee)
    return Contract(
        account_id, Money(Decimal(limit), profile.currency),
        Rate.daily(Decimal(defaults.daily_rate.value)), 1, RepaymentMethod.REVOLVING, opened,
        platform=platform.code, due_day=due_day,
        penalty=PenaltyTerms(daily_rate=line.penalty_daily, late_fee=late_fee),
        revolving=RevolvingTerms(
            statement_day, Decimal(defaults.minimum_rate.value),
            Decimal(defaults.conversion_fee_rate.value),
        ),
    )  # fmt: skip


class RevolvingSim(LoanSim):
    """One credit line, event by event; reports as `LoanSim` does (a revolving record)."""

    def __init__(
        self,
        person: PersonSim,
        contract: Contract,
        platform: Platform,
        conduct: Conduct,
        habits: Habits,
        account_type: str,
    ) -> None:
        super().__init__(person, contract, platform, conduct)
        self.habits = habits
        self.account_type = account_type
        assert isinstance(self.ledger, RevolvingLedger)
        self.line: RevolvingLedger = self.ledger
        self.line.projecting = False  # the furnisher reads cut statements only

    def _run(self) -> Outcome:
        last_day = self.person.world.last_day
        opened = self.contract.disbursed_on
        month = month_end(opened)
        self._spend(opened, month)
        self._plan(self.line.next_statement_on, "statement")
        while True:
            plan = self.plans[0][0] if self.plans else None
            if plan is not None and plan <= month:
                if plan > last_day:
                    break
                _, _, action, value = heapq.heappop(self.plans)
                self._act(plan, action, value)
                continue
            if month > last_day or self._report(month):
                break
            month = month_end(month + timedelta(days=1))
            self._spend(month.replace(day=1), month)
        return self._finish()

    def _spend(self, first: date, last: date) -> None:
        """The month's purchases: 1 + Poisson(2) of them, about the holder's usual share of the
        limit in all (0.3..1.7 of it), on random days."""
        rng = self.rng
        if self.delinquent or self.line.charged_off_on is not None:
            return
        count = 1 + _poisson(rng, 2.0)
        total = float(self.line.limit) * self.habits.spend_share * rng.uniform(0.3, 1.7)
        for _ in range(count):
            day = first + timedelta(rng.randint(0, (last - first).days))
            amount = Decimal(round(total / count * rng.uniform(0.5, 1.5), 2)).quantize(_FEN)
            self._plan(day, "purchase", amount)

    def _available(self) -> Decimal:
        line = self.line
        open_dues = line.dues[line.first_open : line.next_due]
        used = line.performing + sum((d.principal_out for d in open_dues), ZERO)
        return line.limit - used

    def _act(self, day: date, action: str, value: Decimal) -> None:
        line = self.line
        if action == "purchase":
            # The platform freezes a line in arrears or charged off.
            if self.delinquent or line.charged_off_on is not None:
                return
            line.advance_to(day)
            amount = min(value, self._available())
            if amount >= 1:
                self._apply(Purchase(day, amount))
        elif action == "statement":
            if line.charged_off_on is not None:
                return
            line.advance_to(day)
            statement = line.statements[-1] if line.statements else None
            if statement is not None and statement.statement_on == day:
                self._plan(statement.due_on, "due")
            self._plan(line.next_statement_on, "statement")
        elif action == "due":
            line.advance_to(day)
            self._decide(day)
        else:
            super()._act(day, action, value)

    def _decide(self, day: date) -> None:
        """A statement's due day: paid in full, the minimum, a part, or missed (as a loan's)."""
        line, rng, conduct, kind = self.line, self.rng, self.conduct, self.conduct.kind
        if line.charged_off_on is not None:
            return
        minimum = line.amount_due()  # the posted minimum and any arrears
        statement = line.statements[-1]
        paid = sum((p.amount for p in line.payments if p.on >= statement.statement_on), ZERO)
        full = max(statement.balance - paid, minimum)
        if full <= ZERO:
            return
        broke = (minimum * Decimal(rng.randint(0, 80)) / 100).quantize(_FEN)
        defaulting = conduct.default_on is not None and day >= conduct.default_on
        if minimum > ZERO and (defaulting or self.delinquent):
            self._fail(day, DeductionFailure.INSUFFICIENT_FUNDS, broke)
            if not self.delinquent and defaulting:
                wait = self.platform.charge_off_days + rng.randint(1, 5)
                self._plan(day + timedelta(wait), "charge_off")
            if defaulting and rng.random() < 0.2:
                share = Decimal(rng.randint(10, 30)) / 100
                self._plan(day + timedelta(rng.randint(3, 20)), "partial", share)
            self.delinquent = True
            return
        draw = rng.random()
        if minimum > ZERO and conduct.autopay and draw < PLATFORM_FAULT:
            reason = rng.choice((DeductionFailure.PLATFORM_ERROR, DeductionFailure.BANK_ERROR))
            extra = Decimal(rng.randint(0, 200_000)) / 100
            self._apply(DeductionFailed(day, reason, full + extra))
            if reason is DeductionFailure.PLATFORM_ERROR:
                self.platform_failed_on.add(day)
            self.person.tags.add("platform_fault")
            self.delinquent = True
            self._plan(day + timedelta(rng.randint(1, 12)), "pay_due")
        elif minimum > ZERO and draw < PLATFORM_FAULT + kind.miss:
            self._fail(day, DeductionFailure.INSUFFICIENT_FUNDS, broke)
            self.delinquent = True
            self._plan(day + timedelta(_between(rng, *kind.cure_days)), "pay_due")
        else:
            amount = full
            if not self.habits.transactor and rng.random() < 0.9:
                # Half pay the minimum, half a part of the rest (1..99 %).
                part = ZERO if rng.random() < 0.5 else Decimal(rng.randint(1, 99)) / 100
                amount = (minimum + (full - minimum) * part).quantize(_FEN)
                self.person.tags.add("revolver")
            if amount > ZERO:
                paid_event: LoanEvent = (
                    DeductionSucceeded(day, amount) if conduct.autopay else Payment(day, amount)
                )
                self._apply(paid_event)
