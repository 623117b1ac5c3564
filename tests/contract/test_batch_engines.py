"""Conformance of the indicator batch: the SQL jobs on DuckDB and on Spark against the definition.

Credit files are built as the store hands them over (`CreditFileFacts`: furnished months,
overdue episodes found by `overdue_episodes`, court records, blacklist entries, inquiries) and
decided by the real domain (`visible_file`: retention, the PBOC repair policy, grid codes).
Each person's `batch_rows` go through `write_tables` into Parquet; then

- DuckDB's row for every person equals `person_indicators` (the definition), and its platform
  lines equal `platform_indicators`;
- Spark's outputs equal DuckDB's exactly (same rows in the same order, same Parquet schema).

Files are random (hypothesis, and seeded populations) with the cases the grid reading must get
right: gaps in furnishing, accounts ended (settled, closed, transferred) with or without later
months, charged-off accounts, months furnished before the opening, opening before the 60-month
window, overdue runs at the edge of the 24-month window, guarantor and asset remarks, revolving
accounts, another currency, the score's 3- and 6-month windows (their edges, `B` among the
buckets, payments in another currency), inquiries at the edges of every day window and hard ones
with no asker named, court records performed before, on and after the as-of day (active or not),
and as-of days at the start and the end of a month. Spark starts once for
the module.
"""

from __future__ import annotations

import random
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditmend.adapters.batch import jobs
from creditmend.adapters.batch.duckdb_engine import DuckDBEngine
from creditmend.adapters.batch.parquet import output_schema, write_tables
from creditmend.adapters.batch.spark_engine import QUICK_JVM, SparkEngine, SparkMissingError
from creditmend.domain.creditfile.furnishing import ASSET_REPAID, GUARANTOR_PAID, AccountStatus
from creditmend.domain.creditfile.grid import MonthFacts
from creditmend.domain.creditfile.records import PublicRecordKind, PublicRecordStatus
from creditmend.domain.creditfile.retention import (
    MonthRow,
    NegativeFact,
    overdue_episodes,
    retention_rules,
)
from creditmend.domain.report.batch_rows import TABLES, account_number, batch_rows, month_number
from creditmend.domain.report.file import (
    AccountFacts,
    BlacklistFacts,
    CreditFileFacts,
    FurnisherFacts,
    InquiryFacts,
    PublicRecordFacts,
    VisibleFile,
    visible_file,
)
from creditmend.domain.report.indicators import (
    DAY_WINDOWS,
    FURNISHER_KINDS,
    NAMES,
    person_indicators,
    platform_indicators,
)
from creditmend.domain.rules.cn import CN
from creditmend.domain.rules.policies import FactKind
from creditmend.domain.rules.profile import OverduePattern, Sourced

pytestmark = pytest.mark.slow  # Spark and random files: minutes (make test runs it)

CURRENCY = "CNY"
FURNISHERS = {
    code: FurnisherFacts(code, f"Lender {code}", kind)
    for code, kind in (
        ("B1", "bank"),
        ("B2", "bank"),
        ("N1", "non_bank"),
        ("N2", "non_bank"),
        ("N3", "non_bank"),
    )
}
UNREGISTERED = "X9"  # furnishes and asks, but is not in the registry
EDGE_ACCOUNTS = 10**9  # the store's numbers of the hand-picked accounts: 10**9 + n for `en`
FINAL = (AccountStatus.SETTLED, AccountStatus.CLOSED, AccountStatus.TRANSFERRED)
AS_OF_DAYS = (
    date(2026, 6, 30),  # a month's last day
    date(2026, 4, 1),  # a month's first day, after the PBOC repair's deadline
    date(2024, 2, 29),
    date(2025, 12, 31),
    date(2026, 1, 1),
)

# ----------------------------------------------------------------------- building credit files


def month_start(number: int) -> date:
    year, month = divmod(number, 12)
    return date(year, month + 1, 1)


def money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low, high)).scaleb(-2)


class Month:
    """One furnished month, as a test writes it down."""

    def __init__(
        self,
        status: AccountStatus = AccountStatus.OPEN,
        dpd: int = 0,
        scheduled: str = "500.00",
        paid: str | None = None,
        past_due: str = "0.00",
        balance: str = "5000.00",
        remarks: tuple[str, ...] = (),
    ) -> None:
        self.facts = MonthFacts(
            status,
            dpd,
            Decimal(scheduled),
            Decimal(scheduled if paid is None and dpd == 0 else paid or "0"),
            Decimal(past_due),
            remarks,
        )
        self.balance = Decimal(balance)


def account(
    key: str,
    furnisher: str,
    opened_on: date,
    months: Mapping[int, Month],
    *,
    currency: str = CURRENCY,
    principal: str | None = "6000.00",
    credit_limit: str | None = None,
    account_type: str = "online_consumer_loan",
) -> AccountFacts:
    """An account from its furnished months, keyed by month number."""
    history = []
    for number, month in sorted(months.items()):
        period = month_start(number)
        facts = month.facts
        history.append(
            MonthRow(
                period,
                facts.days_past_due,
                facts.past_due_amount,
                str(facts.status),
                period + timedelta(days=9) if facts.paid_amount > 0 else None,
                period + timedelta(days=14) if facts.status in FINAL[:2] else None,
            )
        )
    return AccountFacts(
        furnisher=furnisher,
        account_id=key.rsplit(":", 1)[-1],
        account_type=account_type,
        currency=currency,
        opened_on=opened_on,
        principal=None if principal is None else Decimal(principal),
        credit_limit=None if credit_limit is None else Decimal(credit_limit),
        months={month_start(n): m.facts for n, m in months.items()},
        balances={month_start(n): m.balance for n, m in months.items()},
        key=key,
        history=tuple(history),
    )


def inquiry(on: date, by: str | None, purpose: str, ref: str) -> InquiryFacts:
    known = FURNISHERS.get(by or "")
    return InquiryFacts(
        on, by, purpose, CN.inquiry_purposes[purpose], ref, known.kind if known else None
    )


def public_record(
    ref: str, kind: str, filed_on: date, status: str, ended_on: date | None
) -> tuple[PublicRecordFacts, NegativeFact | None]:
    record = PublicRecordFacts(
        ref, kind, "court", "(2024)1", filed_on, Decimal("1000.00"), status, ended_on
    )
    if status == PublicRecordStatus.REVOKED:
        return record, None  # a withdrawn listing is no negative information
    repaid = ended_on if status == PublicRecordStatus.PERFORMED else None
    fact = NegativeFact(FactKind.PUBLIC_RECORD, ref, filed_on, ended_on, record.amount, repaid)
    return record, fact


def blacklist(ref: str, listed_on: date, expires_on: date | None) -> tuple[BlacklistFacts, Any]:
    entry = BlacklistFacts(ref, "consortium", "fraud", listed_on, expires_on, "test")
    return entry, NegativeFact(FactKind.BLACKLIST, ref, listed_on, None, expires_on=expires_on)


def credit_file(
    accounts: tuple[AccountFacts, ...] = (),
    inquiries: tuple[InquiryFacts, ...] = (),
    records: tuple[tuple[PublicRecordFacts, NegativeFact | None], ...] = (),
    listed: tuple[tuple[BlacklistFacts, NegativeFact], ...] = (),
) -> CreditFileFacts:
    negative = [fact for a in accounts for fact in overdue_episodes(a.history, a.key)]
    negative += [fact for _, fact in records if fact is not None]
    negative += [fact for _, fact in listed]
    return CreditFileFacts(
        subject_id="",
        subject_name="",
        accounts=accounts,
        inquiries=inquiries,
        public_records=tuple(record for record, _ in records),
        blacklist=tuple(entry for entry, _ in listed),
        negative=tuple(negative),
        furnishers=FURNISHERS,
    )


def _next_state(rng: random.Random, status: AccountStatus, dpd: int) -> tuple[AccountStatus, int]:
    """A lender's month-to-month story, with the odd turns real files have."""
    roll = rng.random()
    if status in FINAL:  # furnished after the end: the same ending, or reopened
        return (status, dpd) if roll < 0.5 else (AccountStatus.OPEN, 0)
    if status is AccountStatus.CHARGED_OFF:
        if roll < 0.15:
            return AccountStatus.SETTLED, 0
        if roll < 0.25:
            return AccountStatus.TRANSFERRED, dpd
        if roll < 0.3:
            return AccountStatus.CLOSED, 0
        return status, dpd + 30
    if dpd > 0:
        if roll < 0.35:
            return (AccountStatus.RESTRUCTURED if roll < 0.05 else AccountStatus.OPEN), 0
        if roll < 0.45:
            return AccountStatus.CHARGED_OFF, dpd + 30
        return status, dpd + 30
    if roll < 0.15:
        return status, rng.randint(1, 40)
    for limit, ending in (
        (0.22, AccountStatus.SETTLED),
        (0.25, AccountStatus.CLOSED),
        (0.27, AccountStatus.TRANSFERRED),
        (0.30, AccountStatus.RESTRUCTURED),
        (0.31, AccountStatus.CHARGED_OFF),
    ):
        if roll < limit:
            return ending, 0
    return AccountStatus.OPEN, 0


def random_account(rng: random.Random, key: str, as_of: date) -> AccountFacts:
    last = month_number(as_of)
    if rng.random() < 0.5:  # the edges of the 6/12/24/60-month windows
        opened = last - rng.choice((0, 1, 5, 6, 11, 12, 23, 24, 25, 59, 60, 61, 75))
    else:
        opened = last - rng.randint(0, 90)
    opened_on = month_start(opened).replace(day=rng.randint(1, 28))
    start = opened + rng.choice((0,) * 12 + (1, 3, -1, -2))  # late first month, or early
    revolving = rng.random() < 0.3
    months: dict[int, Month] = {}
    status, dpd, number = AccountStatus.OPEN, 0, start
    for _ in range(rng.randint(1, 40)):
        if number > last + 2:  # months after the as-of day are not shown
            break
        status, dpd = _next_state(rng, status, dpd)
        remarks: tuple[str, ...] = ()
        if rng.random() < 0.05:
            remarks = (rng.choice((GUARANTOR_PAID, ASSET_REPAID)),)
        scheduled = Decimal(0) if rng.random() < 0.15 else money(rng, 100, 500_000)
        past_due = money(rng, 1, 800_000) if dpd > 0 or rng.random() < 0.05 else Decimal(0)
        month = Month(status, dpd, remarks=remarks)
        month.facts = MonthFacts(
            status,
            dpd,
            scheduled,
            Decimal(0) if rng.random() < 0.3 else money(rng, 1, 500_000),
            Decimal(0) if scheduled == 0 and rng.random() < 0.5 else past_due,
            remarks,
        )
        month.balance = money(rng, 0, 5_000_000)
        months[number] = month
        if status in FINAL and rng.random() < 0.75:
            break
        number += 1 + (rng.randint(1, 5) if rng.random() < 0.12 else 0)
    return account(
        key,
        rng.choice((*FURNISHERS, UNREGISTERED)),
        opened_on,
        months,
        currency="USD" if rng.random() < 0.1 else CURRENCY,
        principal=None if revolving else str(money(rng, 100_000, 5_000_000)),
        credit_limit=str(money(rng, 100_000, 5_000_000)) if revolving else None,
        account_type="credit_card" if revolving else "microloan",
    )


def random_file(rng: random.Random, as_of: date, serial: int) -> CreditFileFacts:
    accounts = tuple(
        random_account(rng, f"account:{serial * 10 + n}", as_of)
        for n in range(rng.choice((0, 0, 1, 1, 2, 3, 4, 6)))
    )
    edges = [days for window in DAY_WINDOWS for days in (window - 1, window, window + 1)]
    inquiries = []
    for n in range(rng.choice((0, 0, 1, 2, 4, 8))):
        back = rng.choice(edges) if rng.random() < 0.6 else rng.randint(-3, 400)
        by = rng.choice((*FURNISHERS, UNREGISTERED, None))
        purposes = [p for p in CN.inquiry_purposes if p != "self_inquiry"]
        purpose = "self_inquiry" if by is None else rng.choice(purposes)
        asked = inquiry(as_of - timedelta(days=back), by, purpose, f"inquiry:{serial}-{n}")
        if by is None and rng.random() < 0.3:  # hard, of a known kind, but no asker named
            asked = replace(asked, hard=True, by_kind=rng.choice(FURNISHER_KINDS))
        inquiries.append(asked)
    records = []
    for n in range(rng.choice((0, 0, 0, 1, 2))):
        filed_on = as_of - timedelta(days=rng.randint(-30, 3000))
        status = rng.choice(tuple(PublicRecordStatus))
        ended_on = (
            None
            if status == PublicRecordStatus.ACTIVE
            else filed_on + timedelta(days=rng.randint(1, 1500))
        )
        kind = rng.choice(tuple(PublicRecordKind))
        records.append(
            public_record(f"public_record:{serial}-{n}", kind, filed_on, status, ended_on)
        )
    listed = []
    for n in range(rng.choice((0, 0, 0, 1))):
        listed_on = as_of - timedelta(days=rng.randint(-30, 3000))
        expires = None if rng.random() < 0.5 else listed_on + timedelta(days=rng.randint(1, 2500))
        listed.append(blacklist(f"blacklist:{serial}-{n}", listed_on, expires))
    return credit_file(accounts, tuple(inquiries), tuple(records), tuple(listed))


def edge_files(as_of: date) -> list[CreditFileFacts]:
    """Hand-picked files, each with a case the grid or a window must get right."""
    last = month_number(as_of)
    day = as_of.toordinal()
    settled, closed, transferred = FINAL
    charged_off = AccountStatus.CHARGED_OFF
    overdue = [Month(dpd=15 + 30 * n, past_due="100.00") for n in range(8)]

    def back(key: str, furnisher: str, opened: int, months: Mapping[int, Month], **terms: Any):
        """An account opened `opened` months before the as-of month; months likewise."""
        return account(
            f"account:{EDGE_ACCOUNTS + int(key.removeprefix('e'))}",
            furnisher,
            month_start(last - opened).replace(day=15),
            {last - n: month for n, month in months.items()},
            **terms,
        )

    def days_back(days: int) -> date:
        return date.fromordinal(day - days)

    card = {"principal": None, "credit_limit": "8000.00", "account_type": "credit_card"}
    return [
        credit_file(),  # a person with nothing
        credit_file(  # inquiries only, on both sides of every window's edge
            inquiries=(
                *(
                    inquiry(days_back(days), by, "loan_approval", f"inquiry:{days}{by}")
                    for window in DAY_WINDOWS
                    for days in (window - 1, window)
                    for by in ("B1", "N1", UNREGISTERED)
                ),
                inquiry(as_of, None, "self_inquiry", "inquiry:self"),
                inquiry(as_of, "B2", "post_loan_management", "inquiry:soft"),
            )
        ),
        credit_file(
            accounts=(
                # opened and settled before the 60-month window: `C` all through it
                back("e1", "B1", 70, {70: Month(), 65: Month(settled)}),
                # settled, then furnished again: the `C` lasts up to the next month only
                back("e2", "N1", 30,
                     {30: Month(), 20: Month(settled), 10: Month(), 4: Month(closed)}),
                # months before the opening read `/`
                back("e3", "N1", 3, {6: overdue[2], 5: Month(settled), 3: Month(), 1: Month()}),
                # every month before the opening
                back("e4", "N2", 2, {9: Month(), 8: Month(settled)}),
                # transferred: `G` up to the as-of month
                back("e5", "N2", 14, {14: Month(), 12: Month(transferred)}),
            )
        ),
        credit_file(
            accounts=(
                # repaid by the guarantor when settled: `D` carried
                back("e6", "B2", 40,
                     {40: overdue[0], 39: Month(settled, remarks=(GUARANTOR_PAID,))}),
                # repaid by assets on an open month: `Z`, and `#` after it
                back("e7", "B2", 9, {9: Month(remarks=(ASSET_REPAID,))}),
                # charged off: `B` months are overdue; nothing furnished after reads `#`
                back("e8", "N3", 11, {11 - n: overdue[n] for n in range(3)}
                     | {8 - n: Month(charged_off, 120, past_due="900.00") for n in range(4)}),
            )
        ),
        credit_file(
            accounts=(
                # 3 consecutive overdue months, the first the 24th month back: flagged
                back("e9", "N1", 30, {23 - n: overdue[n] for n in range(3)} | {20: Month()}),
            )
        ),
        credit_file(
            accounts=(
                # 3 consecutive, only 2 of them in the last 24 months: not flagged
                back("e10", "N1", 30, {24 - n: overdue[n] for n in range(3)} | {21: Month()}),
                # 6 overdue months in 24, none consecutive: flagged
                back("e11", "N2", 23, {23 - n: overdue[0] if n % 2 == 0 else Month()
                                       for n in range(12)}),
            )
        ),
        credit_file(
            accounts=(
                # revolving in another currency, and revolving with nothing due (`*`)
                back("e12", "B1", 2, {2: Month(), 0: Month(dpd=3, past_due="50.00")},
                     currency="USD", **card),
                back("e13", "B1", 1, {n: Month(scheduled="0.00", balance="0.00") for n in (1, 0)},
                     **card),
                # opened in the as-of month; first furnished three months after opening
                back("e14", "N3", 0, {0: Month()}),
                back("e15", "N2", 8, {5: Month(), 4: Month()}),
            ),
            records=(
                public_record("public_record:e1", "dishonest_judgment_debtor", days_back(90),
                              "active", None),
                public_record("public_record:e2", "enforced_debtor", days_back(900), "performed",
                              days_back(400)),
                public_record("public_record:e3", "consumption_restriction", days_back(50),
                              "revoked", days_back(10)),
                public_record("public_record:e4", "enforced_debtor", days_back(-5), "active", None),
                # active on the day: performed the day after it (a replayed day); not active:
                # performed on the day, and long ago (still shown: 5 years from the end)
                public_record("public_record:e5", "dishonest_judgment_debtor", days_back(300),
                              "performed", days_back(-1)),
                public_record("public_record:e6", "dishonest_judgment_debtor", days_back(300),
                              "performed", as_of),
                public_record("public_record:e7", "dishonest_judgment_debtor", days_back(2000),
                              "performed", days_back(1000)),
            ),
            listed=(
                blacklist("blacklist:e1", days_back(30), None),
                blacklist("blacklist:e2", days_back(30), days_back(-1)),
                blacklist("blacklist:e3", days_back(30), as_of),
            ),
        ),
        credit_file(
            accounts=(
                # dormant after exactly 6 idle months, not after 5
                back("e16", "N1", 20, {20: Month(), 6: Month(), 1: Month(paid="0.00")}),
                back("e17", "N2", 5, {5: Month(paid="0.00")}),
            )
        ),
        credit_file(
            accounts=(
                # the score's windows: `B` 6 months back is out of the worst bucket's 6 months,
                # `2` 5 months back is in; the overdue 3 months back is out of the 3 months, the
                # one 2 months back in; a payment 6 months back is out of the 6 months
                back("e19", "N1", 8, {6: Month(charged_off, 200, paid="40.00", past_due="900.00"),
                                      5: Month(dpd=35, past_due="90.00"),
                                      3: Month(dpd=5, past_due="10.00"),
                                      2: Month(dpd=10, past_due="20.00", paid="7.00"),
                                      1: Month(paid="0.00")}),
                # payments in another currency: active months, but no amount; one in a month
                # nothing else was paid
                back("e20", "B2", 7, {7: Month(), 6: Month(paid="3.00"), 1: Month(),
                                      0: Month(scheduled="80.00", paid="90.00")},
                     currency="USD"),
            ),
            inquiries=(
                # a hard inquiry without a named asker but of a known kind: no institution
                InquiryFacts(as_of, None, "loan_approval", True, "inquiry:nobody", "bank"),
                InquiryFacts(as_of, "", "loan_approval", True, "inquiry:empty", "non_bank"),
                inquiry(days_back(3), "B1", "loan_approval", "inquiry:b1"),
            ),
        ),
        credit_file(
            accounts=(
                # an overdue repaid in 2024 for under 10,000 CNY: the PBOC repair hides it
                account(f"account:{EDGE_ACCOUNTS + 18}", "N3", date(2024, 1, 9),
                        {2024 * 12 + 1: Month(dpd=20, past_due="300.00"), 2024 * 12 + 2: Month()}),
            )
        ),
    ]  # fmt: skip


def population(seed: int, as_of: date, persons: int) -> dict[int, CreditFileFacts]:
    """Hand-picked files, then random ones; person numbers far from 0 and not in order."""
    rng = random.Random(seed)
    files = edge_files(as_of) + [random_file(rng, as_of, n) for n in range(persons)]
    numbers = rng.sample(range(10**12, 10**12 + 10 * len(files)), len(files))
    return dict(zip(numbers, files, strict=True))


# ------------------------------------------------------------------------------ running the batch


def views(files: Mapping[int, CreditFileFacts], as_of: date) -> dict[int, VisibleFile]:
    return {
        person: visible_file(facts, as_of, CN, CN.dated_policies, retention_rules(CN))
        for person, facts in files.items()
    }


def write_inputs(shown: Mapping[int, VisibleFile], folder: Path) -> Path:
    inputs = folder / "inputs"
    write_tables((batch_rows(person, view) for person, view in shown.items()), inputs)
    return inputs


def read(path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pq.read_table(path).to_pylist()
    return rows


def expected_indicators(shown: Mapping[int, VisibleFile]) -> dict[int, dict[str, Any]]:
    return {
        person: {"person": person, **person_indicators(view, CURRENCY, CN)}
        for person, view in shown.items()
    }


def expected_platforms(shown: Mapping[int, VisibleFile]) -> list[dict[str, Any]]:
    return [
        {"person": person, **{name: getattr(line, name) for name in line.__slots__}}
        for person, view in sorted(shown.items())
        for line in platform_indicators(view, CURRENCY, CN)
    ]


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {
        name: (expected.get(name), actual.get(name))
        for name in expected.keys() | actual.keys()
        if expected.get(name) != actual.get(name)
        or type(expected.get(name)) is not type(actual.get(name))
    }


def assert_matches_definition(shown: Mapping[int, VisibleFile], out: Path) -> None:
    rows = read(out / "indicators.parquet")
    assert [row["person"] for row in rows] == sorted(shown), "one row per person, in order"
    expected = expected_indicators(shown)
    wrong = {
        row["person"]: differences(expected[row["person"]], row)
        for row in rows
        if row != expected[row["person"]]
    }
    assert wrong == {}, f"{len(wrong)} persons differ (name: (expected, batch)): {wrong}"
    assert [list(row) for row in rows[:1]] == [["person", *NAMES]]
    assert read(out / "platforms.parquet") == expected_platforms(shown)


def run_duckdb(shown: Mapping[int, VisibleFile], as_of: date, folder: Path) -> Path:
    inputs = write_inputs(shown, folder)
    out = folder / "duckdb"
    written = DuckDBEngine(threads=2).run(inputs, as_of, CN, out)
    assert written["indicators"] == len(shown)
    return out


# ----------------------------------------------------------------------------------- the tests


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    rng=st.randoms(use_true_random=False),
    as_of=st.sampled_from(AS_OF_DAYS),
    persons=st.integers(min_value=1, max_value=12),
)
def test_duckdb_matches_the_definition_on_random_files(
    rng: random.Random, as_of: date, persons: int
) -> None:
    files = {n + 1: random_file(rng, as_of, n) for n in range(persons)}
    shown = views(files, as_of)
    with tempfile.TemporaryDirectory() as folder:
        assert_matches_definition(shown, run_duckdb(shown, as_of, Path(folder)))


@pytest.mark.parametrize("as_of", AS_OF_DAYS)
def test_duckdb_matches_the_definition_on_hand_picked_files(as_of: date, tmp_path: Path) -> None:
    shown = views(dict(enumerate(edge_files(as_of), start=1)), as_of)
    assert_matches_definition(shown, run_duckdb(shown, as_of, tmp_path))


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkEngine]:
    # The JIT's first tier and one GC thread (QUICK_JVM): 36-41 s instead of 72-75 s.
    engine = SparkEngine("local[2]", "1g", shuffle_partitions=1, driver_java_options=QUICK_JVM)
    try:
        yield engine
    finally:
        engine.stop()


@pytest.mark.parametrize(("as_of", "seed"), [(date(2026, 6, 30), 1), (date(2026, 4, 1), 2)])
def test_spark_equals_duckdb(spark: SparkEngine, as_of: date, seed: int, tmp_path: Path) -> None:
    shown = views(population(seed, as_of, persons=300), as_of)
    duckdb_out = run_duckdb(shown, as_of, tmp_path)
    assert_matches_definition(shown, duckdb_out)
    spark_out = tmp_path / "spark"
    written = spark.run(tmp_path / "inputs", as_of, CN, spark_out)
    assert written == {
        "platforms": len(read(duckdb_out / "platforms.parquet")),
        "indicators": len(shown),
    }
    for output in jobs.OUTPUTS:
        ours, theirs = duckdb_out / f"{output}.parquet", spark_out / f"{output}.parquet"
        assert pq.read_schema(theirs).remove_metadata() == output_schema(output)
        assert pq.read_schema(ours).remove_metadata() == output_schema(output)
        assert read(theirs) == read(ours)


def test_write_tables_streams_row_groups_with_the_declared_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("creditmend.adapters.batch.parquet.ROW_GROUP_ROWS", 4)
    batches = ({"persons": [(n,)], "blacklist": [(n, "fraud")] * (n % 2)} for n in range(10))
    counts = write_tables(batches, tmp_path)
    assert counts == {table: {"persons": 10, "blacklist": 5}.get(table, 0) for table in TABLES}
    persons = pq.ParquetFile(tmp_path / "persons.parquet")
    assert persons.metadata.num_row_groups == 3
    for table, columns in TABLES.items():
        schema = pq.read_schema(tmp_path / f"{table}.parquet")
        assert [(f.name, f.nullable) for f in schema] == [(c.name, c.nullable) for c in columns]
    with pytest.raises(ValueError, match="not a table"):
        write_tables([{"loans": [(1,)]}], tmp_path / "bad")
    with pytest.raises(ValueError, match="2 values, 1 expected"):
        write_tables([{"persons": [(1, 2)]}], tmp_path / "bad")


def test_inputs_of_a_later_day_and_bad_parameters_are_refused(tmp_path: Path) -> None:
    as_of = date(2026, 6, 30)
    shown = views(dict(enumerate(edge_files(as_of), start=1)), as_of)
    inputs = write_inputs(shown, tmp_path)
    engine = DuckDBEngine()
    with pytest.raises(ValueError, match="after 2026-05-31"):
        engine.run(inputs, date(2026, 5, 31), CN, tmp_path / "out")
    with pytest.raises(ValueError, match="1092 accounts and 2097151 inquiries a person"):
        jobs.check_inputs((0, 0, 1093, 1), as_of)  # beyond the packed counts
    with pytest.raises(ValueError, match="1092 accounts and 2097151 inquiries a person"):
        jobs.check_inputs((0, 0, 1, 2**21), as_of)
    jobs.check_inputs((0, 0, 1092, 2**21 - 1), as_of)  # at the limits
    with pytest.raises(ValueError, match="ISO 4217"):
        engine.run(
            inputs, as_of, replace(CN, currency="CNY'; DROP TABLE persons; --"), tmp_path / "out"
        )
    with pytest.raises(ValueError, match="overdue_codes"):
        engine.run(
            inputs, as_of, replace(CN, overdue_codes=frozenset({"1') OR (1=1"})), tmp_path / "out"
        )
    with pytest.raises(FileNotFoundError, match=r"persons\.parquet"):
        engine.run(tmp_path / "nowhere", as_of, CN, tmp_path / "out")


def test_accounts_are_the_store_numbers() -> None:
    assert account_number("account:17") == 17
    for key in ("account:", "account:A-1", "17", "account:１７", "loan:17"):
        with pytest.raises(ValueError, match="is not account:<number>"):
            account_number(key)


def test_every_job_ships_with_the_package() -> None:
    folder = Path(jobs.__file__).parent
    assert {path.stem for path in folder.glob("*.sql")} == {step.name for step in jobs.STEPS}


def test_a_missing_pyspark_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(SparkMissingError, match=r"pip install 'creditmend\[spark\]'"):
        SparkEngine()


def test_a_profile_the_jobs_cannot_hold_is_refused_before_anything_runs() -> None:
    """The batch service asks `check` before it writes its inputs: a grid length the packed
    layout does not hold, an overdue code with no indicator column, a pattern wider than the
    mask are refused; the cn profile passes and its overdue months sum the columns 1..7 and B."""
    engine, as_of = DuckDBEngine(), date(2026, 6, 30)
    engine.check(as_of, CN)
    values = jobs.parameters(as_of, CN)
    assert values["overdue_sum"] == " + ".join(
        f"g.months_{name}" for name in ("o1", "o2", "o3", "o4", "o5", "o6", "o7", "b")
    )
    assert values["overdue_run"] == "(mask & (mask * 2) & (mask * 4))"
    longer = replace(CN, grid_months=Sourced(48, "test"))
    with pytest.raises(ValueError, match="grid_months"):
        engine.check(as_of, longer)
    with pytest.raises(ValueError, match="overdue_codes"):
        engine.check(as_of, replace(CN, overdue_codes=frozenset({"1", "/"})))
    wide = OverduePattern(3, 6, 63, "test")
    with pytest.raises(ValueError, match="overdue_pattern"):
        engine.check(as_of, replace(CN, overdue_pattern=wide))
