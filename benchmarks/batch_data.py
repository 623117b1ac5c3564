"""The batch benchmark's population, generated straight into the batch's input layout (`TABLES`).

Vectorised with numpy, chunk by chunk (50,000 persons at a time, one row group each), seeded:
the same arguments give the same files. The mix, per person: 0..8 accounts (2.6 on average,
10 % with none), on 60 lenders of which 12 are banks (a few big ones take most accounts);
about 15 % revolving (credit cards), 1 % in USD; opened up to 84 months before the as-of month
(so some before the 60-month window). Loans run 3..36 months and end with a settled month (1 %
repaid by a guarantor `D`, 0.5 % by assets `Z`); cards run until the as-of month or close.
Behaviour: 85 % pay as agreed; 10 % fall 1..3 months behind once and catch up; 5 % default
(days past due growing 30 a month, charged off past 180 days, 10 % of them then transferred).
About 2 % of accounts start furnishing 1..2 months after opening, 0.5 % a month before it
(their grid is read month by month), and 3 % miss one month.
About 4 inquiries a person over two years (65 % hard), 2 % of persons have a court record (3 in
5 of them active: by person number, drawing nothing, so the rest is as version 2 drew it), 1 %
a blacklist entry; every overdue episode is a negative record (uncured ones without expiry).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from creditmend.adapters.batch.parquet import arrow_schema, table_path
from creditmend.domain.report.batch_rows import TABLES, month_number

CHUNK = 50_000
VERSION = 3  # of the generator: a change makes cached data stale
LENDERS, BANKS = 60, 12
CODES = np.array(["N", "1", "2", "3", "4", "5", "6", "7", "C", "G", "D", "Z", "B", "*"])
STATUSES = np.array(["open", "settled", "closed", "transferred", "charged_off"])
KINDS = np.array(["bank", "non_bank"])
RECORD_KINDS = np.array(["dishonest_judgment_debtor", "enforced_debtor", "consumption_restriction"])


def _strings(values: np.ndarray[Any, Any], vocabulary: np.ndarray[Any, Any]) -> pa.Array:
    """Plain strings from indices into a small vocabulary."""
    return pa.DictionaryArray.from_arrays(
        pa.array(values.astype(np.int32)), pa.array(vocabulary)
    ).cast(pa.string())


def _month_days(months: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Days since 1970-01-01 of the first day of each month number (year * 12 + month - 1)."""
    return (months - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]").astype(np.int32)


def _dates(days: np.ndarray[Any, Any], mask: np.ndarray[Any, Any] | None = None) -> pa.Array:
    return pa.array(days.astype(np.int32), pa.int32(), mask=mask).view(pa.date32())


def _keys(prefix: str, numbers: np.ndarray[Any, Any]) -> pa.Array:
    return pc.binary_join_element_wise(prefix, pc.cast(pa.array(numbers), pa.string()), "")


def _table(name: str, columns: dict[str, Any]) -> pa.Table:
    schema = arrow_schema(name)
    return pa.table([pa.array(columns[f.name], type=f.type) for f in schema], schema=schema)


def _chunk(rng: np.random.Generator, first: int, persons: int, as_of: date) -> dict[str, pa.Table]:
    last = month_number(as_of)
    person_ids = np.arange(first, first + persons, dtype=np.int64)
    tables: dict[str, pa.Table] = {"persons": _table("persons", {"person": person_ids})}

    # accounts -----------------------------------------------------------------------------
    counts = rng.choice(9, size=persons, p=[0.1, 0.24, 0.22, 0.15, 0.11, 0.08, 0.05, 0.03, 0.02])
    owner = np.repeat(person_ids, counts)
    n = len(owner)
    number = first * 10 + np.arange(n)  # unique across chunks: fewer than 10 accounts a person
    weights = 1 / np.arange(1, LENDERS + 1) ** 0.9
    lender = rng.choice(LENDERS, size=n, p=weights / weights.sum())
    kind = (lender >= BANKS).astype(np.int32)
    revolving = rng.random(n) < 0.15
    usd = rng.random(n) < 0.01
    opened = last - rng.integers(0, 84, n)
    opened_day = rng.integers(1, 29, n)
    term = np.where(
        revolving,
        np.minimum(rng.geometric(1 / 14, n), 120),
        rng.choice([3, 6, 12, 24, 36], size=n, p=[0.2, 0.25, 0.35, 0.15, 0.05]),
    )
    principal = (rng.integers(10, 500, n) * 10_000).astype(np.int64)  # 1,000..50,000 CNY
    behaviour = rng.random(n)  # < .85 prompt, < .95 late once, else default
    defaults = behaviour >= 0.95
    late = (behaviour >= 0.85) & ~defaults
    early = rng.random(n)  # < .005: one month furnished before the opening month (a late date)
    start = opened + np.where(early < 0.005, -1, np.where(early > 0.98, rng.integers(1, 3, n), 0))
    end = np.where(defaults, opened + term + 6, opened + term)  # a loan's last row settles it
    end = np.minimum(end, last)
    start = np.minimum(start, end)
    rows_n = end - start + 1
    gap = (rng.random(n) < 0.03) & (rows_n > 3)
    gap_at = np.where(gap, rng.integers(1, np.maximum(rows_n - 1, 2)), 1 << 30)
    rows_n = rows_n - gap
    trouble_at = rng.integers(0, np.maximum(rows_n, 1))
    trouble_len = rng.integers(1, 4, n)
    ends_here = opened + term <= last  # the term ended by the as-of month: a last ending row
    accounts: dict[str, Any] = {
        "person": owner,
        "account": number,
        "furnisher": _keys("L", lender),
        "furnisher_kind": _strings(kind, KINDS),
        "account_type": _strings(revolving, np.array(["microloan", "credit_card"])),
        "currency": _strings(usd, np.array(["CNY", "USD"])),
        "opened_on": _dates(_month_days(opened) + opened_day - 1),
        "opened_month": opened.astype(np.int32),
        "principal_fen": pa.array(np.where(revolving, 0, principal), mask=revolving),
        "credit_limit_fen": pa.array(np.where(revolving, principal, 0), mask=~revolving),
    }

    # account-months ---------------------------------------------------------------------------
    which = np.repeat(np.arange(n), rows_n)
    position = np.arange(len(which)) - np.repeat(np.cumsum(rows_n) - rows_n, rows_n)
    month = start[which] + position + (position >= gap_at[which])
    is_last = position == rows_n[which] - 1
    k, length = trouble_at[which], trouble_len[which]
    dpd = np.zeros(len(which), dtype=np.int32)
    behind = late[which] & (position >= k) & (position < k + length) & ~is_last
    dpd[behind] = (15 + 30 * (position - k))[behind]
    failing = defaults[which] & (position >= k)
    dpd[failing] = (15 + 30 * (position - k))[failing]
    status = np.zeros(len(which), dtype=np.int32)  # open
    status[failing & (dpd > 180)] = 4  # charged off
    settles = is_last & ends_here[which] & ~defaults[which]
    status[settles & ~revolving[which]] = 1  # settled
    status[settles & revolving[which] & (rng.random(len(which)) < 0.25)] = 2  # card closed
    status[is_last & defaults[which] & (rng.random(len(which)) < 0.1)] = 3  # transferred
    base = principal[which]
    instalment = np.where(revolving[which], base // 10, base // np.maximum(term[which], 1))
    nothing_due = revolving[which] & (rng.random(len(which)) < 0.05)
    scheduled = np.where(nothing_due, 0, instalment)
    past_due = np.where(dpd > 0, scheduled * (dpd // 30 + 1), 0)
    paid = np.where(dpd > 0, 0, scheduled)
    left = np.maximum(term[which] - position, 0)
    balance = np.where(
        revolving[which],
        np.where(nothing_due, 0, base // 3),
        instalment * left,
    )
    balance[status == 1] = 0
    code = np.zeros(len(which), dtype=np.int32)  # N
    code[(scheduled == 0) & (past_due == 0)] = 13  # *
    bucket = np.minimum((dpd + 29) // 30, 7)
    code[dpd > 0] = bucket[dpd > 0]
    code[status == 4] = 12  # B
    code[status == 3] = 9  # G
    code[(status == 1) | (status == 2)] = 8  # C
    remark = rng.random(len(which))
    code[(status == 1) & (remark < 0.01)] = 10  # D
    code[(status == 1) & (remark >= 0.01) & (remark < 0.015)] = 11  # Z
    # each account's first and last furnished month, the last one's state, its last payment and
    # its first ending month
    last_row = np.cumsum(rows_n) - 1
    first_row = last_row - rows_n + 1
    paid_month = np.maximum.reduceat(np.where(paid > 0, month, -1), first_row)
    ending = (status >= 1) & (status <= 3)  # settled, closed, transferred
    ended_month = np.minimum.reduceat(np.where(ending, month, 1 << 30), first_row)
    tables["accounts"] = _table(
        "accounts",
        {
            **accounts,
            "first_month": month[first_row].astype(np.int32),
            "last_month": month[last_row].astype(np.int32),
            "last_code": _strings(code[last_row], CODES),
            "last_status": _strings(status[last_row], STATUSES),
            "last_days_past_due": dpd[last_row],
            "last_scheduled_fen": scheduled[last_row],
            "last_balance_fen": balance[last_row],
            "last_past_due_fen": past_due[last_row],
            "last_paid_month": pa.array(paid_month.astype(np.int32), mask=paid_month < 0),
            "ended_month": pa.array(ended_month.astype(np.int32), mask=ended_month == 1 << 30),
        },
    )
    tables["account_months"] = _table(
        "account_months",
        {
            "person": owner[which],
            "account": number[which],
            "month": month.astype(np.int32),
            "code": _strings(code, CODES),
            "status": _strings(status, STATUSES),
            "days_past_due": dpd,
            "scheduled_fen": scheduled,
            "paid_fen": paid,
            "balance_fen": balance,
            "past_due_fen": past_due,
        },
    )

    # inquiries, records, blacklist, negative records -----------------------------------------
    asks = rng.poisson(4, persons)
    asker = np.repeat(person_ids, asks)
    m = len(asker)
    lender_asking = rng.choice(LENDERS, size=m, p=weights / weights.sum())
    self_inquiry = rng.random(m) < 0.03
    tables["inquiries"] = _table(
        "inquiries",
        {
            "person": asker,
            "furnisher": pa.array(
                _keys("L", lender_asking).to_numpy(zero_copy_only=False), mask=self_inquiry
            ),
            "furnisher_kind": pa.array(
                KINDS[(lender_asking >= BANKS).astype(int)], mask=self_inquiry
            ),
            "day": (as_of.toordinal() - rng.integers(0, 730, m)).astype(np.int32),
            "hard": ~self_inquiry & (rng.random(m) < 0.67),
        },
    )
    court = person_ids[rng.random(persons) < 0.02]
    tables["public_records"] = _table(
        "public_records",
        {
            "person": court,
            "kind": _strings(rng.integers(0, 3, len(court)), RECORD_KINDS),
            "active": court % 5 < 3,
        },
    )
    listed = person_ids[rng.random(persons) < 0.01]
    tables["blacklist"] = _table(
        "blacklist",
        {"person": listed, "category": pa.array(["fraud"] * len(listed), pa.string())},
    )
    troubled = np.flatnonzero(late | defaults)
    cured = late[troubled]
    cured_month = start[troubled] + trouble_at[troubled] + trouble_len[troubled]
    tables["negative"] = _table(
        "negative",
        {
            "person": owner[troubled],
            # five years from the month the overdue was cured; uncured: no expiry
            "expires_on": _dates(_month_days(cured_month + 60), mask=~cured),
        },
    )
    return tables


def _chunks(persons: int, seed: int, as_of: date) -> Iterator[dict[str, pa.Table]]:
    rng = np.random.default_rng(seed)
    for first in range(1, persons + 1, CHUNK):
        yield _chunk(rng, first, min(CHUNK, persons + 1 - first), as_of)


def generate(folder: Path, persons: int, seed: int, as_of: date) -> dict[str, int]:
    """Write the population's input tables into `folder`; returns rows per table."""
    folder.mkdir(parents=True, exist_ok=True)
    writers = {
        name: pq.ParquetWriter(table_path(folder, name), arrow_schema(name)) for name in TABLES
    }
    counts = dict.fromkeys(TABLES, 0)
    try:
        for tables in _chunks(persons, seed, as_of):
            for name, table in tables.items():
                writers[name].write_table(table)
                counts[name] += table.num_rows
    finally:
        for writer in writers.values():
            writer.close()
    return counts


def cached(root: Path, persons: int, seed: int, as_of: date, limit: int | None = None) -> Path:
    """The population's folder under `root`, generated once; with `limit`, only the persons
    numbered up to it (the pandas baseline's sample), cut from the full population."""
    name = f"v{VERSION}-{persons}-{seed}-{as_of.isoformat()}"
    folder = root / name
    done = folder / "manifest.json"
    if not done.is_file():
        shutil.rmtree(folder, ignore_errors=True)
        counts = generate(folder, persons, seed, as_of)
        done.write_text(json.dumps(counts, indent=2) + "\n", encoding="utf-8")
    if limit is None or limit >= persons:
        return folder
    sample = root / f"{name}-first-{limit}"
    if not (sample / "manifest.json").is_file():
        shutil.rmtree(sample, ignore_errors=True)
        sample.mkdir(parents=True)
        counts = {}
        for table in TABLES:
            data = pq.read_table(table_path(folder, table), filters=[("person", "<=", limit)])
            pq.write_table(data, table_path(sample, table))
            counts[table] = data.num_rows
        (sample / "manifest.json").write_text(json.dumps(counts, indent=2) + "\n", encoding="utf-8")
    return sample


def manifest(folder: Path) -> dict[str, int]:
    counts: dict[str, int] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return counts
