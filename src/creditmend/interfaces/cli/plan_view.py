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

from creditmend.domain.i18n import N_, Joined, told
from creditmend.domain.recovery.file_candidates import EVIDENCE_FILE, WHY_WORDS
from creditmend.domain.recovery.simulate import Outcome
from creditmend.interfaces.cli.language import _, current
from creditmend.interfaces.cli.plan_form import day as _day
from creditmend.interfaces.cli.plan_form import money as _money
from creditmend.interfaces.cli.plan_form import summary
from creditmend.interfaces.cli.terminal import plain
from creditmend.services.advise import STRATEGY_NAMES, Advice

# What a proposal asks and why, as words (the codes are `ProposalKind` and `Ground`).
PLAN_WORDS = {
    "correction_and_waiver": N_("correction and waiver"),
    "cap_dispute": N_("cap dispute"),
    "conversion": N_("conversion"),
    "hardship_instalment": N_("hardship instalment"),
    "reinstalment": N_("reinstalment"),
    "failed_debit": N_("failed debit"),
    "above_cap": N_("above cap"),
    "shortfall": N_("shortfall"),
    "not_cured": N_("not cured"),
}


def _told(text: str) -> str:
    """The domain's sentence (`Said`) in the chosen language."""
    return told(text, _, current())


def _strategies_table(advice: Advice) -> Table:
    table = Table(title=_("Four ways to repay, simulated to the fen"), title_justify="left")
    table.add_column("")
    for name in STRATEGY_NAMES:
        table.add_column(_(name), justify="right")
    rows: list[tuple[str, Any]] = [
        (N_("total paid"), lambda o, v: _money(o.total_paid.amount)),
        (N_("interest paid"), lambda o, v: _money(o.interest_paid.amount)),
        (N_("penalty paid"), lambda o, v: _money(o.penalty_paid.amount)),
        (N_("fees paid"), lambda o, v: _money(o.fees_paid.amount)),
        (N_("cost incl. unpaid at end"), lambda o, v: _money(v.cost)),
        (N_("months reported overdue"), lambda o, v: str(o.overdue_account_months)),
        (N_("of them > 90 days"), lambda o, v: str(v.serious_months)),
        (N_("debt-free on"), lambda o, v: _day(o.debt_free_on)),
        (N_("credit clean on"), lambda o, v: _day(o.clean_on)),
        (N_("objective (lower is better)"), lambda o, v: _money(v.total)),
    ]
    for label, cell in rows:
        table.add_row(
            _(label),
            *(cell(advice.strategies[n], advice.values[n]) for n in STRATEGY_NAMES),
        )
    return table


def _plan_table(outcome: Outcome) -> Table:
    table = Table(title=_("The optimal plan, month by month"), title_justify="left")
    table.add_column(_("month"))
    for loan in outcome.loans:
        table.add_column(plain(loan.platform or loan.loan_id), justify="right")
    table.add_column(_("total"), justify="right")
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
    lines = [_("What to ask each platform (each letter promises exactly the plan's payments):")]
    for proposal in advice.proposals:
        schedule = proposal.schedule
        if len(schedule) == 1:
            when = _("one payment of %(amount)s on %(on)s") % {
                "amount": _money(proposal.total.amount),
                "on": schedule[0][0],
            }
        elif schedule:
            when = _("%(n)s payments %(first)s..%(last)s, %(amount)s in all") % {
                "n": len(schedule),
                "first": schedule[0][0],
                "last": schedule[-1][0],
                "amount": _money(proposal.total.amount),
            }
        else:
            when = _("no payment the budget carries before %(on)s") % {"on": proposal.horizon_end}
        why = ", ".join(_(PLAN_WORDS[ground.value]) for ground in proposal.grounds)
        lines.append(
            _("- %(platform)s (%(loan)s): %(kind)s; %(when)s; why: %(why)s.")
            % {
                "platform": proposal.platform or proposal.loan_id,
                "loan": proposal.loan_id,
                "kind": _(PLAN_WORDS[proposal.kind.value]),
                "when": when,
                "why": why,
            }
        )
    return lines


def _timeline(advice: Advice) -> Table | None:
    if not advice.timeline:
        return None
    table = Table(title=_("When each negative record stops being shown"), title_justify="left")
    for column in (_("record"), _("overdue from"), _("cured on"), _("shown until")):
        table.add_column(column)
    for row in advice.timeline:
        table.add_row(
            plain(row.record),
            row.overdue_from.isoformat(),
            _day(row.cured_on),
            row.expires_on.isoformat() if row.expires_on else _("not until cured"),
        )
    return table


def _forecast(advice: Advice) -> Table | None:
    forecast = advice.forecast
    if forecast is None or not forecast.months:
        return None
    title = _("The score under the plan (months where it moves)")
    table = Table(title=title, title_justify="left")
    active = {} if forecast.active is None else {m.month: m for m in forecast.active.months}
    columns = (
        N_("month"),
        N_("score"),
        N_("band"),
        *((N_("kept active"), N_("band")) if active else ()),
    )
    for column in columns:
        right = column in ("score", "kept active")
        table.add_column(_(column), justify="right" if right else "left")
    last: tuple[Any, ...] = ()
    for month in forecast.months:
        kept = active.get(month.month)
        now = (month.score, month.band, *((kept.score, kept.band) if kept else ()))
        if now != last:
            extra = (str(kept.score), kept.band) if kept else (("-", "-") if active else ())
            table.add_row(month.month, str(month.score), month.band or "", *extra)
            last = now
    return table


_SOURCE = {"family_loan": N_("family"), "asset_sale": N_("asset"), "income_rise": N_("income/mo")}
_GOAL = {"no_serious": N_("<90 days"), "cure_all": N_("cure all")}


def _bridging(advice: Advice) -> Table | None:
    """Each bridge's effect (late: loan-months reported overdue); the words in the summary
    say when the money comes."""
    if not advice.bridging:
        return None
    unproven = any(not bridge.minimal for bridge in advice.bridging)
    table = Table(
        title=_("Bridging money, each re-planned exactly"),
        title_justify="left",
        caption="* " + _("the least amount found, not proven least.") if unproven else None,
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    columns = (
        N_("source"), N_("goal"), N_("amount"), N_("late"), N_(">90d"), N_("cost"),
        N_("clean on"), N_("saving"),
    )  # fmt: skip
    for column in columns:
        right = column not in ("source", "goal")
        table.add_column(_(column), justify="right" if right else "left", no_wrap=True)
    for bridge in advice.bridging:
        effect = bridge.effect
        table.add_row(
            _(_SOURCE[bridge.kind.value]),
            _(_GOAL[bridge.goal.value]),
            f"{bridge.amount.amount:,.0f}" + ("" if bridge.minimal else " *"),
            str(effect.overdue_account_months),
            str(effect.serious_account_months),
            _money(effect.cost),
            _day(effect.clean_on),
            _money(effect.saving),
        )
    return table


def file_candidate_lines(advice: Advice) -> list[str]:
    """The file's objection candidates (`file_candidates`): each record, why it is worth an
    objection, and the command that files it (with the evidence file to write, when it needs
    one)."""
    if not advice.file_candidates:
        return []
    lines = [_("Records worth objecting to")]
    evidence = _("Put the evidence in %(file)s first (docs/objections.md), then:")
    for c in advice.file_candidates:
        words = {"days": c.days_past_due, "by": c.furnisher_name, "purpose": c.purpose,
                 "on": c.inquired_on}  # fmt: skip
        shown = c.record if c.account_id is None else f"{c.record} ({c.furnisher_name})"
        lines.append(f"- {shown}: " + _(WHY_WORDS[c.why]) % words)
        if c.needs_evidence:
            lines.append("  " + evidence % {"file": EVIDENCE_FILE})
        lines.append(f"  {c.command}")
    return lines


def render(advice: Advice, out: Console) -> None:
    out.print(_strategies_table(advice))
    out.print(_plan_table(advice.strategies["optimal"]))
    out.print(_("Each cell: amount paid, then the month-end status code (N on time, 1-7 overdue)."))
    for line in summary(advice):  # platform names from a plan file or the bureau: escaped
        out.print(plain(_told(line)))
    for line in _proposals(advice):  # platform names from a plan file or the bureau: escaped
        out.print(plain(line))
    for table in (_bridging(advice), _timeline(advice), _forecast(advice)):
        if table is not None:
            out.print(table)
    if advice.forecast is not None:
        f = advice.forecast
        if f.reaches_target:
            said = _("Target band %(band)s: reached in %(month)s.")
        else:
            said = _("Target band %(band)s: not reached in the horizon.")
        out.print(said % {"band": f.target_band, "month": f.reaches_target}, markup=False)
    for line in file_candidate_lines(advice):  # names from the bureau: escaped
        out.print(plain(line))
    for candidate in advice.candidates:
        worth = _("Worth an objection: %(record)s: %(finding)s") % {
            "record": candidate.record,
            "finding": _told(Joined(candidate.finding)),
        }
        out.print(plain(worth))
        out.print(plain(f"  {candidate.command}"))
    if advice.new_loan is not None:
        effect = advice.new_loan
        said = _(
            "A new loan of %(amount)s: score %(score_before)s -> %(score_after)s, platforms "
            "%(platforms_before)s -> %(platforms_after)s, hard inquiries in 90 days "
            "%(inquiries_before)s -> %(inquiries_after)s."
        )
        numbers = {
            "amount": _money(effect.offer.amount.amount),
            "score_before": effect.score.before,
            "score_after": effect.score.after,
            "platforms_before": effect.platforms_open.before,
            "platforms_after": effect.platforms_open.after,
            "inquiries_before": effect.hard_inquiries_90d.before,
            "inquiries_after": effect.hard_inquiries_90d.after,
        }
        out.print(said % numbers, markup=False)
        for warning in effect.warnings:
            out.print(plain(f"  {warning}"))
    for note in advice.notes:
        out.print(plain(_("Note: %(note)s") % {"note": _told(note)}))
    if advice.letters:
        names = ", ".join(letter.platform for letter in advice.letters)
        said = _(
            "%(n)s letter(s), one to each platform above (%(names)s), in Chinese and English: "
            "--format html or pdf shows them, --letters DIR writes them."
        )
        out.print(plain(said % {"n": len(advice.letters), "names": names}))
