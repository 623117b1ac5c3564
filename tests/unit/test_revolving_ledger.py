"""The revolving ledger (Huabei, Baitiao, cards), with the arithmetic written out.

Account: limit 5,000.00, statement on the 1st, due on the 10th, 0.05 % a day, minimum 10 % of
the billed principal plus everything else billed, opened 2026-01-01 (the cn profile's defaults).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditmend.domain.calendar import WeekdayCalendar
from creditmend.domain.loan.document import read_loan
from creditmend.domain.loan.events import LoanEvent, Payment
from creditmend.domain.loan.fold import advance, open_ledger, run
from creditmend.domain.loan.fold import fold as fold_events
from creditmend.domain.loan.revolving import RevolvingLedger
from creditmend.domain.loan.state import LoanState
from creditmend.domain.loan.view import loan_state
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.rules.cn import CN
from creditmend.domain.synth.loan_sim import month_figures

CALENDAR = WeekdayCalendar()
CONTRACT: dict[str, Any] = {
    "id": "hb",
    "platform": "Huabei",
    "method": "revolving",
    "credit_limit": "5000.00",
    "statement_day": 1,
    "due_day": 10,
    "opened_on": "2026-01-01",
}


def fold(
    events: list[dict[str, Any]], as_of: date, **terms: Any
) -> tuple[RevolvingLedger, LoanState]:
    contract, loan_events = read_loan({"contract": {**CONTRACT, **terms}, "events": events}, CN)
    ledger = run(contract, loan_events, as_of, CN, CALENDAR)
    assert isinstance(ledger, RevolvingLedger)
    return ledger, loan_state(ledger, as_of)


def d(text: str) -> Decimal:
    return Decimal(text)


def test_statement_paid_in_full_by_the_due_day_costs_no_interest() -> None:
    # 1,000 on 01-05 and 500 on 01-20; statement 02-01 bills 1,500, minimum 150.00; all paid
    # on the due day itself: interest-free, account closed.
    _, state = fold(
        [
            {"on": "2026-01-05", "type": "purchase", "amount": "1000"},
            {"on": "2026-01-20", "type": "purchase", "amount": "500"},
            {"on": "2026-02-10", "type": "payment", "amount": "1500"},
        ],
        date(2026, 3, 31),
    )
    assert state.statements[0].balance.amount == d("1500.00")
    assert state.statements[0].minimum_due.amount == d("150.00")
    assert state.statements[0].paid_in_full is True
    assert sum((a.interest.amount for a in state.allocations), d("0")) == 0
    assert state.closed_on == date(2026, 2, 10)
    assert [m.code for m in state.monthly_status] == ["*", "C"]


def test_revolving_interest_after_a_partial_payment() -> None:
    # 1,000 paid of the 1,500 by 02-10: the 500 left is the newest money (the 01-20 purchase
    # is repaid last), so 500/1,500 of the purchases' days from posting to the due day bear
    # interest: (1,000 x 36 + 500 x 21) x 500/1,500 = 15,500; the due day itself: 500 x 1;
    # 02-11..03-01: 500 x 18 = 9,000. 25,000 x 0.0005 = 12.50 on the 03-01 statement;
    # 03-01..03-10: 500 x 9 = 4,500 -> 2.25. Statement 03-01: 500 + 12.50 = 512.50, minimum
    # 50.00 + 12.50 = 62.50. Payoff on 03-10: 500 + 12.50 + 2.25 = 514.75.
    ledger, state = fold(
        [
            {"on": "2026-01-05", "type": "purchase", "amount": "1000"},
            {"on": "2026-01-20", "type": "purchase", "amount": "500"},
            {"on": "2026-02-08", "type": "payment", "amount": "1000"},
        ],
        date(2026, 3, 10),
    )
    first, second = state.statements
    assert first.paid_in_full is False
    assert (second.balance.amount, second.minimum_due.amount) == (d("512.50"), d("62.50"))
    assert state.payoff_amount.amount == d("514.75")
    assert state.days_past_due == 0
    assert [m.code for m in state.monthly_status] == ["*", "N", "N"]
    assert ledger.interest_charged() == d("14.75")


def test_less_than_the_minimum_is_overdue_from_the_day_after_the_due_day() -> None:
    # Minimum 150.00 on 02-10; only 100 paid: 50.00 of it is overdue from 02-11, 33 days on
    # 03-15. Interest on the 03-01 statement: the unpaid 1,400 of the purchase from 01-05:
    # 1,500 x 36 x 1,400/1,500 = 50,400, the due day 1,400, 02-11..03-01 1,400 x 18 = 25,200:
    # 77,000 x 0.0005 = 38.50. Its minimum: 10 % of the 1,350 not already due (135.00) plus
    # 38.50, plus the 50.00 in arrears = 223.50; unpaid on 03-10, so 185.00 principal is overdue.
    _, state = fold(
        [
            {"on": "2026-01-05", "type": "purchase", "amount": "1500"},
            {"on": "2026-02-09", "type": "payment", "amount": "100"},
        ],
        date(2026, 3, 15),
    )
    assert state.days_past_due == 33
    assert state.statements[1].minimum_due.amount == d("223.50")
    assert state.overdue_principal.amount == d("185.00")
    assert [m.code for m in state.monthly_status] == ["*", "1", "2"]


def test_minimum_paid_keeps_the_account_current() -> None:
    _, state = fold(
        [
            {"on": "2026-01-05", "type": "purchase", "amount": "1500"},
            {"on": "2026-02-09", "type": "payment", "amount": "150"},
        ],
        date(2026, 2, 28),
    )
    assert state.days_past_due == 0
    assert state.status_code == "N"
    assert state.statements[0].paid_in_full is False


def test_late_fee_on_the_unpaid_minimum() -> None:
    # Late fee 5 % of the unpaid minimum, charged the day after the due day: 150.00 x 0.05 =
    # 7.50 on 02-11. A payment of 200 on 02-20 meets the fee first, then the minimum.
    _, state = fold(
        [
            {"on": "2026-01-05", "type": "purchase", "amount": "1500"},
            {"on": "2026-02-20", "type": "payment", "amount": "200"},
        ],
        date(2026, 2, 28),
        penalty={"late_fee": {"rate": "0.05"}},
    )
    payment = state.allocations[0]
    assert payment.fees.amount == d("7.50")
    assert payment.principal.amount == d("192.50")
    assert state.days_past_due == 0
    assert [m.code for m in state.monthly_status] == ["*", "M"]


def test_instalment_conversion_fee_and_shares() -> None:
    # Statement 02-01 bills 1,200; converted on 02-05 into 3 months at 0.6 % a period: fee
    # 1,200 x 0.006 = 7.20 a month, principal 400.00 a month from the 03-01 statement. The
    # 02-01 minimum falls to 0; the 03-01 statement bills 400.00 + 7.20 = 407.20, all of it in
    # the minimum (instalments and fees are asked in full).
    ledger, state = fold(
        [
            {"on": "2026-01-05", "type": "purchase", "amount": "1200"},
            {"on": "2026-02-05", "type": "instalment_conversion", "months": 3},
        ],
        date(2026, 3, 2),
    )
    first, second = state.statements
    assert (first.balance.amount, first.minimum_due.amount) == (d("0.00"), d("0.00"))
    assert (second.balance.amount, second.minimum_due.amount) == (d("407.20"), d("407.20"))
    assert state.outstanding_principal.amount == d("1200.00")
    assert ledger.interest_charged() == 0
    assert state.days_past_due == 0


def test_a_purchase_beyond_the_limit_is_refused_with_its_field() -> None:
    with pytest.raises(ProblemsError) as error:
        fold([{"on": "2026-01-05", "type": "purchase", "amount": "5000.01"}], date(2026, 2, 1))
    assert error.value.problems[0].field == "events[0].amount"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"credit_limit": None}, "contract.credit_limit"),
        ({"statement_day": 0}, "contract.statement_day"),
        ({"due_day": None}, "contract.due_day"),
        ({"opened_on": "2026-02-30"}, "contract.opened_on"),
        ({"minimum_rate": "1.5"}, "contract.minimum_rate"),
        ({"principal": "100"}, "contract.principal"),
    ],
)
def test_bad_revolving_terms_name_their_field(change: dict[str, Any], field: str) -> None:
    terms = {**CONTRACT, **change}
    with pytest.raises(ProblemsError) as error:
        read_loan({"contract": {k: v for k, v in terms.items() if v is not None}}, CN)
    assert field in [p.field for p in error.value.problems]


def test_a_purchase_on_an_instalment_loan_is_refused() -> None:
    contract = {
        "id": "x",
        "principal": "1000",
        "annual_rate": "0.1",
        "term_months": 3,
        "method": "equal_installment",
        "disbursed_on": "2026-01-01",
    }
    events = [{"on": "2026-01-05", "type": "purchase", "amount": "10"}]
    with pytest.raises(ProblemsError) as error:
        read_loan({"contract": contract, "events": events}, CN)
    assert error.value.problems[0].field == "events[0].type"


# ---------------------------------------------------------------- properties

_days = st.integers(min_value=0, max_value=150)
_amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("900"), places=2)
_event = st.tuples(st.sampled_from(("purchase", "payment", "fee")), _days, _amounts)


def _events(raw: list[tuple[str, int, Decimal]]) -> list[dict[str, Any]]:
    start = date(2026, 1, 1).toordinal()
    return [
        {"on": date.fromordinal(start + day).isoformat(), "type": kind, "amount": str(amount)}
        for kind, day, amount in sorted(raw, key=lambda e: e[1])
    ]


@settings(max_examples=60, deadline=None)
@given(st.lists(_event, max_size=12), st.integers(min_value=0, max_value=40))
def test_money_is_conserved_to_the_fen(raw: list[tuple[str, int, Decimal]], extra: int) -> None:
    """Purchases + interest + fees + penalty = payments kept + what is owed, at any date."""
    events = _events(raw)
    as_of = date.fromordinal(date(2026, 1, 1).toordinal() + 150 + extra)
    ledger, state = fold(
        events, as_of, credit_limit="20000", penalty={"late_fee": {"rate": "0.05"}}
    )
    charged = ledger.charged
    paid = sum((p.amount - p.excess for p in ledger.payments), Decimal(0))
    owed = state.payoff_amount.amount
    pending_penalty = ledger.pending_penalty()[0]
    left = charged.purchases + ledger.interest_charged() + charged.fees
    assert left + charged.penalty + pending_penalty - ledger.waived == paid + owed


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_days, _amounts), min_size=1, max_size=5))
def test_paying_each_statement_in_full_by_its_due_day_never_costs_interest(
    purchases: list[tuple[int, Decimal]],
) -> None:
    events = _events([("purchase", day, amount) for day, amount in purchases])
    contract, loan_events = read_loan({"contract": CONTRACT, "events": events}, CN)
    ledger = run(contract, loan_events, date(2026, 1, 1), CN, CALENDAR)
    ordered: list[LoanEvent] = sorted(loan_events, key=lambda e: e.on)
    position = 0
    assert isinstance(ledger, RevolvingLedger)
    for month in range(2, 10):  # statement on the 1st, paid in full on the 10th
        due_on = date(2026, month, 10)
        while position < len(ordered) and ordered[position].on <= due_on:
            ledger.apply(ordered[position])
            position += 1
        ledger.advance_to(due_on)
        for statement in ledger.statements:
            owed = statement.own_balance - statement.paid
            if statement.due_on == due_on and owed > 0 and ledger.closed_on is None:
                ledger.apply(Payment(due_on, owed))
    ledger.advance_to(date(2026, 9, 30))
    assert ledger.interest_charged() == 0
    assert all(s.settled is not False for s in ledger.statements)


def test_month_figures_and_the_plan_walk_read_a_revolving_ledger() -> None:
    """The synthetic furnisher's and the advisor's month figures agree with the view."""
    ledger, state = fold(
        [
            {"on": "2026-01-05", "type": "purchase", "amount": "1500"},
            {"on": "2026-02-09", "type": "payment", "amount": "100"},
        ],
        date(2026, 3, 15),
    )
    figures = month_figures(ledger, date(2026, 3, 15))
    assert figures.days_past_due == state.days_past_due == 33
    owed = (
        state.outstanding_principal.amount
        + state.overdue_interest.amount
        + state.penalty_accrued.amount
        + state.fees_due.amount
    )
    assert figures.balance == owed
    # What falls due next: the projected minimum of the 04-01 statement, due 04-10.
    upcoming = ledger.dues[ledger.next_due :]
    assert upcoming[0].due_on == date(2026, 4, 10)
    assert state.projected_minimums[0].due_on == date(2026, 4, 10)


def test_charge_off_makes_everything_due_and_reports_b() -> None:
    ledger, state = fold(
        [
            {"on": "2026-01-05", "type": "purchase", "amount": "1000"},
            {"on": "2026-05-20", "type": "charge_off"},
        ],
        date(2026, 6, 30),
    )
    assert state.status_code == "B"
    assert state.due_today.amount == 0
    # Everything owed on 05-20 fell due that day and bears nothing after it.
    assert state.payoff_amount.amount == state.overdue_principal.amount + (
        state.overdue_interest.amount
    )
    assert ledger.interest_charged() > 0


def test_restructure_spreads_everything_owed_without_interest() -> None:
    # Owed on 03-20 after a missed 02-10 minimum: 1,000 principal and the 03-01 interest
    # (1,000 x 36 days from posting to the due day, the due day, 18 days 02-11..03-01:
    # 55,000 x 0.0005 = 27.50) plus 03-01..03-20 accrued (19 x 1,000 x 0.0005 = 9.50):
    # 1,037.00, spread over 4 months without interest: 259.25 each from the 04-01 statement.
    _, state = fold(
        [
            {"on": "2026-01-05", "type": "purchase", "amount": "1000"},
            {"on": "2026-03-20", "type": "restructure", "kind": "reinstalment", "months": 4},
        ],
        date(2026, 3, 20),
    )
    assert state.restructured_on == (date(2026, 3, 20),)
    assert state.days_past_due == 0
    assert state.payoff_amount.amount == d("1037.00")
    shares = [i.principal.amount for i in state.projected_minimums]
    assert shares == [d("259.25")] * 4
    assert all(i.interest.amount == 0 for i in state.projected_minimums)


def test_waiver_of_interest_is_counted_as_waived() -> None:
    _, state = fold(
        [
            {"on": "2026-01-05", "type": "purchase", "amount": "1000"},
            {"on": "2026-02-08", "type": "payment", "amount": "500"},
            {"on": "2026-03-05", "type": "waiver", "component": "interest"},
        ],
        date(2026, 3, 5),
    )
    assert state.total_waived.amount > 0
    assert state.interest_accrued.amount == 0


@settings(max_examples=40, deadline=None)
@given(st.lists(_event, max_size=10), st.data())
def test_fold_split_at_any_point_gives_the_same_state(
    raw: list[tuple[str, int, Decimal]], data: st.DataObject
) -> None:
    """Stopping the fold on any date and continuing gives the state of one fold."""
    contract, events = read_loan(
        {"contract": {**CONTRACT, "credit_limit": "20000"}, "events": _events(raw)}, CN
    )
    as_of = date(2026, 7, 31)
    expected = loan_state(run(contract, events, as_of, CN, CALENDAR), as_of)
    k = data.draw(st.integers(0, len(events)), label="split index")
    low = events[k - 1].on if k > 0 else contract.disbursed_on
    high = events[k].on if k < len(events) else as_of
    pause = data.draw(st.dates(low, high), label="pause on")
    first = advance(fold_events(open_ledger(contract, CN, CALENDAR), events[:k]), pause)
    second = advance(fold_events(first, events[k:]), as_of)
    assert loan_state(second.ledger, as_of) == expected


@settings(max_examples=60, deadline=None)
@given(
    st.lists(_event, max_size=10),
    st.lists(
        st.tuples(st.integers(2, 5), st.integers(1, 12)), max_size=2, unique_by=lambda c: c[0]
    ),
    st.sampled_from(("none", "interest", "fees", "all")),
)
def test_money_is_conserved_with_conversions_and_waivers(
    raw: list[tuple[str, int, Decimal]], conversions: list[tuple[int, int]], waive: str
) -> None:
    events = _events(raw)
    events += [
        {"on": date(2026, month, 3).isoformat(), "type": "instalment_conversion", "months": n}
        for month, n in conversions
    ]
    if waive != "none":
        events.append({"on": "2026-06-15", "type": "waiver", "component": waive})
    events.sort(key=lambda e: e["on"])
    refused: tuple[Problem, ...] = ()
    try:
        ledger, state = fold(events, date(2026, 8, 31), credit_limit="20000")
    except ProblemsError as error:
        refused = error.problems
    if refused:  # only a conversion of a statement that billed no principal may be refused
        assert all("convert" in p.message for p in refused), refused
        return
    charged = ledger.charged
    paid = sum((p.amount - p.excess for p in ledger.payments), Decimal(0))
    left = charged.purchases + ledger.interest_charged() + charged.fees + charged.penalty
    assert left - ledger.waived == paid + state.payoff_amount.amount
