"""The training sources: each public data set's rows mapped to the score's feature names (the
contract of issue 16) where the meaning carries, and only there. A feature a source cannot
tell is not a column of its features file (never a made-up 0), so training never learns from it.

- `history`: the monthly delinquency grids of `credit_record.csv.gz` (Kaggle "Credit Card
  Approval Prediction", CC0), one grid per ID over months -60..0 (0 is the month of extraction).
  STATUS reads as the bureau's buckets: `0` (1-29 days past due) bucket 1, `1` (30-59) 2, `2`
  (60-89) 3, `3` (90-119) 4, `4` (120-149) 5, `5` (over 150 days or written off) bad debt `B`
  (rank 8); `C` (paid off that month) and `X` (no loan that month) are not overdue. The features
  are read at the as-of month `HISTORY_AS_OF` (-13) from the months up to it; the outcome is 60
  or more days past due (`2`..`5`) in months -12..0. The population: IDs with a month on record
  at or before -13 and at least one in -12..0 (an ID whose record ends before -12 has no
  observed outcome and is left out; one whose record ends inside -12..0 is judged on the months
  it has). Per ID the grid is one account (one card): `open_accounts` is 1 when the as-of month
  is on record and not `X`, `oldest_account_months` counts from the first month on record (the
  account's opening; 47 means "at least 47": the file starts at -60), `opened_6m` /
  `opened_12m` are 1 when that first month lies in the window. `months_since_overdue` counts
  from the latest overdue month up to -13 (at most 47); a grid with none in the months it
  shows up to -13 reads 60 (`features.NO_OVERDUE_SHOWN`, as a bureau file clean in its 60-month
  grid does): "none seen", a censored value, not "never" (the record may start after -60).
  `months_since_activity` counts from the latest month up to -13 whose STATUS is not `X` (a
  loan on the books: paying, paid off that month, or late); a grid all `X` up to -13 counts
  from its first month on record, the opening (the bureau's activity is the latest opening or
  payment), so it equals `oldest_account_months`: "no activity seen since the opening", a
  censored value, never missing (the ID has a file; missing is for no file at all).
  Does not carry: utilisation, overdue_share (no amounts), the bank / non-bank split (the
  issuer's kind is not given), platforms, inquiries, public records.
- `gmsc`: Give Me Some Credit (`cs-training.csv.gz`; Kaggle competition rules: evaluation and
  benchmarks only, never a shipped model). `RevolvingUtilizationOfUnsecuredLines` is
  `utilisation`; the counts of 30-59, 60-89 and 90+ days past due in two years are
  `late_2_24m`, `late_3_24m`, `late_4plus_24m` (times late, not account-months; 96 and 98 are the
  data's codes, not counts, and read as missing); `worst_status_24m` is derived from them (4 for
  any 90+, 3 for 60-89, 2 for 30-59, else 0: a lower bound, since 1-29 days and a 90+ worse than
  bucket 4 are not told); `NumberOfOpenCreditLinesAndLoans` is `open_accounts`,
  `NumberRealEstateLoansOrLines` is `open_accounts_bank` (mortgages and home-equity lines come
  from banks: a lower bound of the bank accounts). `age` is kept as a protected column for the
  fairness check. Does not carry: DebtRatio and MonthlyIncome (the bureau holds no income),
  NumberOfDependents, and every feature the two-year counts cannot give (12-month windows,
  months since overdue, bad debt, months since the last activity: no dates).
- `taiwan`: UCI "default of credit card clients" (CC BY 4.0), one card per holder over April ..
  September 2005; the as-of month is September (PAY_0). PAY_* = k >= 1 is a payment k months
  late, bucket k (9 or more reads 7, the grid's last bucket before bad debt); -2, -1 and 0 are
  not overdue. The counts over the 6 months are `late_2_24m` (PAY = 2), `late_3_24m` (3),
  `late_4plus_24m` (4 and more): lower bounds of the 24-month counts; `worst_status_12m` is the
  worst of the 6 months (a lower bound of 12 months); `months_since_overdue` counts from the
  latest month with PAY >= 1 (at most 5), and is 60 (`features.NO_OVERDUE_SHOWN`) when none
  of the 6 months is overdue: "none seen", a censored value, not "never";
  `months_since_activity` counts from the latest month with PAY_AMT > 0 (0: September, at
  most 5), 6 when none of the 6 months has a payment (censored: the opening is not told);
  `utilisation` is
  BILL_AMT1 / LIMIT_BAL with a negative bill (a credit balance) read as 0. Does not carry: bad
  debt (no write-off code), open and opened accounts and the oldest account (one card, no
  dates), overdue_share (the amount past due is not given), and SEX, MARRIAGE, EDUCATION, AGE,
  which are protected columns for the fairness check, never features.

Values are Decimal (counts as whole Decimals), None when missing, as the contract says.
Training holds each feature monotone the way its meaning says (`features.RISK_OF`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from creditmend.domain.scoring.features import NO_OVERDUE_SHOWN

Values = dict[str, Decimal | None]
PLACES = Decimal("0.0001")
BAD_DEBT_RANK = 8

# ---------------------------------------------------------------- history (credit_record)
HISTORY_AS_OF = -13  # the month the features are read at
HISTORY_OUTCOME = (-12, 0)  # the months the outcome is read in
HISTORY_FIRST = -60  # the file's first month: an older opening is not told
HISTORY_TARGET = "bad_60dpd_12m"  # 1: 60 or more days past due in months -12..0
HISTORY_PROTECTED = ("gender", "age")  # from application_record, when joined
HISTORY_STATUS_RANK = {"0": 1, "1": 2, "2": 3, "3": 4, "4": 5, "5": BAD_DEBT_RANK}
HISTORY_STATUSES = frozenset({*HISTORY_STATUS_RANK, "C", "X"})
HISTORY_BAD = frozenset({"2", "3", "4", "5"})  # 60 or more days past due
HISTORY_FEATURES = (
    "late_2_24m",
    "late_3_24m",
    "late_4plus_24m",
    "bad_debt_24m",
    "months_since_overdue",
    "worst_status_12m",
    "worst_status_24m",
    "open_accounts",
    "opened_6m",
    "opened_12m",
    "oldest_account_months",
    "current_24m",
    "months_since_activity",
)
DAYS_A_YEAR = Decimal("365.25")

# ---------------------------------------------------------------- Give Me Some Credit
GMSC_TARGET = "SeriousDlqin2yrs"
GMSC_PROTECTED = ("age",)
GMSC_UTILISATION = "RevolvingUtilizationOfUnsecuredLines"
GMSC_LATE = (
    "NumberOfTime30-59DaysPastDueNotWorse",
    "NumberOfTime60-89DaysPastDueNotWorse",
    "NumberOfTimes90DaysLate",
)
GMSC_OPEN = "NumberOfOpenCreditLinesAndLoans"
GMSC_REAL_ESTATE = "NumberRealEstateLoansOrLines"
GMSC_NUMBERS = (GMSC_UTILISATION, *GMSC_LATE, GMSC_OPEN, GMSC_REAL_ESTATE)
GMSC_CODES = frozenset({Decimal(96), Decimal(98)})  # in the past-due counts: codes, not counts
GMSC_FEATURES = (
    "late_2_24m",
    "late_3_24m",
    "late_4plus_24m",
    "worst_status_24m",
    "utilisation",
    "open_accounts",
    "open_accounts_bank",
)

# ---------------------------------------------------------------- UCI Taiwan
TAIWAN_STATUS = ("PAY_0", "PAY_2", "PAY_3", "PAY_4", "PAY_5", "PAY_6")  # September .. April
TAIWAN_LIMIT = "LIMIT_BAL"
TAIWAN_BILL = "BILL_AMT1"  # September's bill
TAIWAN_PAID = tuple(f"PAY_AMT{k}" for k in range(1, 7))  # paid in September .. April
TAIWAN_NUMBERS = (TAIWAN_LIMIT, *TAIWAN_STATUS, TAIWAN_BILL, *TAIWAN_PAID)
TAIWAN_TARGET = "default payment next month"
TAIWAN_PROTECTED = ("SEX", "MARRIAGE", "EDUCATION", "AGE")
TAIWAN_LAST_BUCKET = 7  # the grid's last bucket before bad debt
TAIWAN_FEATURES = (
    "late_2_24m",
    "late_3_24m",
    "late_4plus_24m",
    "months_since_overdue",
    "worst_status_12m",
    "utilisation",
    "months_since_activity",
)


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if denominator <= 0:
        return None
    return (numerator / denominator).quantize(PLACES, ROUND_HALF_UP)


def _late_counts(ranks: list[int]) -> Values:
    """late_2, late_3, late_4plus and bad debt counts of the buckets of some account-months."""
    return {
        "late_2_24m": Decimal(ranks.count(2)),
        "late_3_24m": Decimal(ranks.count(3)),
        "late_4plus_24m": Decimal(sum(1 for r in ranks if 4 <= r < BAD_DEBT_RANK)),
        "bad_debt_24m": Decimal(ranks.count(BAD_DEBT_RANK)),
    }


# ---------------------------------------------------------------- history
def history_outcome(grid: Mapping[int, str]) -> Decimal | None:
    """1 when the grid shows 60 or more days past due in months -12..0, 0 when not, None when
    the ID is outside the population (nothing on record at or before -13, or nothing in
    -12..0: no observed outcome)."""
    first, last = HISTORY_OUTCOME
    observed = [grid[m] for m in range(first, last + 1) if m in grid]
    if not observed or min(grid) > HISTORY_AS_OF:
        return None
    return Decimal(any(status in HISTORY_BAD for status in observed))


def from_history(grid: Mapping[int, str], as_of: int = HISTORY_AS_OF) -> Values:
    """The features of one ID's monthly STATUS grid (month -> STATUS) at the month `as_of`,
    from the months up to it; `grid` must hold a month at or before `as_of`."""
    months = sorted(m for m in grid if m <= as_of)
    if not months:
        raise ValueError(f"no month on record at or before {as_of}")
    rank = {m: HISTORY_STATUS_RANK.get(grid[m], 0) for m in months}
    last_24 = [rank[m] for m in months if m > as_of - 24]
    last_12 = [rank[m] for m in months if m > as_of - 12]
    overdue = [m for m in months if rank[m]]
    opened = months[0]
    active = [m for m in months if grid[m] != "X"]
    return {
        **_late_counts(last_24),
        "months_since_overdue": Decimal(as_of - overdue[-1]) if overdue else NO_OVERDUE_SHOWN,
        "worst_status_12m": Decimal(max(last_12, default=0)),
        "worst_status_24m": Decimal(max(last_24, default=0)),
        "open_accounts": Decimal(as_of in grid and grid[as_of] != "X"),
        "opened_6m": Decimal(opened > as_of - 6),
        "opened_12m": Decimal(opened > as_of - 12),
        "oldest_account_months": Decimal(as_of - opened),
        "current_24m": Decimal(sum(1 for m in months if m > as_of - 24 and grid[m] in ("C", "0"))),
        # all `X` up to the as-of month: no activity seen since the opening (censored)
        "months_since_activity": Decimal(as_of - max(active, default=opened)),
    }


def age_in_years(days_birth: str) -> Decimal:
    """Whole years from `DAYS_BIRTH` (days before the application, negative)."""
    days = -Decimal(days_birth)
    if days < 0:
        raise ValueError(f"{days_birth!r} is not a day before the application")
    return (days / DAYS_A_YEAR).to_integral_value(ROUND_FLOOR)


# ---------------------------------------------------------------- Give Me Some Credit
def from_gmsc(row: Mapping[str, str]) -> Values:
    """The features of one row of Give Me Some Credit (cells as written; empty is missing)."""

    def read(column: str) -> Decimal | None:
        text = (row.get(column) or "").strip()
        return Decimal(text) if text and text.lower() != "na" else None

    late = [read(column) for column in GMSC_LATE]
    counts: list[Decimal | None] = (
        [None] * 3 if any(n is None or n in GMSC_CODES for n in late) else late
    )
    worst: Decimal | None = None
    if all(n is not None for n in counts):
        worst = next(
            (Decimal(k) for k, n in zip((4, 3, 2), reversed(counts), strict=True) if n), Decimal(0)
        )
    utilisation = read(GMSC_UTILISATION)
    return {
        "late_2_24m": counts[0],
        "late_3_24m": counts[1],
        "late_4plus_24m": counts[2],
        "worst_status_24m": worst,
        "utilisation": None if utilisation is None else utilisation.quantize(PLACES, ROUND_HALF_UP),
        "open_accounts": read(GMSC_OPEN),
        "open_accounts_bank": read(GMSC_REAL_ESTATE),
    }


# ---------------------------------------------------------------- UCI Taiwan
def from_taiwan(row: Mapping[str, str]) -> Values:
    """The features of one row of the UCI "default of credit card clients" data."""
    ranks = [
        min(max(int(Decimal(row[column])), 0), TAIWAN_LAST_BUCKET) for column in TAIWAN_STATUS
    ]  # September (0 months before the as-of month) .. April (5)
    counts = _late_counts(ranks)
    del counts["bad_debt_24m"]  # no write-off code in the data
    late = [back for back, r in enumerate(ranks) if r]
    paid = [back for back, column in enumerate(TAIWAN_PAID) if Decimal(row[column]) > 0]
    bill = max(Decimal(row[TAIWAN_BILL]), Decimal(0))
    return {
        **counts,
        "months_since_overdue": Decimal(late[0]) if late else NO_OVERDUE_SHOWN,
        "worst_status_12m": Decimal(max(ranks)),
        "utilisation": _ratio(bill, Decimal(row[TAIWAN_LIMIT])),
        "months_since_activity": Decimal(paid[0] if paid else len(TAIWAN_PAID)),
    }
