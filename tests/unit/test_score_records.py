"""Court records in force and the one scoring path (issue 16's follow-ups).

Golden values on hand-built files as of 20 June 2025: a court record counts for the score's
`court_records` and `dishonest_debtor` only while it is active (status `active`, or performed
after the as-of day on a replayed day); a performed one is still shown and still counted by
`public_records`. Blacklist entries shown are those not expired, so all of them count. Then the
report, what-if, the batch's scorer and `score_indicators` give one file one score.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from creditmend.domain.calendar import add_months
from creditmend.domain.creditfile.furnishing import AccountStatus
from creditmend.domain.creditfile.grid import MonthFacts
from creditmend.domain.creditfile.records import PublicRecordKind, PublicRecordStatus
from creditmend.domain.creditfile.retention import MonthRow, NegativeFact, retention_rules
from creditmend.domain.report.build import ReportRequest, build_report
from creditmend.domain.report.file import (
    AccountFacts,
    BlacklistFacts,
    CreditFileFacts,
    FurnisherFacts,
    PublicRecordFacts,
    VisibleFile,
    visible_file,
)
from creditmend.domain.report.indicators import Value, person_indicators
from creditmend.domain.rules.cn import CN
from creditmend.domain.rules.policies import FactKind
from creditmend.domain.scoring.features import from_indicators, score_indicators
from creditmend.domain.scoring.scorecard import Band, Bin, Feature, Scaling, Scorecard
from creditmend.domain.scoring.whatif import score_view
from creditmend.models import default_scorecard
from creditmend.services.batch import scored

AS_OF = date(2025, 6, 20)
FURNISHERS = {"BANK1": FurnisherFacts("BANK1", "Bank One", "bank")}
DISHONEST = str(PublicRecordKind.DISHONEST_JUDGMENT_DEBTOR)
ENFORCED = str(PublicRecordKind.ENFORCED_DEBTOR)
RESTRICTED = str(PublicRecordKind.CONSUMPTION_RESTRICTION)
ACTIVE, PERFORMED, REVOKED = (str(s) for s in PublicRecordStatus)


def loan() -> AccountFacts:
    """A bank loan paid as agreed from January to June 2025, still open."""
    months = [date(2025, m, 1) for m in range(1, 7)]
    hundred = Decimal("100.00")
    return AccountFacts(
        furnisher="BANK1",
        account_id="L1",
        account_type="personal_consumer_loan",
        currency="CNY",
        opened_on=date(2025, 1, 2),
        principal=Decimal("1200.00"),
        credit_limit=None,
        months={m: MonthFacts(AccountStatus.OPEN, 0, hundred, hundred, Decimal(0)) for m in months},
        balances={m: Decimal(1200 - 100 * n) for n, m in enumerate(months, start=1)},
        key="account:1",
        history=tuple(MonthRow(m, 0, Decimal(0), "open", None, None) for m in months),
    )


def record(
    n: int, kind: str, filed_on: date, status: str, ended_on: date | None = None
) -> tuple[PublicRecordFacts, NegativeFact | None]:
    ref = f"public_record:{n}"
    facts = PublicRecordFacts(
        ref, kind, "Court", f"(2024)京0105执{n}号", filed_on, Decimal("5000"), status, ended_on
    )
    if status == REVOKED:
        return facts, None  # a withdrawn listing is no negative information
    repaid = ended_on if status == PERFORMED else None
    return facts, NegativeFact(
        FactKind.PUBLIC_RECORD, ref, filed_on, ended_on, facts.amount, repaid
    )


def listed(n: int, listed_on: date, expires_on: date | None) -> tuple[BlacklistFacts, NegativeFact]:
    ref = f"blacklist:{n}"
    entry = BlacklistFacts(ref, "Alliance", "fraud", listed_on, expires_on, "x")
    return entry, NegativeFact(FactKind.BLACKLIST, ref, listed_on, None, expires_on=expires_on)


def person(
    records: list[tuple[PublicRecordFacts, NegativeFact | None]] | None = None,
    entries: list[tuple[BlacklistFacts, NegativeFact]] | None = None,
) -> CreditFileFacts:
    records, entries = records or [], entries or []
    negative = [f for _, f in records if f is not None] + [f for _, f in entries]
    return CreditFileFacts(
        subject_id="110105********002X",
        subject_name="张**",
        accounts=(loan(),),
        inquiries=(),
        public_records=tuple(r for r, _ in records),
        blacklist=tuple(e for e, _ in entries),
        negative=tuple(negative),
        furnishers=FURNISHERS,
    )


def view_of(facts: CreditFileFacts, as_of: date = AS_OF) -> VisibleFile:
    return visible_file(facts, as_of, CN, CN.dated_policies, retention_rules(CN))


def row_of(facts: CreditFileFacts, as_of: date = AS_OF) -> dict[str, Value]:
    return person_indicators(view_of(facts, as_of), "CNY", CN)


# An active and a performed record of each kind the score reads, and a revoked one (never shown).
ACTIVE_DISHONEST = record(1, DISHONEST, date(2024, 5, 1), ACTIVE)
PERFORMED_DISHONEST = record(2, DISHONEST, date(2021, 3, 1), PERFORMED, date(2023, 1, 10))
ACTIVE_ENFORCED = record(3, ENFORCED, date(2025, 1, 6), ACTIVE)
PERFORMED_RESTRICTED = record(4, RESTRICTED, date(2022, 1, 4), PERFORMED, date(2024, 6, 1))
REVOKED_ENFORCED = record(5, ENFORCED, date(2024, 2, 1), REVOKED, date(2024, 3, 1))
# Listed without expiry (the profile's 5 years from 2024: shown); expiring on the as-of day
# (not shown); expiring the day after (shown).
ENTRIES = [
    listed(1, date(2024, 1, 1), None),
    listed(2, date(2019, 1, 1), AS_OF),
    listed(3, date(2024, 2, 1), date(2025, 6, 21)),
]
RECORDS = [ACTIVE_DISHONEST, PERFORMED_DISHONEST, ACTIVE_ENFORCED, PERFORMED_RESTRICTED,
           REVOKED_ENFORCED]  # fmt: skip


def test_performed_records_are_shown_but_only_active_ones_count_for_the_score() -> None:
    row = row_of(person(RECORDS, ENTRIES))
    assert (row["public_records"], row["public_records_dishonest_judgment_debtor"]) == (4, 2)
    assert (row["public_records_enforced_debtor"], row["public_records_consumption_restriction"]) \
        == (1, 1)  # fmt: skip
    assert row["public_records_active"] == 2  # the active dishonest and the active enforced
    assert row["public_records_active_dishonest_judgment_debtor"] == 1
    assert row["blacklist_entries"] == 2
    values = from_indicators(row)
    assert (values["court_records"], values["dishonest_debtor"]) == (Decimal(2), Decimal(1))
    assert values["blacklist_entries"] == Decimal(2)


def test_a_performed_dishonest_record_alone_counts_nothing() -> None:
    row = row_of(person([PERFORMED_DISHONEST]))
    assert (row["public_records"], row["public_records_dishonest_judgment_debtor"]) == (1, 1)
    values = from_indicators(row)
    assert (values["court_records"], values["dishonest_debtor"]) == (Decimal(0), Decimal(0))


def test_on_a_replayed_day_before_the_debtor_performed_the_record_was_active() -> None:
    """As of 30 June 2022 the record performed in January 2023 was in force; from the day it
    ended it is not."""
    facts = person([PERFORMED_DISHONEST])
    assert row_of(facts, date(2022, 6, 30))["public_records_active_dishonest_judgment_debtor"] == 1
    assert row_of(facts, date(2023, 1, 9))["public_records_active"] == 1
    assert row_of(facts, date(2023, 1, 10))["public_records_active"] == 0
    assert row_of(facts, date(2023, 1, 10))["public_records"] == 1


def test_every_blacklist_entry_shown_is_unexpired() -> None:
    view = view_of(person(entries=ENTRIES))
    assert [e.ref for e in view.blacklist] == ["blacklist:1", "blacklist:3"]
    assert all(e.expires_on is None or e.expires_on > AS_OF for e in view.blacklist)
    before = view_of(person(entries=ENTRIES), date(2025, 6, 19))
    assert [e.ref for e in before.blacklist] == [
        "blacklist:1",
        "blacklist:2",
        "blacklist:3",
    ]


@settings(max_examples=60, deadline=None)
@given(filed=st.integers(0, 3000), lasted=st.integers(0, 3000), day=st.integers(-100, 6000))
def test_a_performed_record_counts_from_its_filing_to_its_end_and_is_shown_5_years_more(
    filed: int, lasted: int, day: int
) -> None:
    start = date(2015, 1, 1)
    filed_on = date.fromordinal(start.toordinal() + filed)
    ended_on = date.fromordinal(filed_on.toordinal() + lasted)
    as_of = date.fromordinal(filed_on.toordinal() + day)
    row = row_of(person([record(9, DISHONEST, filed_on, PERFORMED, ended_on)]), as_of)
    assert row["public_records"] == int(filed_on <= as_of < add_months(ended_on, 60))
    active = filed_on <= as_of < ended_on
    assert row["public_records_active"] == row["public_records_active_dishonest_judgment_debtor"]
    assert row["public_records_active"] == int(active)
    assert from_indicators(row)["dishonest_debtor"] == Decimal(int(active))


# ------------------------------------------------------------------------ one scoring path


def test_the_knockout_caps_an_active_dishonest_debtor_and_not_a_performed_one() -> None:
    card = default_scorecard()  # the overlay and its knock-out are in the shipped model
    (rule,) = card.knockouts
    assert (rule.feature, rule.band) == ("dishonest_debtor", card.bands[-2].name)
    clean = score_indicators(card, row_of(person()))
    performed = score_indicators(card, row_of(person([PERFORMED_DISHONEST])))
    active = score_indicators(card, row_of(person([ACTIVE_DISHONEST])))
    bands = [b.name for b in card.bands]
    assert bands.index(clean.band) < bands.index(rule.band)  # the cap has something to cap
    assert (performed.score, performed.band) == (clean.score, clean.band)
    assert active.band == rule.band  # the second-worst band
    assert active.reasons[0][0] == "dishonest_debtor"
    assert [f for f, _ in performed.reasons] == [f for f, _ in clean.reasons]


def test_the_report_what_if_and_the_batch_score_a_file_alike() -> None:
    card = default_scorecard()
    for facts in (person(), person(RECORDS, ENTRIES), person([PERFORMED_DISHONEST])):
        view = view_of(facts)
        row = person_indicators(view, "CNY", CN)
        once = score_indicators(card, row)
        report = build_report(facts, view, ReportRequest("R1", AS_OF, "self_inquiry"), CN, card)
        assert (report.summary.score, report.summary.band) == (once.score, once.band)
        assert score_view(card, view, "CNY", CN) == once
        reasons = "; ".join(text for _, text in once.reasons)
        assert scored(card, row) == (once.score, once.band, reasons)


def test_a_card_reads_features_never_an_indicator_by_its_own_name() -> None:
    """`accounts_open` is an indicator, not a feature (`open_accounts` is): a card naming the
    indicator finds it missing (what-if used to read it off the indicator row)."""
    ends = (Bin("missing", Decimal(0), missing=True), Bin("other", Decimal(-10), other=True))
    features = tuple(Feature(name, "numeric", name, "{value}", ends)
                     for name in ("accounts_open", "open_accounts"))  # fmt: skip
    card = Scorecard(features, Scaling(), (Band("A", 0),))
    view = view_of(person())
    row = person_indicators(view, "CNY", CN)
    assert row["accounts_open"] == 1
    for result in (score_indicators(card, row), score_view(card, view, "CNY", CN)):
        values = {c.feature: c.value for c in result.contributions}
        assert values == {"accounts_open": None, "open_accounts": Decimal(1)}
