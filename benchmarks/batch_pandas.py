"""The peer baseline of the batch benchmark: the same indicators, written the way a data analyst
would write them with pandas.

Straightforward on purpose: every account's 60-month grid is built as rows (account x month, a
cross join), filled forward within the account, and counted with `pivot_table`; "3 consecutive
or 6 in 24" by a rolling window over each account's last 24 months; the day windows of the
inquiries by one filter and one `groupby` each. It reads the same Parquet inputs and writes the
same `indicators.parquet` (`person` and `indicators.NAMES`). The benchmark checks it against
the DuckDB engine on the sample it runs on.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from creditmend.domain.report.batch_rows import TABLES, month_number
from creditmend.domain.report.indicators import (
    BUCKET_RANKS,
    BUCKET_WINDOWS,
    CODE_NAMES,
    DAY_WINDOWS,
    FURNISHER_KINDS,
    MONTH_WINDOWS,
    NAMES,
    OPENED_WINDOWS,
    PUBLIC_RECORD_KINDS,
)
from creditmend.domain.rules.cn import CN

DORMANT = int(CN.dormant_months.value)

OPEN = ("open", "restructured", "charged_off")
SETTLED = ("settled", "closed")
FINAL = ("settled", "closed", "transferred")
OVERDUE = ("1", "2", "3", "4", "5", "6", "7", "B")


def _grid_counts(accounts: pd.DataFrame, months: pd.DataFrame, last: int) -> pd.DataFrame:
    """months_<code>_<w>m and the per-account overdue flag, from a materialised 60-month grid."""
    first = last - 59
    opened = accounts[["person", "account", "opened_month"]]
    rows = months.merge(opened, on=["person", "account"])
    rows = rows[rows["month"] >= rows["opened_month"]]  # months before opening read `/`
    # the state carried into the window: the last month before it, when it ended the account
    before = rows[rows["month"] < first].sort_values("month").groupby(["person", "account"]).tail(1)
    before = before.assign(carry=np.where(before["status"].isin(FINAL), before["code"], "#"))
    grid = opened.loc[opened.index.repeat(60)].reset_index(drop=True)
    grid["month"] = np.tile(np.arange(first, last + 1), len(opened))
    inside = rows[rows["month"] >= first][["person", "account", "month", "code", "status"]]
    grid = grid.merge(inside, on=["person", "account", "month"], how="left")
    grid = grid.merge(before[["person", "account", "carry"]], on=["person", "account"], how="left")
    carried = grid["code"].where(grid["status"].isin(FINAL), "#").where(grid["code"].notna())
    grid["carry"] = carried.fillna(grid["carry"].where(grid["month"] == first))
    grid["carry"] = grid.groupby(["person", "account"])["carry"].ffill().fillna("#")
    grid["code"] = grid["code"].fillna(grid["carry"])
    grid.loc[grid["month"] < grid["opened_month"], "code"] = "/"
    counts = []
    for window in MONTH_WINDOWS:
        recent = grid[grid["month"] > last - window]
        table = recent.pivot_table(index="person", columns="code", aggfunc="size", fill_value=0)
        for code, name in CODE_NAMES.items():
            column = table[code] if code in table else pd.Series(0, index=table.index)
            counts.append(column.rename(f"months_{name}_{window}m"))
        overdue = [table[c] for c in OVERDUE if c in table]
        total = sum(overdue, pd.Series(0, index=table.index))
        counts.append(total.rename(f"months_overdue_{window}m"))
    recent3 = grid[(grid["month"] > last - 3) & grid["code"].isin(OVERDUE)]
    counts.append(recent3.groupby("person").size().rename("months_overdue_3m"))
    for window in BUCKET_WINDOWS:
        recent = grid[grid["month"] > last - window]
        ranks = recent["code"].map(BUCKET_RANKS).fillna(0).astype("int64")
        counts.append(ranks.groupby(recent["person"]).max().rename(f"worst_bucket_{window}m"))
    late = grid[grid["code"].isin(OVERDUE)]
    counts.append((last - late.groupby("person")["month"].max()).rename("months_since_overdue"))
    last24 = grid[grid["month"] > last - 24].sort_values(["person", "account", "month"])
    last24 = last24.assign(bad=last24["code"].isin(OVERDUE).astype(int))
    by_account = last24.groupby(["person", "account"])["bad"]
    run3 = by_account.rolling(3).sum().groupby(level=[0, 1]).max().fillna(0) >= 3
    flagged = (run3 | (by_account.sum() >= 6)).groupby(level=0).sum()
    result = pd.concat(counts, axis=1)
    result["accounts_3_or_6_in_24"] = flagged.reindex(result.index, fill_value=0)
    return result


def _recent_payments(accounts: pd.DataFrame, months: pd.DataFrame, last: int) -> pd.DataFrame:
    """paid and scheduled in the furnished months of the last 6 (local accounts), and the
    months of the last 6 with a payment on any account."""
    recent = months[months["month"] > last - 6]
    local = recent.merge(accounts.loc[accounts["local"], ["person", "account"]])
    paid = recent[recent["paid_fen"] > 0]
    return pd.DataFrame(
        {
            "paid_fen_6m": local.groupby("person")["paid_fen"].sum(),
            "scheduled_fen_6m": local.groupby("person")["scheduled_fen"].sum(),
            "active_months_6m": paid.groupby("person")["month"].nunique(),
        }
    )


def _inquiries(inquiries: pd.DataFrame, day: int) -> pd.DataFrame:
    hard = inquiries[inquiries["hard"]]
    columns = {}
    for window in DAY_WINDOWS:
        recent = hard[hard["day"] > day - window]
        named = recent[recent["furnisher"].fillna("") != ""]
        columns[f"hard_inquiries_{window}d"] = recent.groupby("person").size()
        columns[f"institutions_{window}d"] = named.groupby("person")["furnisher"].nunique()
        for kind in ("bank", "non_bank"):
            mine = recent[recent["furnisher_kind"] == kind]
            columns[f"hard_inquiries_{kind}_{window}d"] = mine.groupby("person").size()
            named_mine = named[named["furnisher_kind"] == kind]
            columns[f"institutions_{kind}_{window}d"] = named_mine.groupby("person")[
                "furnisher"
            ].nunique()
    return pd.DataFrame(columns)


def indicators(inputs: Path, as_of: date, currency: str) -> pd.DataFrame:
    """One row per person: `person` and `indicators.NAMES`."""
    data = {name: pd.read_parquet(inputs / f"{name}.parquet") for name in TABLES}
    last = month_number(as_of)
    persons = data["persons"].set_index("person")
    accounts, months = data["accounts"], data["account_months"]

    # the state of each account is its last month's, as `accounts` carries it
    accounts = accounts.rename(
        columns={
            "last_status": "status",
            "last_days_past_due": "days_past_due",
            "last_past_due_fen": "past_due_fen",
            "last_balance_fen": "balance_fen",
            "last_scheduled_fen": "scheduled_fen",
            "last_paid_month": "paid_month",
        }
    )
    accounts["open"] = accounts["status"].isin(OPEN)
    accounts["settled"] = accounts["status"].isin(SETTLED)
    accounts["local"] = accounts["currency"] == currency
    accounts["open_local"] = accounts["open"] & accounts["local"]
    accounts["activity"] = np.maximum(accounts["opened_month"], accounts["paid_month"].fillna(0))
    overdue = accounts["open"] & (accounts["days_past_due"] > 0)

    platforms = accounts.groupby(["person", "furnisher"]).agg(
        open=("open", "any"), settled=("settled", "any"), activity=("activity", "max")
    )
    platforms["idle"] = last - platforms["activity"]
    by_person = accounts.groupby("person")
    local = accounts[accounts["local"]].groupby("person")
    result = pd.DataFrame(
        {
            "accounts_ever": by_person.size(),
            "accounts_open": by_person["open"].sum(),
            "accounts_settled": by_person["settled"].sum(),
            "platforms_ever": platforms.groupby(level=0).size(),
            "platforms_open": platforms.groupby(level=0)["open"].sum(),
            "platforms_settled": platforms.groupby(level=0)["settled"].sum(),
            "first_loan_on": by_person["opened_on"].min(),
            "amount_borrowed_fen": local["principal_fen"].sum(),
            "credit_limit_fen": local["credit_limit_fen"].sum(),
            "current_overdue_accounts": accounts[overdue].groupby("person").size(),
            "current_overdue_amount_fen": accounts[overdue & accounts["local"]]
            .groupby("person")["past_due_fen"]
            .sum(),
            "max_days_past_due": accounts[accounts["open"]]
            .groupby("person")["days_past_due"]
            .max(),
            "outstanding_balance_fen": accounts[accounts["open_local"]]
            .groupby("person")["balance_fen"]
            .sum(),
            "monthly_obligations_fen": accounts[accounts["open_local"]]
            .groupby("person")["scheduled_fen"]
            .sum(),
            "revolving_balance_fen": accounts[
                accounts["open_local"] & accounts["credit_limit_fen"].notna()
            ]
            .groupby("person")["balance_fen"]
            .sum(),
            "revolving_limit_fen": accounts[accounts["open_local"]]
            .groupby("person")["credit_limit_fen"]
            .sum(),
            "months_since_last_activity": platforms.groupby(level=0)["idle"].min(),
            "dormant_platforms": (platforms["open"] & (platforms["idle"] >= DORMANT))
            .groupby(level=0)
            .sum(),
        }
    )
    for kind in FURNISHER_KINDS:
        mine = accounts[accounts["open"] & (accounts["furnisher_kind"] == kind)]
        result[f"accounts_open_{kind}"] = mine.groupby("person").size()
        result[f"platforms_open_{kind}"] = mine.groupby("person")["furnisher"].nunique()
    for window in OPENED_WINDOWS:
        opened = accounts[last - accounts["opened_month"] < window]
        result[f"accounts_opened_{window}m"] = opened.groupby("person").size()
    result["oldest_account_months"] = last - by_person["opened_month"].min()
    result = result.join(_grid_counts(data["accounts"], months, last), how="outer")
    result = result.join(_recent_payments(accounts, months, last), how="outer")
    result["flag_3_or_6_in_24"] = result["accounts_3_or_6_in_24"].fillna(0) > 0
    result = result.join(_inquiries(data["inquiries"], as_of.toordinal()), how="outer")
    records, negative = data["public_records"], data["negative"]
    others = {
        "public_records": records.groupby("person").size(),
        **{
            f"public_records_{kind}": records[records["kind"] == kind].groupby("person").size()
            for kind in PUBLIC_RECORD_KINDS
        },
        "public_records_active": records[records["active"]].groupby("person").size(),
        "public_records_active_dishonest_judgment_debtor": records[
            records["active"] & (records["kind"] == "dishonest_judgment_debtor")
        ]
        .groupby("person")
        .size(),
        "blacklist_entries": data["blacklist"].groupby("person").size(),
        "negative_records": negative.groupby("person").size(),
        "negative_uncured": negative["expires_on"].isna().groupby(negative["person"]).sum(),
        "next_expiry_on": negative.groupby("person")["expires_on"].min(),
    }
    result = result.join(pd.DataFrame(others), how="outer").reindex(persons.index)
    counted = {"months_since_last_activity", "oldest_account_months", "months_since_overdue"}
    nullable = {"first_loan_on", "next_expiry_on", *counted}
    columns = {}
    for name in NAMES:
        if name in nullable:
            columns[name] = result[name]
        else:
            columns[name] = result[name].fillna(0).astype(bool if name[:5] == "flag_" else "int64")
    for name in counted:
        columns[name] = result[name].astype("Int64")
    return pd.DataFrame(columns, index=result.index).reset_index()


def run(inputs: Path, as_of: date, currency: str, out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    frame = indicators(inputs, as_of, currency)
    frame.to_parquet(out / "indicators.parquet", index=False)
    return len(frame)
