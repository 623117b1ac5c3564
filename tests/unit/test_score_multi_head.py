"""The shipped score sees multi-head borrowing (issue 16): a file with 6 or more hard inquiries
from 4 or more institutions in 90 days scores at least one band lower than the same file without
them, and one more inquiry or institution never raises a score.

Files are drawn as the bureau's features (`domain/scoring/features.py`), every other feature
free; the inquiries are added the way the indicator row counts them (an inquiry in the last 7
days is also in the 30, 90 and 180 days' counts, of its kind and in the total). A file a
knock-out caps is held at its cap whatever its points, so the rule is for files no knock-out
caps (no active dishonest-debtor record).
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from creditmend.domain.scoring.features import INQUIRY_WINDOWS, Values
from creditmend.domain.scoring.scorecard import score
from creditmend.models import default_scorecard

CARD = default_scorecard()
BANDS = [band.name for band in CARD.bands]
D = Decimal


def _count(top: int) -> st.SearchStrategy[Decimal]:
    return st.integers(0, top).map(D)


@st.composite
def files(draw: st.DrawFn) -> Values:
    """A credit file's features, with no inquiry in the last 90 days (`older` in 91..180)."""
    opened_6m = draw(st.integers(0, 4))
    older = draw(st.integers(0, 8))
    values: Values = {
        "late_2_24m": draw(_count(24)),
        "late_3_24m": draw(_count(12)),
        "late_4plus_24m": draw(_count(12)),
        "bad_debt_24m": draw(_count(24)),
        "months_since_overdue": draw(st.none() | _count(60)),
        "worst_status_12m": draw(_count(8)),
        "worst_status_24m": draw(_count(8)),
        "utilisation": draw(
            st.none() | st.decimals(0, 2, places=4, allow_nan=False, allow_infinity=False)
        ),
        "open_accounts": draw(_count(12)),
        "opened_6m": D(opened_6m),
        "opened_12m": D(opened_6m + draw(st.integers(0, 4))),
        "oldest_account_months": draw(st.none() | _count(60)),
        "open_platforms_non_bank": draw(_count(8)),
        "court_records": draw(_count(3)),
        "blacklist_entries": draw(_count(3)),
        "dishonest_debtor": D(0),
    }
    for days in INQUIRY_WINDOWS:
        for prefix in ("hard_inquiries", "institutions"):
            for kind in ("", "bank_", "non_bank_"):
                seen = older if days == 180 and kind in ("", "non_bank_") else 0
                values[f"{prefix}_{kind}{days}d"] = D(seen)
    return values


def _asked(values: Values, inquiries: int, institutions: int) -> Values:
    """`values` with `inquiries` hard inquiries from `institutions` new non-bank lenders this
    week: counted in every window."""
    more = dict(values)
    for days in INQUIRY_WINDOWS:
        for kind in ("", "non_bank_"):
            for prefix, added in (("hard_inquiries", inquiries), ("institutions", institutions)):
                name = f"{prefix}_{kind}{days}d"
                more[name] = (more[name] or D(0)) + added
    return more


def _band(values: Values) -> int:
    return BANDS.index(score(CARD, values).band)


@settings(max_examples=300, deadline=None)
@given(files(), st.integers(6, 12), st.integers(4, 6))
def test_many_inquiries_from_many_lenders_in_90_days_cost_at_least_a_band(
    file: Values, inquiries: int, institutions: int
) -> None:
    institutions = min(institutions, inquiries)
    before = _band(file)
    after = _band(_asked(file, inquiries, institutions))
    assert after >= min(before + 1, len(BANDS) - 1), (before, after)


@settings(max_examples=300, deadline=None)
@given(files(), st.integers(0, 10), st.booleans())
def test_one_more_inquiry_or_institution_never_raises_the_shipped_score(
    file: Values, inquiries: int, new_lender: bool
) -> None:
    asked = _asked(file, inquiries, min(inquiries, 3))
    more = _asked(asked, 1, 1 if new_lender else 0)
    assert score(CARD, more).score <= score(CARD, asked).score


def test_the_shipped_model_sees_inquiries() -> None:
    """The rule above is not met by accident: the shipped model scores inquiries."""
    names = {feature.name for feature in CARD.features}
    assert any(name.startswith("hard_inquiries_") for name in names), names
    assert any(name.startswith("institutions_") for name in names), names
