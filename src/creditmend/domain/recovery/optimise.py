"""The optimal repayment plan as a mixed-integer programme (the formulation; a solver solves it).

The domain writes the programme down with exact decimals, as plain tuples: an objective vector,
bounds, which variables are integer, and sparse constraint rows. A `MilpSolver` (the port;
`adapters.solver_highs` runs HiGHS through `scipy.optimize.milp`) returns the values. Nothing
here imports a solver, and no float exists here.

Variables, for every loan i still open on `as_of` and month k of the horizon:

    x[i,k] >= 0     paid to loan i in month k (its arrears on the money day, the rest on its
                    due day: `simulate`)
    n[i,k]          arrears after that payment (negative: credit held or principal prepaid),
                    bounded below by minus what settling would still need (never pay more
                    than owed)
    a[i,k] >= 0     the positive part of n[i,k] (arrears that bear penalty), a >= n
    o[i,k] binary   month end k reported overdue
    u[i,k] binary   settled by the payment day of month k: n + rest u <= M o, u + o <= 1,
                    u rising (paid up, or settled with every later principal prepaid)
    h[i,k] binary   more than 90 days past due at month end k: n - young <= M h, h <= o
  and per loan
    X[i] binary     crossed 90 days past due in the horizon: X >= h[i,k]
    P[i] binary     3 consecutive / 6-in-24 pattern: P >= o + o' + o'' - 2 over any three
                    consecutive month ends, 19 P >= (overdue month ends in 24) - 5, history
                    month ends entering as constants
    E[i] >= E0      months until the loan's records stop being shown: E >= (t_k + 60) o[i,k]

The accrual is the recursion of `linear` (each loan's own ledger figures):

    n[k] = n[k-1] + pf[k] a[k-1] + late[k-1] o[k-1] + fixed[k] + saved[k] (1 - u[k-1])
           + acc[k] (u[k] - u[k-1]) - x[k],          n[-1] = a[-1] = arrears on as_of

good faith (when the plan asks for it, `LoanFigures.good_faith` = G > 0), with per month

    p[k] binary     month k pays any debt: sum_i x[i,k] <= cap[k] p[k]
    x[i,k] >= G (p[k] + o[i,k-1] + o[i,k] - 2)   (o[i,-1]: overdue before the horizon)

so a loan overdue at the start of a month that pays and still overdue at its end gets at least
G (one cured in the month was paid all its arrears, which is more than the good-faith minimum
min(arrears, G) asks); when the month's cash cannot pay every G, the programme pays nothing that
month and realising shares it (`good_faith.good_faith_shares`);

and the cash: money paid by month k never exceeds the money the budget holds by then and
still holds in every later month (`prudent_caps`: a repayment to relatives next spring is not
spent on a platform now). The objective is the `RecoveryObjective`'s, term for term:

    cost_weight x (start cost + sum pf a + late o + saved (1 - u) + acc (u - u') + end terms)
    + w_o sum o + w_h sum h + w_X sum X + w_P sum P + w_E sum E

so the programme's optimum is the linear estimate (`linear.estimate_loan`) of its own plan;
a test checks the two agree. The estimate is an approximation of the ledger (monthly steps,
one penalty share per loan, grace ignored, partial prepayments held as credit); the plan the
borrower sees is always the exact simulation (`search`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from enum import Enum
from typing import Protocol

from creditmend.domain.money import ONE, ZERO, minor_unit
from creditmend.domain.recovery.budget import Budget
from creditmend.domain.recovery.linear import LoanFigures
from creditmend.domain.recovery.objective import RecoveryObjective

EPSILON = Decimal("0.005")  # arrears below half a fen are not arrears


@dataclass(frozen=True, slots=True)
class MilpRow:
    """lower <= sum(coefficient x value) <= upper; None is unbounded."""

    coefficients: tuple[tuple[int, Decimal], ...]
    lower: Decimal | None
    upper: Decimal | None


@dataclass(frozen=True, slots=True)
class MilpProblem:
    objective: tuple[Decimal, ...]
    lower: tuple[Decimal | None, ...]
    upper: tuple[Decimal | None, ...]
    integer: tuple[bool, ...]
    rows: tuple[MilpRow, ...]
    offset: Decimal  # constant part of the objective

    @property
    def size(self) -> tuple[int, int, int]:
        """Variables, integer variables, rows."""
        return len(self.objective), sum(self.integer), len(self.rows)


class SolveStatus(Enum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"  # a limit stopped the search with a plan in hand
    NO_SOLUTION = "no_solution"  # a limit stopped it before any plan
    INFEASIBLE = "infeasible"
    ERROR = "error"


class StopReason(Enum):
    """Which limit stopped a search short of its gap (`MilpSolution.stopped_by`)."""

    WORK = "work_limit"  # the node limit: the same stop on any machine, under any load
    TIME = "time_limit"  # the wall-clock safety net: depends on the machine and its load


@dataclass(frozen=True, slots=True)
class SolveLimits:
    """How far the solver searches.

    `nodes` (branch-and-bound nodes) is the binding limit: a single-threaded solver with a fixed
    seed does the same work node for node, so a programme stopped by it gives the same plan on
    any machine under any load (the advice, its letters and the tests must not depend on load).
    `seconds` is a wall-clock safety net set far above what `nodes` takes, for a pathological
    programme; it is the one source of non-determinism, and the solution says when it was
    reached (`StopReason.TIME`). The search also stops once its plan is proven within
    `relative_gap` of the optimum.
    """

    nodes: int
    seconds: Decimal
    relative_gap: Decimal


@dataclass(frozen=True, slots=True)
class MilpSolution:
    status: SolveStatus
    values: tuple[Decimal, ...] | None
    objective: Decimal | None  # without the problem's offset
    gap: Decimal | None  # relative gap between the plan and the best bound
    message: str = ""
    stopped_by: StopReason | None = None  # the limit that stopped the search, if one did


class MilpSolver(Protocol):
    def solve(self, problem: MilpProblem, *, limits: SolveLimits) -> MilpSolution:
        """The optimum, or the best plan found within the limits (the same plan for the same
        programme and limits, unless the time safety net stopped the search)."""


@dataclass(frozen=True, slots=True)
class LoanVariables:
    x: tuple[int, ...]
    n: tuple[int, ...]
    a: tuple[int, ...]
    o: tuple[int, ...]
    h: tuple[int, ...]
    u: tuple[int, ...]
    crossing: int
    pattern: int
    records: int


@dataclass(frozen=True, slots=True)
class Formulation:
    problem: MilpProblem
    loans: tuple[LoanVariables | None, ...]  # None: a loan closed before the plan
    caps: tuple[Decimal, ...]
    pays: tuple[int, ...] = ()  # p[k]: month k pays any debt (only with good faith)
    good_faith_rows: tuple[int, ...] = ()  # the rows of good faith (p's and the minimums)


def prudent_caps(budget: Budget) -> tuple[Decimal, ...]:
    """The most a plan may have paid in total by each month: the cumulative budget then and
    in every later month (money a later month needs is not spent early), never below zero."""
    cumulative: list[Decimal] = []
    total = ZERO
    for month in budget.months:
        total += month.available.amount
        cumulative.append(total)
    caps: list[Decimal] = []
    lowest: Decimal | None = None
    for value in reversed(cumulative):
        lowest = value if lowest is None else min(lowest, value)
        caps.append(max(lowest, ZERO))
    return tuple(reversed(caps))


class _Builder:
    def __init__(self) -> None:
        self.objective: list[Decimal] = []
        self.lower: list[Decimal | None] = []
        self.upper: list[Decimal | None] = []
        self.integer: list[bool] = []
        self.rows: list[MilpRow] = []
        self.offset = ZERO

    def var(
        self,
        cost: Decimal = ZERO,
        lower: Decimal | None = ZERO,
        upper: Decimal | None = None,
        binary: bool = False,
    ) -> int:
        self.objective.append(cost)
        self.lower.append(lower)
        self.upper.append(ONE if binary else upper)
        self.integer.append(binary)
        return len(self.objective) - 1

    def row(
        self,
        terms: Sequence[tuple[int, Decimal]],
        lower: Decimal | None = None,
        upper: Decimal | None = None,
    ) -> None:
        merged: dict[int, Decimal] = {}
        for index, value in terms:
            merged[index] = merged.get(index, ZERO) + value
        kept = tuple((i, v) for i, v in merged.items() if v)
        self.rows.append(MilpRow(kept, lower, upper))

    def problem(self) -> MilpProblem:
        return MilpProblem(
            tuple(self.objective),
            tuple(self.lower),
            tuple(self.upper),
            tuple(self.integer),
            tuple(self.rows),
            self.offset,
        )


def _loan(b: _Builder, f: LoanFigures, w: dict[str, Decimal]) -> LoanVariables:
    count = f.count
    cw = w["cost"]
    b.offset += cw * f.start_cost
    xs: list[int] = []
    ns: list[int] = []
    as_: list[int] = []
    os_: list[int] = []
    hs: list[int] = []
    us: list[int] = []
    for k in range(count):
        floor = -(f.settle_rest[k] + f.settle_accrued[k]) - EPSILON
        xs.append(b.var())
        ns.append(b.var(lower=floor, upper=None))
        # The penalty a[k] bears is charged at the next pay day (or at the horizon's end).
        factor = f.penalty_factor[k + 1] if k + 1 < count else f.end_penalty_factor
        as_.append(b.var(cost=cw * factor))
        os_.append(b.var(cost=w["overdue_month"] + cw * f.late_fee[k], binary=True))
        hs.append(b.var(cost=w["serious_month"], binary=True))
        us.append(b.var(binary=True))
    crossing = b.var(cost=w["crossing"], binary=True)
    pattern = b.var(cost=w["pattern"], binary=True)
    records = b.var(cost=w["record_month"], lower=f.record_months)
    # The first month's penalty on the arrears of as_of is a constant.
    b.offset += cw * f.penalty_factor[0] * f.start_arrears
    for k in range(count):
        big = f.bound(k)
        # n[k] - n[k-1] - pf a[k-1] - late o[k-1] + saved u[k-1] - acc (u[k] - u[k-1]) + x = ...
        terms: list[tuple[int, Decimal]] = [
            (ns[k], ONE),
            (xs[k], ONE),
            (us[k], -f.settle_accrued[k]),
        ]
        constant = f.fixed_due[k] + f.saved_due[k]
        b.offset += cw * f.saved_due[k]
        if k == 0:
            constant += f.start_arrears + f.penalty_factor[0] * f.start_arrears
        else:
            terms += [
                (ns[k - 1], -ONE),
                (as_[k - 1], -f.penalty_factor[k]),
                (os_[k - 1], -f.late_fee[k - 1]),
                (us[k - 1], f.saved_due[k] + f.settle_accrued[k]),
            ]
            b.objective[us[k - 1]] -= cw * f.saved_due[k]
        b.objective[us[k]] += cw * f.settle_accrued[k]
        if k > 0:
            b.objective[us[k - 1]] -= cw * f.settle_accrued[k]
        b.row(terms, constant, constant)
        b.row([(as_[k], ONE), (ns[k], -ONE)], lower=ZERO)
        # Overdue unless paid up; settled only when paid up and every later instalment's
        # principal prepaid (n <= -rest), and a settled loan is not overdue (u + o <= 1).
        b.row([(ns[k], ONE), (us[k], f.settle_rest[k]), (os_[k], -big)], upper=EPSILON)
        b.row([(us[k], ONE), (os_[k], ONE)], upper=ONE)
        b.row([(ns[k], ONE), (hs[k], -big)], upper=f.young_principal[k] + EPSILON)
        b.row([(hs[k], ONE), (os_[k], -ONE)], upper=ZERO)
        if k > 0:
            b.row([(us[k - 1], ONE), (us[k], -ONE)], upper=ZERO)
        b.row([(hs[k], ONE), (crossing, -ONE)], upper=ZERO)
        b.row([(records, ONE), (os_[k], -(f.month_time[k] + f.retention_months))], lower=ZERO)
    # Interest of the running period at the horizon's end, unless settled.
    b.offset += cw * f.end_accrued
    b.objective[us[-1]] -= cw * f.end_accrued
    _pattern_rows(b, f, os_, pattern)
    return LoanVariables(
        x=tuple(xs),
        n=tuple(ns),
        a=tuple(as_),
        o=tuple(os_),
        h=tuple(hs),
        u=tuple(us),
        crossing=crossing,
        pattern=pattern,
        records=records,
    )


def _pattern_rows(b: _Builder, f: LoanFigures, overdue: Sequence[int], pattern: int) -> None:
    """P >= 1 when `run` month ends in a row are overdue, or `most` + 1 of any `window`: the
    profile's pattern (cn: run 3, 6 in 24, so P >= o + o' + o'' - 2 and 19 P >= count - 5)."""
    history = f.history_overdue
    run, cumulative, span = f.pattern.consecutive, f.pattern.cumulative, f.pattern.window
    first = len(history)
    # Month ends as (variable or None, constant): history first.
    ends: list[tuple[int | None, int]] = [(None, int(flag)) for flag in history]
    ends += [(index, 0) for index in overdue]
    forced = False
    for start in range(len(ends) - run + 1):
        row = ends[start : start + run]
        known = sum(c for _, c in row)
        variables = [v for v, _ in row if v is not None]
        if not variables:
            forced = forced or known == run
            continue
        b.row([(v, ONE) for v in variables] + [(pattern, -ONE)], upper=Decimal(run - 1 - known))
    for end in range(first, len(ends)):
        window = ends[max(0, end - span + 1) : end + 1]
        known = sum(c for _, c in window)
        variables = [v for v, _ in window if v is not None]
        if known + len(variables) < cumulative:
            continue
        b.row(
            [(v, ONE) for v in variables] + [(pattern, -Decimal(span - cumulative + 1))],
            upper=Decimal(cumulative - 1 - known),
        )
    if forced:
        b.lower[pattern] = ONE


def formulate(
    figures: Sequence[LoanFigures], budget: Budget, objective: RecoveryObjective
) -> Formulation:
    """The programme for these loans under this budget and objective."""
    b = _Builder()
    weights = objective.weights()
    loans: list[LoanVariables | None] = []
    for f in figures:
        loans.append(_loan(b, f, weights) if f.active else None)
        if not f.active:
            b.offset += weights["record_month"] * f.record_months
    # The constant part of the objective as a variable fixed at one, so that the solver's
    # relative gap is measured on the whole objective (the variable part alone may be near
    # zero or negative: interest a settlement saves).
    b.var(cost=b.offset, lower=ONE, upper=ONE)
    b.offset = ZERO
    caps = prudent_caps(budget)
    active = [v for v in loans if v is not None]
    pays, faith_rows = _good_faith_rows(b, figures, loans, caps)
    for k, cap in enumerate(caps):
        terms = [(v.x[j], ONE) for v in active for j in range(k + 1)]
        if terms:
            b.row(terms, upper=cap)
    return Formulation(b.problem(), tuple(loans), caps, pays, faith_rows)


def _good_faith_rows(
    b: _Builder,
    figures: Sequence[LoanFigures],
    loans: Sequence[LoanVariables | None],
    caps: Sequence[Decimal],
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """p[k] and x[i,k] >= G (p[k] + o[i,k-1] + o[i,k] - 2) (module docstring); nothing when
    no loan has a good-faith minimum (good faith off)."""
    pairs = [(f, v) for f, v in zip(figures, loans, strict=True) if v is not None]
    if not any(f.good_faith > ZERO for f, _ in pairs):
        return (), ()
    rows: list[int] = []
    pays: list[int] = []
    for k, cap in enumerate(caps):
        p = b.var(binary=True)
        pays.append(p)
        rows.append(len(b.rows))
        b.row([(v.x[k], ONE) for _, v in pairs] + [(p, -cap)], upper=ZERO)
        for f, v in pairs:
            g = f.good_faith
            if g <= ZERO:
                continue
            terms = [(v.x[k], ONE), (p, -g), (v.o[k], -g)]
            bound = -2 * g
            if k > 0:
                terms.append((v.o[k - 1], -g))
            elif f.start_overdue:
                bound = -g
            else:
                continue  # not overdue at the start of the horizon: nothing asked in month 0
            rows.append(len(b.rows))
            b.row(terms, lower=bound)
    return tuple(pays), tuple(rows)


@dataclass(frozen=True, slots=True)
class LoanDecision:
    """What the programme decided for one loan, month by month."""

    payments: tuple[Decimal, ...]  # to the fen, rounded down (never above the cash)
    overdue: tuple[bool, ...]
    serious: tuple[bool, ...]
    settled: tuple[bool, ...]


def decode(
    formulation: Formulation, values: Sequence[Decimal], currency: str
) -> tuple[LoanDecision | None, ...]:
    """The programme's plan: payments to the fen and the binaries read as yes/no."""
    fen = minor_unit(currency)
    half = Decimal("0.5")

    def amount(index: int) -> Decimal:
        return max(values[index], ZERO).quantize(fen, rounding=ROUND_DOWN)

    decisions: list[LoanDecision | None] = []
    for loan in formulation.loans:
        if loan is None:
            decisions.append(None)
            continue
        decisions.append(
            LoanDecision(
                tuple(amount(i) for i in loan.x),
                tuple(values[i] > half for i in loan.o),
                tuple(values[i] > half for i in loan.h),
                tuple(values[i] > half for i in loan.u),
            )
        )
    return tuple(decisions)


__all__ = [
    "Formulation",
    "LoanDecision",
    "LoanVariables",
    "MilpProblem",
    "MilpRow",
    "MilpSolution",
    "MilpSolver",
    "SolveLimits",
    "SolveStatus",
    "StopReason",
    "decode",
    "formulate",
    "prudent_caps",
]
