"""What the hostile suite found about numbers and dates, kept as plain tests of the one function
that now decides (each failed before its fix)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from creditmend.adapters.furnishing_files import schema_check_for
from creditmend.domain.calendar import parse_month
from creditmend.domain.creditfile.furnishing import normalise_csv_row
from creditmend.domain.creditfile.records import PUBLIC_RECORD_FIELDS, json_schema
from creditmend.domain.money import MoneyError, decimal_of


@pytest.mark.parametrize("text", ["1_000", "１２", "١٢", "NaN", "sNaN", "Infinity", "1e400"])
def test_an_amount_is_written_in_ascii_digits(text: str) -> None:
    with pytest.raises(MoneyError):
        decimal_of(text, "principal")


@pytest.mark.parametrize("text", ["12", "12.34", " 12.34 ", "-0.50", ".5", "1e3"])
def test_plain_decimals_still_read(text: str) -> None:
    assert decimal_of(text) == Decimal(text.strip())


@pytest.mark.parametrize(
    "text", ["0001-01", "1899-12", "2200-01", "0000-00", "2025-13", "２０２５-０５"]
)
def test_a_month_lies_in_the_years_every_date_does(text: str) -> None:
    with pytest.raises(ValueError, match=r"YYYY-MM|outside 1900\.\.2199"):
        parse_month(text)


def test_a_count_of_thousands_of_digits_stays_text_for_the_schema() -> None:
    row = normalise_csv_row({"days_past_due": "1" + "0" * 5000, "term_months": "12"})
    assert row["term_months"] == 12
    assert isinstance(row["days_past_due"], str)


@pytest.mark.parametrize(
    ("amount", "refused"),
    [("5.000", True), ("+5.00", True), ("１２", True), ("5.00", False), ("-5.00", False)],
)
def test_a_records_amount_has_at_most_two_ascii_places(amount: str, refused: bool) -> None:
    check = schema_check_for(json_schema(PUBLIC_RECORD_FIELDS, "public_records"))
    record = {
        "kind": "enforced_debtor", "id_type": "cn_ric", "id_number": "11010519491231002X",
        "name": "张三", "court": "court", "case_number": "1", "filed_on": "2023-03-01",
        "status": "active", "source": "court", "amount": amount,
    }  # fmt: skip
    problems = check(record, 1)
    assert bool(problems) is refused
    assert all(p.field == "amount" and "public_records format" in p.message for p in problems)
