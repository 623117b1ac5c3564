"""The indicator batch's jobs: SQL written once, run as it is by DuckDB and by Spark SQL.

Why plain SQL, and not Ibis or a DataFrame API:

- Both engines take SQL natively: DuckDB is a SQL engine, and Spark SQL plans a query exactly
  as it plans DataFrame calls. Nothing sits between the text a reviewer reads and what runs, and
  no third library (Ibis with its two backends, each a version matrix of its own) has to
  translate it the same way twice.
- The input layout (`domain.report.batch_rows.TABLES`) keeps months and days as integers, so
  every job is integer arithmetic, comparisons, CASE, COALESCE, GREATEST/LEAST, GROUP BY,
  joins, UNION ALL and LEAD: the part of SQL where the two engines agree (a bitwise `&`,
  BIT_OR and powers of 2 cast to BIGINT too, for the month masks and packed counts). No date
  function, no string function, no integer division (theirs differ; a masked field is divided
  by a power of 2 written as `65536.0`, exact on both), no shift, no dialect-only syntax. Sums
  are cast to BIGINT (DuckDB sums to HUGEINT, Spark to BIGINT).
- Parameters (the as-of month and day, and from the jurisdiction profile the currency, the
  overdue codes and the sum of their months' columns, the overdue pattern and the dormancy
  threshold) are substituted as literals
  after validation: integers, a currency matching `[A-Z]{3}`, codes of one character from
  `[0-9A-Z*#/]`. No other text reaches the SQL.

The jobs are `STEPS`, one `.sql` file each (one SELECT, its result named after the file), run
in order; an engine registers each result under its name for the later steps (DuckDB: a view,
or a temporary table when the step is `keep`; Spark: a temporary view, cached when `keep`) and
writes the `output` steps as Parquet, sorted by `order_by`. The conformance test
(tests/contract/test_batch_engines.py) runs the same files on both engines and holds the result
to `domain.report.indicators.person_indicators`.

Performance: the 60-month grid is never materialised. A furnished month counts at its own
code; the unfurnished months of an account follow from its opening, its last month and the
months furnished (see account_state.sql and grid_months.sql), except for the rare irregular
accounts, which are read month by month with LEAD (irregular_*.sql). An account's last month
comes with the account (`accounts`), so the 30 million account-months are never folded per
account: one hash aggregate per person and code reads them all, two more read only the overdue
months and those of the last 6 months, and one scan picks the months of irregular accounts.
Nothing is sorted but the outputs. Accounts are integers and unique: joins use the account alone.
Counts of several windows are packed into one BIGINT (the months at a grid code in the last 6,
12, 24 and 60 months, 16 bits each; the hard inquiries and the institutions of three day
windows, 21 bits each): one sum counts all the windows, and the per-person tables joined into
the 150 columns are a third as wide. indicators.sql unpacks them last; grid_months.sql and
inquiry_furnishers.sql give the layouts and their bounds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from string import Template
from typing import SupportsInt

from creditmend.domain.report.batch_rows import month_number
from creditmend.domain.report.indicators import CODE_NAMES, INDICATORS, MONTH_WINDOWS
from creditmend.domain.rules.profile import JurisdictionProfile

CURRENCY = re.compile(r"[A-Z]{3}")
CODE = re.compile(r"[0-9A-Z*#/]")
MASK_BITS = 62  # the overdue mask is a BIGINT: one bit a month of the pattern's window


@dataclass(frozen=True, slots=True)
class Step:
    """One SQL job: `<name>.sql`, its result known to later steps as `name`."""

    name: str
    keep: bool = False  # computed once and kept: read by several later steps
    output: bool = False  # written as <name>.parquet
    order_by: tuple[str, ...] = ()


STEPS: tuple[Step, ...] = (
    Step("account_overdue"),
    Step("account_payments"),
    Step("account_state"),
    Step("irregular_account_months", keep=True),
    Step("irregular_accounts", keep=True),
    Step("irregular_months"),
    Step("grid_months"),
    Step("grid_counts"),
    Step("platform_state", keep=True),
    Step("platforms", output=True, order_by=("person", "furnisher")),
    Step("person_platforms"),
    Step("person_accounts"),
    Step("inquiry_furnishers"),
    Step("person_inquiries"),
    Step("person_records"),
    Step("indicators", output=True, order_by=("person",)),
)

# The outputs' columns, SQL types and nullability: both engines check what they wrote against
# them, so the two write the same Parquet schema. Null only where `person_indicators` gives None.
NULLABLE = frozenset(
    {
        "first_loan_on",
        "oldest_account_months",
        "months_since_overdue",
        "next_expiry_on",
        "months_since_last_activity",
    }
)
_SQL_TYPES = {
    "count": "BIGINT",
    "fen": "BIGINT",
    "days": "BIGINT",
    "months": "BIGINT",
    "date": "DATE",
    "flag": "BOOLEAN",
}
OUTPUTS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "indicators": (
        ("person", "BIGINT", False),
        *(
            (indicator.name, _SQL_TYPES[indicator.unit], indicator.name in NULLABLE)
            for indicator in INDICATORS
        ),
    ),
    "platforms": (
        ("person", "BIGINT", False),
        ("furnisher", "VARCHAR", False),
        ("kind", "VARCHAR", False),
        ("accounts", "BIGINT", False),
        ("accounts_open", "BIGINT", False),
        ("outstanding_balance_fen", "BIGINT", False),
        ("monthly_obligations_fen", "BIGINT", False),
        ("months_since_activity", "BIGINT", False),
        ("dormant", "BOOLEAN", False),
    ),
}

# The packed counts' limits: grid_months.sql packs a person's months at one code in 16 bits (60
# months of at most 1092 accounts), inquiry_furnishers.sql a window's count in 21 bits.
MOST_ACCOUNTS = (2**16 - 1) // 60
MOST_INQUIRIES = 2**21 - 1

# Are the inputs those of this as-of day (a month or an inquiry after it says they are not), and
# within the packed counts' limits (beyond them the counts would be wrong, so the run refuses)?
CHECK_SQL = (
    "SELECT "
    "(SELECT COUNT(*) FROM account_months WHERE month > $as_of_month) AS later_months, "
    "(SELECT COUNT(*) FROM inquiries WHERE day > $as_of_day) AS later_inquiries, "
    "(SELECT COALESCE(MAX(n), 0) FROM "
    "(SELECT COUNT(*) AS n FROM accounts GROUP BY person) AS a) AS most_accounts, "
    "(SELECT COALESCE(MAX(n), 0) FROM "
    "(SELECT COUNT(*) AS n FROM inquiries GROUP BY person) AS i) AS most_inquiries"
)


def parameters(as_of: date, profile: JurisdictionProfile) -> dict[str, str]:
    """The literals substituted into the SQL, each validated. The layout of the packed counts
    holds the profile's grid only when it is the longest month window (60 months)."""
    if not isinstance(as_of, date):
        raise TypeError(f"as_of: {as_of!r} is not a date")
    currency = profile.currency
    if not CURRENCY.fullmatch(currency):
        raise ValueError(f"currency: {currency!r} is not an ISO 4217 code such as CNY")
    if int(profile.grid_months.value) != MONTH_WINDOWS[-1]:
        raise ValueError(f"grid_months: the batch packs {MONTH_WINDOWS[-1]}-month grids")
    codes = sorted(profile.overdue_codes)
    if not codes or not all(CODE.fullmatch(code) for code in codes):
        raise ValueError(f"overdue_codes: {codes!r} are not one-character month codes")
    unnamed = [code for code in codes if code not in CODE_NAMES]
    if unnamed:  # the indicator columns count months by the report's codes (months_o1_6m ...)
        raise ValueError(f"overdue_codes: the batch's indicators have no column for {unnamed}")
    grid = profile.grid_codes
    carried = {grid.settled, grid.transferred, grid.guarantor, grid.assets} & set(codes)
    if carried:  # account_overdue.sql reads overdue months from the furnished months alone
        raise ValueError(f"overdue_codes: {sorted(carried)} are ending codes a grid carries")
    pattern = profile.overdue_pattern
    run, cumulative, window = (
        int(n) for n in (pattern.consecutive, pattern.cumulative, pattern.window)
    )
    if not (1 <= run <= window and 1 <= cumulative <= window <= MASK_BITS):
        raise ValueError(f"overdue_pattern: {run} / {cumulative} / {window} do not fit the mask")
    # A run of `run` overdue months: the mask ANDed with itself shifted by 1 .. run - 1 months.
    overdue_run = " & ".join(["mask", *(f"(mask * {2**k})" for k in range(1, run))])
    return {
        "as_of_month": str(month_number(as_of)),
        "as_of_day": str(as_of.toordinal()),
        "currency": f"'{currency}'",
        "dormant_months": str(int(profile.dormant_months.value)),
        "overdue_codes": ", ".join(f"'{code}'" for code in codes),
        "overdue_sum": " + ".join(f"g.months_{CODE_NAMES[code]}" for code in codes),
        "overdue_run": f"({overdue_run})",
        "pattern_cumulative": str(cumulative),
        "pattern_window": str(window),
    }


def render(text: str, values: dict[str, str]) -> str:
    """The SQL with its `$name` parameters replaced; a missing one is an error."""
    return Template(text).substitute(values)


def step_sql(step: Step, values: dict[str, str]) -> str:
    text = resources.files(__package__).joinpath(f"{step.name}.sql").read_text(encoding="utf-8")
    return render(text, values)


def check_inputs(found: Sequence[SupportsInt], as_of: date) -> None:
    """Raise when `CHECK_SQL` found months or inquiries after the as-of day, or a person beyond
    the packed counts' limits."""
    later_months, later_inquiries, most_accounts, most_inquiries = (int(v) for v in found)
    if later_months or later_inquiries:
        raise ValueError(
            f"as_of: the inputs hold {later_months} account-months and {later_inquiries} "
            f"inquiries after {as_of}; build them for this day"
        )
    if most_accounts > MOST_ACCOUNTS or most_inquiries > MOST_INQUIRIES:
        raise ValueError(
            f"inputs: a person has {most_accounts} accounts and one {most_inquiries} inquiries; "
            f"the batch counts at most {MOST_ACCOUNTS} accounts and {MOST_INQUIRIES} "
            "inquiries a person"
        )
