"""The plan in the terminal: what a debt counsellor would put in front of a client.

The four strategies in one table, the chosen plan month by month (who gets how much), then the
counsellor's words, what to ask each platform, which records to object to, when each record
expires, and the score month by month. Text from the plan file is printed as text (no markup).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from creditmend.domain.recovery.simulate import Outcome
from creditmend.interfaces.cli.plan_form import day as _day
from creditmend.interfaces.cli.plan_form import money as _money
from creditmend.interfaces.cli.plan_form import summary
from creditmend.interfaces.cli.terminal import plain
from creditmend.services.advise import STRATEGY_NAMES, Advice


def _strategies_table(advice: Advice) -> Table:
    table = Table(title="Four ways to repay, simulated to the fen", title_justify="left")
    table.add_column("")
    for name in STRATEGY_NAMES:
        table.add_column(name, justify="right")
    rows: list[tuple[str, Any]] = [
        ("total paid", lambda o, v: _money(o.total_paid.amount)),
        ("interest paid", lambda o, v: _money(o.interest_paid.amount)),
        ("penalty paid", lambda o, v: _money(o.penalty_paid.amount)),
        ("fees paid", lambda o, v: _money(o.fees_paid.amount)),
        ("cost incl. unpaid at end", lambda o, v: _money(v.cost)),
        ("months reported overdue", lambda o, v: str(o.overdue_account_months)),
        ("of them > 90 days", lambda o, v: str(v.serious_months)),
        ("debt-free on", lambda o, v: _day(o.debt_free_on)),
        ("credit clean on", lambda o, v: _day(o.clean_on)),
        ("objective (lower is better)", lambda o, v: _money(v.total)),
    ]
    for label, cell in rows:
        table.add_row(
            label,
            *(cell(advice.strategies[n], advice.values[n]) for n in STRATEGY_NAMES),
        )
    return table


def _plan_table(outcome: Outcome) -> Table:
    table = Table(title="The optimal plan, month by month", title_justify="left")
    table.add_column("month")
    for loan in outcome.loans:
        table.add_column(plain(loan.platform or loan.loan_id), justify="right")
    table.add_column("total", justify="right")
    last = ""
    for index, label in enumerate(outcome.horizon.labels):
        cells = []
        for loan in outcome.loans:
            month = loan.months[index]
            paid = month.paid.amount
            text = _money(paid) if paid else "-"
            cells.append(f"{text} {month.status}")
        row = " ".join(cells)
        total = sum((loan.months[index].paid.amount for loan in outcome.loans), Decimal(0))
        if row == last and index != len(outcome.horizon.labels) - 1:
            continue  # repeated months are shown once
        last = row
        table.add_row(label, *cells, _money(total))
    return table


def _proposals(advice: Advice) -> list[str]:
    """One line per proposal: what is asked, why, and the plan's payments it promises."""
    if not advice.proposals:
        return []
    lines = ["What to ask each platform (each letter promises exactly the plan's payments):"]
    for proposal in advice.proposals:
        schedule = proposal.schedule
        if len(schedule) == 1:
            when = f"one payment of {_money(proposal.total.amount)} on {schedule[0][0]}"
        elif schedule:
            when = (
                f"{len(schedule)} payments {schedule[0][0]}..{schedule[-1][0]}, "
                f"{_money(proposal.total.amount)} in all"
            )
        else:
            when = f"no payment the budget carries before {proposal.horizon_end}"
        why = ", ".join(ground.value.replace("_", " ") for ground in proposal.grounds)
        lines.append(
            f"- {proposal.platform or proposal.loan_id} ({proposal.loan_id}): "
            f"{proposal.kind.value.replace('_', ' ')}; {when}; why: {why}."
        )
    return lines


def _timeline(advice: Advice) -> Table | None:
    if not advice.timeline:
        return None
    table = Table(title="When each negative record stops being shown", title_justify="left")
    for column in ("record", "overdue from", "cured on", "shown until"):
        table.add_column(column)
    for row in advice.timeline:
        table.add_row(
            plain(row.record),
            row.overdue_from.isoformat(),
            _day(row.cured_on),
            row.expires_on.isoformat() if row.expires_on else "not until cured",
        )
    return table


def _forecast(advice: Advice) -> Table | None:
    forecast = advice.forecast
    if forecast is None or not forecast.months:
        return None
    table = Table(title="The score under the plan (months where it moves)", title_justify="left")
    active = {} if forecast.active is None else {m.month: m for m in forecast.active.months}
    columns = ("month", "score", "band", *(("kept active", "band ") if active else ()))
    for column in columns:
        table.add_column(column, justify="right" if column in ("score", "kept active") else "left")
    last: tuple[Any, ...] = ()
    for month in forecast.months:
        kept = active.get(month.month)
        now = (month.score, month.band, *((kept.score, kept.band) if kept else ()))
        if now != last:
            extra = (str(kept.score), kept.band) if kept else (("-", "-") if active else ())
            table.add_row(month.month, str(month.score), month.band or "", *extra)
            last = now
    return table


_SOURCE = {"family_loan": "family", "asset_sale": "asset", "income_rise": "income/mo"}
_GOAL = {"no_serious": "<90 days", "cure_all": "cure all"}


def _bridging(advice: Advice) -> Table | None:
    """Each bridge's effect (late: loan-months reported overdue); the words in the summary
    say when the money comes."""
    if not advice.bridging:
        return None
    unproven = any(not bridge.minimal for bridge in advice.bridging)
    table = Table(
        title="Bridging money, each re-planned exactly",
        title_justify="left",
        caption="* the least amount found, not proven least" if unproven else None,
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    columns = ("source", "goal", "amount", "late", ">90d", "cost", "clean on", "saving")
    for column in columns:
        right = column not in ("source", "goal")
        table.add_column(column, justify="right" if right else "left", no_wrap=True)
    for bridge in advice.bridging:
        effect = bridge.effect
        table.add_row(
            _SOURCE[bridge.kind.value],
            _GOAL[bridge.goal.value],
            f"{bridge.amount.amount:,.0f}" + ("" if bridge.minimal else " *"),
            str(effect.overdue_account_months),
            str(effect.serious_account_months),
            _money(effect.cost),
            _day(effect.clean_on),
            _money(effect.saving),
        )
    return table


def render(advice: Advice, out: Console) -> None:
    out.print(_strategies_table(advice))
    out.print(_plan_table(advice.strategies["optimal"]))
    out.print("Each cell: amount paid, then the month-end status code (N on time, 1-7 overdue).")
    for line in summary(advice):  # platform names from a plan file or the bureau: escaped
        out.print(plain(line))
    for line in _proposals(advice):  # platform names from a plan file or the bureau: escaped
        out.print(plain(line))
    for table in (_bridging(advice), _timeline(advice), _forecast(advice)):
        if table is not None:
            out.print(table)
    if advice.forecast is not None:
        f = advice.forecast
        reached = f"reached in {f.reaches_target}" if f.reaches_target else "not in the horizon"
        out.print(f"Target band {f.target_band}: {reached}.", markup=False)
    for candidate in advice.candidates:
        out.print(plain(f"Worth an objection: {candidate.record}: {'; '.join(candidate.finding)}"))
        out.print(plain(f"  {candidate.command}"))
    if advice.new_loan is not None:
        effect = advice.new_loan
        out.print(
            f"A new loan of {_money(effect.offer.amount.amount)}: score "
            f"{effect.score.before} -> {effect.score.after}, platforms "
            f"{effect.platforms_open.before} -> {effect.platforms_open.after}, hard inquiries "
            f"in 90 days {effect.hard_inquiries_90d.before} -> {effect.hard_inquiries_90d.after}.",
            markup=False,
        )
        for warning in effect.warnings:
            out.print(plain(f"  {warning}"))
    for note in advice.notes:
        out.print(plain(f"Note: {note}"))
    if advice.letters:
        names = ", ".join(letter.platform for letter in advice.letters)
        out.print(
            plain(
                f"{len(advice.letters)} letter(s), one to each platform above ({names}), in "
                "Chinese and English: --format html or pdf shows them, --letters DIR writes them."
            )
        )
