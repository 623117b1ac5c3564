"""The indicator batch's floors, for `batch_bench`: what any batch reading the same inputs and
writing the same outputs must do at least, run on DuckDB.

- `output_floor`: the output's share of the work (issue 19): every input table read once,
  `indicators.parquet` and `platforms.parquet` written with the batch's declared schemas and row
  counts by the batch's own writer, each column filled from one aggregate of the input table its
  work reads, of its unit (counts, sums of money, months, days, dates, flags). The aggregates are
  chosen so the floor's files are about as hard to encode as the batch's (about the same size,
  which the benchmark prints). Unsorted: the batch sorts its outputs, the floor does not.
- `floor`: issue 4's floor, 12 columns, one GROUP BY person per input table, written with
  DuckDB's `COPY`; with `narrow`, one GROUP BY person over account_months alone.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from string import Template

AS_OF = date(2026, 6, 30)


def floor(inputs: Path, out: Path, narrow: bool) -> int:
    import duckdb  # noqa: PLC0415

    def scan(table: str) -> str:
        return f"read_parquet('{inputs / f'{table}.parquet'}')"

    con = duckdb.connect(config={"preserve_insertion_order": False})
    if narrow:
        query = (
            "SELECT person, COUNT(*) AS months, SUM(balance_fen) AS balance, "
            "SUM(past_due_fen) AS past_due, MAX(days_past_due) AS days_past_due "
            f"FROM {scan('account_months')} GROUP BY person"
        )
    else:
        query = f"""
            SELECT p.person, m.months, m.balance, m.past_due, m.days_past_due, a.accounts,
                a.principal, i.inquiries, i.hard, r.records, b.listed, n.negative
            FROM {scan("persons")} AS p
            LEFT JOIN (
                SELECT person, COUNT(*) AS months, SUM(balance_fen) AS balance,
                    SUM(past_due_fen) AS past_due, MAX(days_past_due) AS days_past_due
                FROM {scan("account_months")} GROUP BY person
            ) AS m ON m.person = p.person
            LEFT JOIN (
                SELECT person, COUNT(*) AS accounts, SUM(principal_fen) AS principal
                FROM {scan("accounts")} GROUP BY person
            ) AS a ON a.person = p.person
            LEFT JOIN (
                SELECT person, COUNT(*) AS inquiries, SUM(CASE WHEN hard THEN 1 ELSE 0 END) AS hard
                FROM {scan("inquiries")} GROUP BY person
            ) AS i ON i.person = p.person
            LEFT JOIN (SELECT person, COUNT(*) AS records FROM {scan("public_records")}
                GROUP BY person) AS r ON r.person = p.person
            LEFT JOIN (SELECT person, COUNT(*) AS listed FROM {scan("blacklist")}
                GROUP BY person) AS b ON b.person = p.person
            LEFT JOIN (SELECT person, COUNT(*) AS negative FROM {scan("negative")}
                GROUP BY person) AS n ON n.person = p.person
        """
    con.execute(f"COPY ({query}) TO '{out / 'floor.parquet'}' (FORMAT parquet)")
    rows = con.execute(f"SELECT COUNT(*) FROM read_parquet('{out / 'floor.parquet'}')").fetchone()
    return int(rows[0]) if rows else 0


# --------------------------------------------------------------------- the output-shaped floor

# The input table whose aggregate fills each indicator column in the output-shaped floor: the
# table that column's work reads in the batch (by the column's name); any other reads `accounts`.
_SOURCES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("inquiries", ("hard_inquiries_", "institutions_")),
    ("public_records", ("public_records",)),
    ("blacklist", ("blacklist_",)),
    ("negative", ("negative_", "next_expiry_on")),
    (
        "account_months",
        (
            *(f"months_{code}_" for code in ("n", "m", "c", "g", "d", "z", "b", "none_due")),
            *("months_o", "months_unknown_", "months_since_overdue", "worst_bucket_"),
            *("paid_fen_", "scheduled_fen_", "active_months_", "accounts_3_or_6", "flag_3_or_6"),
        ),
    ),
)
# Each input table's aggregates per person, by the unit of the column they fill (`INDICATORS`):
# the floor fills the k-th column of a table's share in a unit with its (k mod n)-th aggregate
# in that unit. They are chosen so the floor's columns are about as hard to encode as the
# batch's (mostly small counts, a few sums of money): the floor's files are about the batch's
# size (the benchmark prints both; an earlier choice of dense counts and sums made them 2 to 5
# times larger, a floor slower than it need be). `accounts` is read once, grouped by
# person and platform (`platform_floor`), which is written as platforms.parquet and grouped
# again by person.
_AGGREGATES: dict[str, dict[str, tuple[str, ...]]] = {
    "account_months": {
        "months": (
            "COUNT(CASE WHEN month > $as_of_month - 6 THEN 1 END)",
            "COUNT(CASE WHEN days_past_due > 30 AND month > $as_of_month - 6 THEN 1 END)",
            "COUNT(CASE WHEN days_past_due > 60 AND month > $as_of_month - 12 THEN 1 END)",
            "COUNT(CASE WHEN days_past_due > 90 AND month > $as_of_month - 24 THEN 1 END)",
            "COUNT(CASE WHEN days_past_due > 120 THEN 1 END)",
            "COUNT(CASE WHEN days_past_due > 0 AND month > $as_of_month - 3 THEN 1 END)",
        ),
        "count": (
            "COUNT(CASE WHEN days_past_due > 120 AND month > $as_of_month - 12 THEN 1 END)",
            "COUNT(CASE WHEN days_past_due > 150 THEN 1 END)",
        ),
        "fen": (
            "SUM(CASE WHEN month > $as_of_month - 6 THEN paid_fen END)",
            "SUM(CASE WHEN month > $as_of_month - 6 THEN scheduled_fen END)",
        ),
        "flag": ("BOOL_OR(days_past_due > 90)",),
    },
    "accounts": {
        "count": ("SUM(accounts)", "SUM(accounts_open)", "COUNT(*)", "SUM(dormant::INT)"),
        "fen": (
            "SUM(credit_limit)",
            "MAX(outstanding_balance_fen)",
            "MAX(monthly_obligations_fen)",
            "SUM(past_due_fen)",
        ),
        "months": ("MIN(months_since_activity)", "MAX(months_since_activity)"),
        "days": ("MAX(days_past_due)",),
        "date": ("MIN(opened_on)",),
    },
    "inquiries": {
        "count": (
            *(
                f"COUNT(CASE WHEN hard AND day > $as_of_day - {days} THEN 1 END)"
                for days in (7, 15, 30, 90, 180, 365)
            ),
        ),
    },
    "public_records": {"count": ("COUNT(*)", "COUNT(CASE WHEN active THEN 1 END)")},
    "blacklist": {"count": ("COUNT(*)",)},
    "negative": {"count": ("COUNT(*)", "COUNT(expires_on)"), "date": ("MIN(expires_on)",)},
}
_EMPTY = {"BIGINT": "0", "BOOLEAN": "FALSE"}
PLATFORM_FLOOR = """
    SELECT person, furnisher, MIN(furnisher_kind) AS kind, COUNT(*) AS accounts,
        COUNT(CASE WHEN last_status = 'open' THEN 1 END) AS accounts_open,
        SUM(credit_limit_fen) AS credit_limit,
        SUM(CASE WHEN last_status = 'open' THEN last_balance_fen END) AS outstanding_balance_fen,
        SUM(CASE WHEN last_status = 'open' THEN last_scheduled_fen END)
            AS monthly_obligations_fen,
        $as_of_month - MAX(last_month) AS months_since_activity,
        BOOL_OR(last_days_past_due > 0) AS dormant, MAX(last_days_past_due) AS days_past_due,
        SUM(last_past_due_fen) AS past_due_fen, MIN(opened_on) AS opened_on
    FROM accounts GROUP BY person, furnisher
"""


def _source(column: str) -> str:
    for table, prefixes in _SOURCES:
        if column.startswith(prefixes):
            return table
    return "accounts"


def output_floor_sql() -> dict[str, str]:
    """The output-shaped floor's queries: `platforms` and `indicators` with the batch's declared
    columns (`jobs.OUTPUTS`), each column filled from one aggregate of the input table its work
    reads, every input table read once (`accounts` through `platform_floor`)."""
    from creditmend.adapters.batch.jobs import OUTPUTS  # noqa: PLC0415
    from creditmend.domain.report.batch_rows import month_number  # noqa: PLC0415
    from creditmend.domain.report.indicators import INDICATORS  # noqa: PLC0415

    empty = {**_EMPTY, "VARCHAR": "''"}
    platforms = ", ".join(
        f"COALESCE(CAST({name} AS {kind}), {empty[kind]}) AS {name}"
        for name, kind, _ in OUTPUTS["platforms"]
    )
    units = {indicator.name: indicator.unit for indicator in INDICATORS}
    used: dict[str, dict[str, int]] = {table: {} for table in _AGGREGATES}
    columns = ["p.person AS person"]
    for name, kind, nullable in OUTPUTS["indicators"][1:]:
        table, unit = _source(name), units[name]
        k = used[table].get(unit, 0)
        used[table][unit] = k + 1
        value = f"CAST({table}.{unit}_{k % len(_AGGREGATES[table][unit])} AS {kind})"
        columns.append(
            f"{value} AS {name}" if nullable else f"COALESCE({value}, {_EMPTY[kind]}) AS {name}"
        )
    joins = []
    for table, by_unit in _AGGREGATES.items():
        aggregates = ", ".join(
            f"{aggregate} AS {unit}_{k}"
            for unit, choices in by_unit.items()
            for k, aggregate in enumerate(choices)
            if k < used[table].get(unit, 0)
        )
        source = "platform_floor" if table == "accounts" else table
        joins.append(
            f"LEFT JOIN (SELECT person, {aggregates} FROM {source} GROUP BY person) AS {table} "
            f"ON {table}.person = p.person"
        )
    indicators = Template(f"SELECT {', '.join(columns)} FROM persons AS p {' '.join(joins)}")
    as_of_day = str(AS_OF.toordinal())
    return {
        "platforms": f"SELECT {platforms} FROM platform_floor",
        "indicators": indicators.substitute(
            as_of_day=as_of_day, as_of_month=str(month_number(AS_OF))
        ),
    }


def output_floor(inputs: Path, out: Path) -> int:
    """The output-shaped floor: DuckDB configured as the batch's engine, every input table read
    once, both outputs written with their declared schemas by the batch's own writer (unsorted:
    the batch sorts its outputs, the floor does not)."""
    from creditmend.adapters.batch.duckdb_engine import DuckDBEngine  # noqa: PLC0415
    from creditmend.adapters.batch.parquet import table_path  # noqa: PLC0415
    from creditmend.domain.report.batch_rows import TABLES, month_number  # noqa: PLC0415

    engine = DuckDBEngine()
    queries = output_floor_sql()
    with engine.connect() as con:
        for table in TABLES:
            path = str(table_path(inputs, table)).replace("'", "''")
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{path}')")
        as_of_month = str(month_number(AS_OF))
        con.execute(
            f"CREATE TEMP TABLE platform_floor AS "
            f"{Template(PLATFORM_FLOOR).substitute(as_of_month=as_of_month)}"
        )
        engine.write_query(con, "platforms", queries["platforms"], out)
        return engine.write_query(con, "indicators", queries["indicators"], out)
