"""The `contract:` mapping of a revolving account (`method: revolving`) in a loan file.

The least it needs: `id`, `platform`, `method`, `credit_limit`, `statement_day`, `due_day`,
`opened_on`. Everything else comes from the profile's `RevolvingDefaults` (with their sources)
unless the file says otherwise; the contract keeps the values it was read with.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from creditmend.domain.loan.contract import Contract, RepaymentMethod, RevolvingTerms
from creditmend.domain.money import MoneyError, minor_unit
from creditmend.domain.rate import Rate
from creditmend.domain.rules.profile import JurisdictionProfile

if TYPE_CHECKING:  # the reader is document.py's; imported there at run time
    from creditmend.domain.loan.document import _Reader

REVOLVING_KEYS = (
    "id",
    "platform",
    "method",
    "currency",
    "credit_limit",
    "statement_day",
    "due_day",
    "opened_on",
    "daily_rate",
    "annual_rate",
    "minimum_rate",
    "conversion_fee_rate",
    "interest_from_posting",
    "grace_days",
    "penalty",
    "lender_kind",
)


def read_revolving(
    reader: _Reader,
    data: Mapping[str, Any],
    profile: JurisdictionProfile,
    read_penalty: Any,
) -> Contract | None:
    """A revolving contract, or None with the problems recorded on `reader`."""
    path = "contract"
    reader.only(data, path, REVOLVING_KEYS)
    defaults = profile.revolving
    if defaults is None:
        reader.problem(f"{path}.method", f"the {profile.code} profile has no revolving rules")
        return None
    currency = reader.text(data, path, "currency", default=profile.currency)
    try:
        minor_unit(currency)
    except MoneyError:
        such = profile.currency
        reader.problem(f"{path}.currency", f"{currency!r} is not an ISO 4217 code such as {such}")
        currency = profile.currency
    limit = reader.money(data, path, "credit_limit", currency, required=True, positive=True)
    statement_day = reader.integer(data, path, "statement_day", required=True)
    due_day = reader.integer(data, path, "due_day", required=True)
    opened_on = reader.day(data, path, "opened_on", required=True)
    loan_id = reader.text(data, path, "id", required=True)
    platform = reader.text(data, path, "platform", required=True)
    if data.get("daily_rate") is not None and data.get("annual_rate") is not None:
        reader.problem(f"{path}.daily_rate", "give one of daily_rate, annual_rate")
    annual = reader.decimal(data, path, "annual_rate")
    daily = reader.decimal(data, path, "daily_rate")
    rate = (
        Rate.annual(annual)
        if annual is not None
        else Rate.daily(daily if daily is not None else Decimal(defaults.daily_rate.value))
    )
    minimum = reader.decimal(data, path, "minimum_rate")
    conversion = reader.decimal(data, path, "conversion_fee_rate")
    posting = data.get("interest_from_posting")
    from_posting = True if posting is None else reader.flag(data, path, "interest_from_posting")
    penalty = read_penalty(reader, reader.mapping(data, path, "penalty"), currency)
    grace = reader.integer(data, path, "grace_days", default=0)
    if None in (limit, statement_day, due_day, opened_on, penalty, grace):
        return None
    assert limit is not None and statement_day is not None and opened_on is not None
    assert grace is not None and penalty is not None
    terms = RevolvingTerms(
        statement_day=statement_day,
        minimum_rate=Decimal(defaults.minimum_rate.value) if minimum is None else minimum,
        conversion_fee_rate=(
            Decimal(defaults.conversion_fee_rate.value) if conversion is None else conversion
        ),
        interest_from_posting=from_posting,
    )
    return Contract(
        id=loan_id,
        platform=platform,
        principal=limit,
        rate=rate,
        term_months=1,
        method=RepaymentMethod.REVOLVING,
        disbursed_on=opened_on,
        due_day=due_day,
        grace_days=grace,
        penalty=penalty,
        lender_kind=reader.text(data, path, "lender_kind", default="licensed"),
        revolving=terms,
    )
