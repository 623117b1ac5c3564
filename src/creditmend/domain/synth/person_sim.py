"""One person's borrowing life: which loans, which platforms, which inquiries and records."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from creditmend.domain.calendar import BusinessCalendar, HolidayRule, add_months
from creditmend.domain.loan.contract import Contract, Fee, FeeTiming, PenaltyTerms, RepaymentMethod
from creditmend.domain.money import ZERO, Money
from creditmend.domain.rate import Rate
from creditmend.domain.rules.profile import JurisdictionProfile
from creditmend.domain.synth.loan_sim import Conduct, LoanSim, Outcome
from creditmend.domain.synth.people import (
    ARCHETYPES,
    COURTS,
    Loan,
    Person,
    PersonFacts,
    Platform,
    Record,
    World,
    _iso,
    _money,
    _poisson,
    make_person,
    make_world,
)
from creditmend.domain.synth.revolving_sim import (
    TRANSACTOR,
    Habits,
    RevolvingSim,
    credit_lines,
    line_contract,
)


def generate(
    persons: int,
    platforms: int,
    months: int,
    seed: int,
    start: date,
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
) -> Iterator[PersonFacts]:
    """Persons 0..persons-1 in index order, one at a time."""
    world = make_world(platforms, months, seed, start, profile, calendar)
    for index in range(persons):
        yield person_facts(world, index)


@lru_cache(maxsize=64)
def person_facts(world: World, index: int) -> PersonFacts:
    rng = random.Random(world.seed * 1_000_003 + index)
    person, variant = make_person(world.seed, index, rng)
    return PersonSim(world, person, variant, rng).run()


_BLACKLIST_REASONS = {
    "fraud": "application with forged documents",
    "severe_overdue": "charged off after more than 90 days past due",
    "lost_contact": "unreachable at every contact on file",
}


class PersonSim:
    """Plans a person's loans, simulates each with the ledger and collects the facts."""

    def __init__(self, world: World, person: Person, variant: str, rng: random.Random) -> None:
        self.world, self.person, self.variant, self.rng = world, person, variant, rng
        self.kind = ARCHETYPES[person.archetype]
        self.tags: set[str] = set()
        self.cmf: list[Record] = []
        self.inquiries: list[tuple[date, Record]] = []
        self.consents: set[str] = set()  # consent references given so far (each is unique)
        self.failures: list[Record] = []
        self.loans: list[Loan] = []
        self.outcomes: list[Outcome] = []
        span = (world.last_day - world.first_day).days
        self.span = span
        self.default_on: date | None = None
        if person.archetype == "defaulter":
            self.default_on = world.first_day + timedelta(rng.randint(40, 150) + span // 6)
        self.fault_pending = variant == "prime_fault"

    # ------------------------------------------------------------ planning
    def _openings(self) -> list[tuple[date, Platform]]:
        rng, world, kind = self.rng, self.world, self.kind
        first, latest = world.first_day, world.last_day - timedelta(days=20)
        latest = max(latest, first)
        span = (latest - first).days
        archetype = self.person.archetype
        count = max(kind.min_loans, _poisson(rng, kind.loans_per_year * self.span / 365))
        if archetype in ("multi_head", "fraud"):
            bursts = 1 if archetype == "fraud" else rng.randint(1, 3)
            starts = [first + timedelta(rng.randint(0, span // (2 if bursts == 1 else 1)))
                      for _ in range(bursts)]  # fmt: skip
            if archetype == "fraud":
                count = rng.randint(3, 6)
            days = [min(rng.choice(starts) + timedelta(rng.randint(0, 10)), latest)
                    for _ in range(count)]  # fmt: skip
        elif archetype == "defaulter":
            assert self.default_on is not None
            top = max(0, min(span, (self.default_on - first).days - 20))
            days = [first + timedelta(rng.randint(0, top)) for _ in range(count)]
        elif archetype == "restructured":
            days = [first + timedelta(rng.randint(0, span // 3))]
            days += [first + timedelta(rng.randint(0, span)) for _ in range(count - 1)]
        else:
            days = [first + timedelta(rng.randint(0, span)) for _ in range(count)]
        days.sort()
        platforms = self._pick_platforms(len(days))
        return list(zip(days, platforms, strict=True))

    def _pick_platforms(self, count: int) -> list[Platform]:
        pool = list(self.world.platforms)
        weights = [p.weight for p in pool]
        if self.person.archetype in ("multi_head", "fraud") and count <= len(pool):
            keyed = sorted(pool, key=lambda p: self.rng.random() ** (1 / p.weight), reverse=True)
            return keyed[:count]
        return self.rng.choices(pool, weights, k=count)

    def _contract(self, account_id: str, platform: Platform, opened: date) -> Contract:
        rng = self.rng
        fees: tuple[Fee, ...] = ()
        compound = False
        if platform.subtype == "online_bank":
            rate = Rate.annual(Decimal(rng.randint(600, 1500)).scaleb(-4))
            term, low, high = rng.choice((12, 24, 36)), 10_000, 200_000
            method = rng.choice(
                (RepaymentMethod.EQUAL_INSTALLMENT,) * 2 + (RepaymentMethod.EQUAL_PRINCIPAL,)
            )
            compound = True
        elif platform.subtype == "consumer_finance":
            rate = Rate.annual(Decimal(rng.randint(1200, 2100)).scaleb(-4))
            term, low, high = rng.choice((6, 12, 24)), 2_000, 50_000
            method = RepaymentMethod.EQUAL_INSTALLMENT
            fee_rate = Decimal(rng.randint(0, 30)).scaleb(-4)
            if fee_rate:
                fees = (Fee("service_fee", FeeTiming.EACH_INSTALLMENT, rate=fee_rate),)
        else:
            rate = Rate.daily(Decimal(rng.randint(20, 65)).scaleb(-5))
            term, low, high = rng.choice((3, 6, 12)), 500, 20_000
            method = rng.choice(
                (RepaymentMethod.EQUAL_INSTALLMENT, RepaymentMethod.EQUAL_PRINCIPAL)
            )
        principal = round(math.exp(rng.uniform(math.log(low), math.log(high))) / 100) * 100
        amount = Money(Decimal(principal), self.world.profile.currency)
        return Contract(
            account_id, amount, rate, term, method, opened,
            platform=platform.code, grace_days=rng.choice((0, 0, 3)),
            holiday_rule=rng.choice((HolidayRule.UNADJUSTED, HolidayRule.FOLLOWING)),
            fees=fees, penalty=PenaltyTerms(compound_interest=compound),
        )  # fmt: skip

    # ------------------------------------------------------------ running
    def run(self) -> PersonFacts:
        rng, person = self.rng, self.person
        openings = self._openings()
        restructure_loan = 0 if person.archetype == "restructured" else -1
        for number, (opened, platform) in enumerate(openings, start=1):
            account_id = f"{platform.code}{person.index:08d}{number:02d}"
            contract = self._contract(account_id, platform, opened)
            self._inquire(platform, opened)
            conduct = Conduct(self.kind, self.default_on, rng.random() < self.kind.autopay)
            if person.archetype == "fraud":
                conduct.default_on = opened
            if number - 1 == restructure_loan:
                conduct.stress_on = opened + timedelta(rng.randint(45, 120))
            loan_sim = LoanSim(self, contract, platform, conduct)
            outcome = loan_sim.run()
            self.outcomes.append(outcome)
            self.loans.append(Loan(platform.code, account_id, contract, tuple(loan_sim.events)))
        self._self_inquiries()
        public = self._public_records()
        blacklist = self._blacklist()
        if len({loan.furnisher_id for loan in self.loans}) >= 4:
            self.tags.add("multi_head")
        if public:
            self.tags.add("public_record")
        if blacklist:
            self.tags.add("blacklist")
        self._credit_lines()
        self.inquiries.sort(key=lambda pair: pair[0])
        return PersonFacts(person, tuple(self.loans), tuple(self.cmf),
                           tuple(r for _, r in self.inquiries), tuple(public), tuple(blacklist),
                           tuple(self.failures), frozenset(self.tags))  # fmt: skip

    def _credit_lines(self) -> None:
        """The person's revolving accounts, drawn last (after every other fact) so that the
        instalment population is the same with or without them; they feed no public record or
        blacklist entry (those follow the loans)."""
        if self.world.profile.revolving is None:
            return
        rng, world, person = self.rng, self.world, self.person
        last = max((world.last_day - world.first_day).days - 30, 0)
        if self.default_on is not None:
            last = max(0, min(last, (self.default_on - world.first_day).days - 20))
        for number, (line, platform) in enumerate(credit_lines(self), start=1):
            opened = world.first_day + timedelta(rng.randint(0, last))
            account_id = f"{platform.code}{person.index:08d}R{number}"
            contract = line_contract(self, account_id, line, platform, opened)
            card = line.name == "card"
            purpose = "credit_card_approval" if card else "loan_approval"
            self._inquiry(opened - timedelta(rng.randint(0, 3)), platform.code, purpose)
            conduct = Conduct(self.kind, self.default_on, rng.random() < self.kind.autopay)
            if person.archetype == "fraud":
                conduct.default_on = opened
            habits = Habits(rng.uniform(0.05, 0.5), rng.random() < TRANSACTOR[person.archetype])
            account_type = "credit_card" if card else (
                "consumer_finance" if platform.subtype == "consumer_finance"
                else "online_consumer_loan")  # fmt: skip
            sim = RevolvingSim(self, contract, platform, conduct, habits, account_type)
            sim.run()
            self.tags.add("credit_card" if card else "revolving_online")
            self.loans.append(Loan(platform.code, account_id, contract, tuple(sim.events)))

    def identity(self) -> Record:
        return {"id_type": "cn_ric", "id_number": self.person.id_number, "name": self.person.name}

    def _inquiry(self, on: date, furnisher: str | None, purpose: str) -> None:
        hard = purpose in ("loan_approval", "credit_card_approval", "guarantee_review")
        consent = None if furnisher is None else self._consent(furnisher, on)
        self.inquiries.append((on, {**self.identity(), "furnisher_id": furnisher,
                               "inquired_on": on.isoformat(), "purpose": purpose,
                               "hard": hard, "consent_ref": consent}))  # fmt: skip

    def _consent(self, furnisher: str, on: date) -> str:
        """A consent reference not given before to this person: the import keys an inquiry by
        its furnisher, day, purpose and reference, so a repeated reference (one draw in 16
        million for the same furnisher and day) would repeat a line. A repeat is drawn again."""
        while True:
            consent = f"{furnisher}-{on:%Y%m%d}-{self.rng.randrange(16**6):06x}"
            if consent not in self.consents:
                self.consents.add(consent)
                return consent

    def _inquire(self, lender: Platform, opened: date) -> None:
        rng = self.rng
        self._inquiry(opened - timedelta(rng.randint(0, 3)), lender.code, "loan_approval")
        others = [p for p in self.world.platforms if p.code != lender.code]
        for _ in range(min(len(others), rng.randint(*self.kind.shoppers))):
            shopper = rng.choice(others)
            card = shopper.kind == "bank" and rng.random() < 0.3
            purpose = "credit_card_approval" if card else "loan_approval"
            self._inquiry(opened - timedelta(rng.randint(0, 14)), shopper.code, purpose)

    def _self_inquiries(self) -> None:
        """At most one a day: a self-inquiry has no furnisher or consent reference, so two on
        one day would be the same line, which the import refuses as a repeat. A day drawn
        again is drawn anew."""
        yearly = 0.4 if self.person.archetype in ("slipping", "multi_head", "defaulter") else 0.1
        count = min(_poisson(self.rng, yearly * self.span / 365), self.span + 1)
        days: set[int] = set()
        while len(days) < count:
            day = self.rng.randint(0, self.span)
            if day not in days:
                days.add(day)
                self._inquiry(self.world.first_day + timedelta(day), None, "self_inquiry")

    def _public_records(self) -> list[Record]:
        rng, world = self.rng, self.world
        if self.default_on is None or not (self.variant == "defaulter_sued" or rng.random() < 0.4):
            return []
        defaulted = [o for o in self.outcomes if o.last_balance > ZERO]
        if not defaulted or self.default_on + timedelta(30) > world.last_day:
            return []
        target = max(defaulted, key=lambda o: o.last_balance)
        court, court_code = rng.choice(COURTS)
        filed = min(self.default_on + timedelta(rng.randint(90, 300)),
                    world.last_day - timedelta(rng.randint(0, 20)))  # fmt: skip
        filed = max(filed, self.default_on + timedelta(30))
        concluded = target.closed_on if target.closed_on and target.closed_on > filed else None
        kinds = [("enforced_debtor", filed)]
        later = filed + timedelta(rng.randint(30, 120))
        if rng.random() < 0.5 and later <= world.last_day:
            kinds += [("dishonest_judgment_debtor", later), ("consumption_restriction", later)]
        case = f"（{filed.year}）{court_code}执{rng.randint(100, 29999)}号"
        return [
            {**self.identity(), "kind": kind, "court": court, "case_number": case,
             "filed_on": filed.isoformat(), "published_on": on.isoformat(),
             "amount": _money(target.last_balance),
             "status": "performed" if concluded else "active", "ended_on": _iso(concluded),
             "source": "court_publication"}
            for kind, on in kinds
        ]  # fmt: skip

    def _blacklist(self) -> list[Record]:
        rng = self.rng
        found: list[tuple[Outcome, str, date, int]] = []
        for outcome in self.outcomes:
            if self.person.archetype == "fraud" and outcome.first_due and not found:
                found.append(
                    (outcome, "fraud", outcome.first_due + timedelta(rng.randint(30, 60)), 5)
                )
            elif self.person.archetype == "defaulter" and outcome.charged_off_on:
                draw = rng.random()
                if draw < 0.6:
                    found.append((outcome, "severe_overdue", outcome.charged_off_on, 3))
                elif draw < 0.9:
                    found.append((outcome, "lost_contact", outcome.charged_off_on, 2))
        return _listings(self.identity(), found, self.world.last_day)


def _listings(
    identity: Record, found: list[tuple[Outcome, str, date, int]], last_day: date
) -> list[Record]:
    """The blacklist entries of a person's listings, in the order found: a listing lists the
    person, not an account, so a source lists a person once per category while that listing
    runs. A second charge-off at the same platform (two loans there, often on the same day)
    adds nothing: it would repeat the line (same person, source, category and day), which the
    import refuses, or list the person twice at once."""
    kept: set[int] = set()  # positions in `found`, decided in the order of listing
    listed_until: dict[tuple[str, str], date] = {}  # (source, category) -> expiry
    for position in sorted(range(len(found)), key=lambda i: found[i][2]):
        outcome, category, on, years = found[position]
        key = (outcome.furnisher_id, category)
        if on <= last_day and (key not in listed_until or on >= listed_until[key]):
            listed_until[key] = add_months(on, 12 * years)
            kept.add(position)
    return [
        {**identity, "source": outcome.furnisher_id, "category": category,
         "listed_on": on.isoformat(), "expires_on": add_months(on, 12 * years).isoformat(),
         "reason": _BLACKLIST_REASONS[category]}
        for position, (outcome, category, on, years) in enumerate(found)
        if position in kept
    ]  # fmt: skip
