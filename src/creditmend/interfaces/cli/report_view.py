"""The report in the terminal (Rich): one titled block per section, tables, and each account's
60-month grid as coloured codes in calendar-year rows of 12 with a legend.

Readable from 60 columns up: tables fold long names and the grid takes 29 columns. Every value
that comes from a furnisher or a subject (platform names, reasons, statements) is printed as
plain `Text`, never as Rich markup, with its control characters escaped. The HTML rendering
(`adapters/render`) shows the same model; the two agree on section titles and code colours by
intent, not by import (interfaces may not import adapters).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from rich import box
from rich.columns import Columns
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from creditmend.domain.i18n import told
from creditmend.domain.money import Money
from creditmend.domain.report.model import AccountLine, Report
from creditmend.domain.report.present import (
    DAY_KEYS,
    MONTH_KEYS,
    NONE,
    OBJECTION,
    PUBLIC_RECORD_KINDS,
    TITLES,
    code_words,
)
from creditmend.domain.rules.profile import JurisdictionProfile
from creditmend.interfaces.cli.language import _, say, speaking
from creditmend.interfaces.cli.report_grid import code_text, grid_lines, legend
from creditmend.interfaces.cli.terminal import plain_model

NAME_WIDTH = 10  # the least a table's first (name) column keeps
OBJECTION_STYLE = "bold black on yellow"
FLAG_STYLE = "bold white on red3"
BAD = "bold red"
GOOD = "green"


def words(code: str) -> str:
    return _(code_words(code))


def money(value: Money | None) -> str:
    return say().amount(value)


def amount(value: Money | None) -> str:
    return say().figure(value)


def day(value: date | None, none: str = NONE) -> str:
    return say().day(value, none)


def _kind(kind: str) -> str:
    return _(PUBLIC_RECORD_KINDS[kind]) if kind in PUBLIC_RECORD_KINDS else words(kind)


def _table(
    *columns: str,
    numeric: Iterable[int] = (),
    nowrap: Iterable[int] = (),
    title: str | None = None,
) -> Table:
    """A borderless table: `numeric` columns right-aligned, those and `nowrap` ones (dates,
    short codes) never wrapped; the others fold, the first keeping room for a name."""
    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        title=title,
        title_justify="left",
        title_style="bold",
        header_style="bold",
    )
    right, whole = set(numeric), set(nowrap)
    for index, name in enumerate(columns):
        if index in right:
            table.add_column(name, justify="right", no_wrap=True)
        elif index in whole:
            table.add_column(name, no_wrap=True)
        else:
            table.add_column(name, overflow="fold", min_width=NAME_WIDTH if index == 0 else None)
    return table


def _row(table: Table, *cells: str | Text) -> None:
    table.add_row(*(cell if isinstance(cell, Text) else Text(cell) for cell in cells))


def _figures(pairs: Sequence[tuple[str, str | Text]]) -> Table:
    """Key figures as a two-column grid: label, value."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", overflow="fold")
    grid.add_column(overflow="fold")
    for label, value in pairs:
        grid.add_row(Text(label), value if isinstance(value, Text) else Text(value, "bold"))
    return grid


def _heading(console: Console, key: str, number: int) -> None:
    title = Text(f"{number} {_(TITLES[key])}", "bold")
    console.print()
    console.rule(title, align="left", style="blue")


def _account_panel(account: AccountLine) -> Panel:
    marks = Text()
    if account.days_past_due:
        late = _("%(n)s days past due") % {"n": account.days_past_due}
        marks.append(f" {late} ", BAD)
    if account.three_or_six_in_24:
        marks.append(" " + _("3 in a row or 6 in 24") + " ", BAD)
    if account.under_objection:
        marks.append(f" {_(OBJECTION)} ", OBJECTION_STYLE)
    details = Text.assemble(
        (f"{account.furnisher_id} · {account.account_id}", "dim"),
        "\n",
        words(account.account_type) + " · " + words(account.status) + " · " + _("opened") + " ",
        day(account.opened_on),
        " · " + _("last reported") + " " + say().month(account.last_reported),
        "\n",
        _("balance") + " ",
        (money(account.balance), "bold"),
        " · " + _("past due") + " ",
        (money(account.past_due_amount), BAD if account.days_past_due else "bold"),
    )
    parts: list[RenderableType] = [Text(account.furnisher_name, "bold"), details]
    if marks:
        parts.insert(1, marks)
    parts.append(Text())
    parts.extend(grid_lines(account.grid_starts, account.grid))
    if account.statement:
        parts.append(Text.assemble((_("Personal statement") + ": ", "bold"), account.statement))
    return Panel(
        Group(*parts),
        border_style="yellow" if account.under_objection else "dim",
        expand=False,
    )


def _no_file_text(report: Report) -> str:
    """What "No credit file" means for this subject: no credit data, and whether anyone looked."""
    header = report.header
    said = _(
        "The bureau holds no loan or card account, court record or blacklist entry for this "
        "subject as of %(day)s."
    ) % {"day": day(header.as_of)}
    said = f"{said} " + _("Having no file is not a negative record.")
    if not report.inquiries:
        return f"{said} " + _("There is no inquiry in the last 24 months either.")
    looks = _(
        "Inquiries alone are looks at a file, not a file: the %(count)s of the last 24 months "
        "are listed below."
    ) % {"count": len(report.inquiries)}
    return f"{said} {looks}"


def _notes(console: Console, report: Report) -> None:
    header = report.header
    if not header.has_file:
        console.print(
            Panel(
                Text.assemble((_("No credit file") + "\n", "bold"), _no_file_text(report)),
                border_style="blue",
            )
        )
    if header.missing:
        console.print(
            Panel(
                Text("\n".join(f"• {told(note, _)}" for note in header.missing)),
                title=Text(_("What this report lacks"), "bold"),
                title_align="left",
                border_style="yellow",
            )
        )
    if header.notices:
        console.print(
            Panel(
                Text("\n".join(f"• {told(notice, _)}" for notice in header.notices)),
                title=Text(_("Notices"), "bold"),
                title_align="left",
                border_style="blue",
            )
        )


def _header(console: Console, report: Report) -> None:
    h = report.header
    console.print(
        Panel(
            Text.assemble(
                (_("Online-loan big-data report"), "bold"),
                "\n",
                (h.report_id, "dim"),
            ),
            border_style="blue",
        )
    )
    _heading(console, "header", 1)
    subject = f"{h.subject_name} · {h.subject_id}" if h.subject_name else h.subject_id or "—"
    console.print(
        _figures(
            [
                (_("Report id"), h.report_id),
                (_("As of"), day(h.as_of)),
                (_("Subject"), subject),
                (_("Purpose"), words(h.purpose)),
                (_("Asked by"), h.inquirer or _("the subject (self-inquiry)")),
                (_("Currency"), h.currency),
            ]
        )
    )


def _summary(console: Console, report: Report) -> None:
    s = report.summary
    _heading(console, "summary", 2)
    if s.score is None:
        why = _("(no scorecard)") if report.header.has_file else _("(no credit file to score)")
        score = (_("Score") + ": ", "bold")
        console.print(Text.assemble(score, (_("unscored"), "bold dim"), " ", why))
    else:
        score = (_("Score") + ": ", "bold")
        console.print(Text.assemble(score, (str(s.score), "bold blue"), " ", words(s.band)))
    if s.flags:  # as chips, like the HTML's, most serious first
        console.print(Text(_("Risk flags"), "bold"))
        console.print(
            Columns([Text(f" {words(flag)} ", FLAG_STYLE) for flag in s.flags], padding=(0, 1))
        )
    else:
        console.print(Text(_("No risk flag."), GOOD))
    table = _table(_("Reason"), _("What it means"))
    for reason in s.reasons:
        text = reason.text_zh if say().chinese and reason.text_zh else reason.text
        _row(table, words(reason.code), text)
    if s.reasons:
        console.print(table)


def _loan_history(console: Console, report: Report) -> None:
    lh = report.loan_history
    currency = report.header.currency
    _heading(console, "loan_history", 3)
    console.print(
        _figures(
            [
                (
                    _("Platforms ever / open / settled"),
                    _slash(lh.platforms_ever, lh.platforms_open, lh.platforms_settled),
                ),
                (
                    _("Accounts ever / open / settled"),
                    _slash(lh.accounts_ever, lh.accounts_open, lh.accounts_settled),
                ),
                (_("First loan"), day(lh.first_loan_on)),
                (_("Amount borrowed"), money(lh.amount_borrowed)),
                (_("Credit limits granted"), money(lh.credit_limit)),
            ]
        )
    )
    if lh.by_type:
        table = _table(
            _("Type"),
            _("Accounts"),
            _("Open"),
            _("Borrowed") + " " + currency,
            _("Limit") + " " + currency,
            numeric=(1, 2, 3, 4),
        )
        for t in lh.by_type:
            _row(
                table,
                words(t.account_type),
                str(t.accounts),
                str(t.accounts_open),
                amount(t.amount_borrowed),
                amount(t.credit_limit),
            )
        console.print(table)


def _slash(*counts: int) -> str:
    return " / ".join(str(count) for count in counts)


def _overdue(console: Console, report: Report, status_codes: Mapping[str, str]) -> None:
    o = report.overdue
    _heading(console, "overdue", 4)
    overdue_style = BAD if o.current_overdue_accounts else GOOD
    console.print(
        _figures(
            [
                (_("Accounts overdue now"), Text(str(o.current_overdue_accounts), overdue_style)),
                (_("Overdue amount now"), Text(money(o.current_overdue_amount), overdue_style)),
                (
                    _("Most days past due"),
                    Text(str(o.max_days_past_due), BAD if o.max_days_past_due else GOOD),
                ),
                (
                    _("3 in a row or 6 overdue months in 24"),
                    Text(_("yes"), BAD) if o.three_or_six_in_24 else Text(_("no"), GOOD),
                ),
            ]
        )
    )
    seen = o.months_at_status.get("m60", {})
    columns = [code for code in status_codes if seen.get(code, 0)]
    if columns:
        table = _table(
            _("Last"),
            *columns,
            _("Overdue"),
            numeric=range(1, len(columns) + 2),
            title=_("Months at each status"),
        )
        for column in table.columns[1:-1]:
            column.header = code_text(str(column.header))
        for window in MONTH_KEYS:
            counts = o.months_at_status.get(window, {})
            _row(
                table,
                _("%(n)s months") % {"n": window[1:]},
                *(str(counts.get(code, 0)) for code in columns),
                str(o.months_overdue.get(window, 0)),
            )
        console.print(table)
    console.print(Text(_("Repayment grid: 60 months per account"), "bold"))
    console.print(legend(status_codes))
    for account in o.accounts:
        console.print(_account_panel(account))


def _liabilities(console: Console, report: Report) -> None:
    li = report.liabilities
    currency = report.header.currency
    _heading(console, "liabilities", 5)
    console.print(
        _figures(
            [
                (_("Outstanding balance"), money(li.outstanding_balance)),
                (_("Monthly obligations"), money(li.monthly_obligations)),
                (_("Monthly income"), money(li.monthly_income)),
                (_("Debt-to-income"), say().percent(li.debt_to_income)),
                (
                    _("Revolving balance / limit"),
                    f"{money(li.revolving_balance)} / {money(li.revolving_limit)}",
                ),
                (_("Revolving utilisation"), say().percent(li.revolving_utilisation)),
            ]
        )
    )
    if li.platforms:
        table = _table(
            _("Platform"),
            _("Kind"),
            _("Accts"),
            _("Owed"),
            _("Monthly"),
            _("Idle"),
            numeric=(2, 3, 4, 5),
            nowrap=(1,),
            title=_("Per platform (%(currency)s; idle: months since the last activity)")
            % {"currency": currency},
        )
        for p in li.platforms:
            name = Text.assemble(p.name, "\n", (p.furnisher_id, "dim"))
            if p.dormant:
                name.append(" · " + _("dormant"), "yellow")
            _row(
                table,
                name,
                words(p.kind),
                f"{p.accounts} ({p.accounts_open})",
                amount(p.outstanding_balance),
                amount(p.monthly_obligations),
                str(p.months_since_activity),
            )
        console.print(table)


def _multi_head(console: Console, report: Report) -> None:
    mh = report.multi_head
    _heading(console, "multi_head", 6)
    table = _table(_("In the last"), *(f"{w[1:]}d" for w in DAY_KEYS), numeric=range(1, 7))
    _row(
        table,
        Text(_("Hard inquiries"), "bold"),
        *(Text(str(mh.hard_inquiries.get(w, 0)), "bold") for w in DAY_KEYS),
    )
    _row(
        table,
        Text(_("Institutions"), "bold"),
        *(Text(str(mh.institutions.get(w, 0)), "bold") for w in DAY_KEYS),
    )
    for kind, by in mh.by_kind.items():
        for name, label in (
            ("hard_inquiries", _("hard inquiries")),
            ("institutions", _("institutions")),
        ):
            counts = by.get(name, {})
            _row(table, f"{words(kind)}: {label}", *(str(counts.get(w, 0)) for w in DAY_KEYS))
    console.print(table)


def _untrustworthy(console: Console, report: Report) -> None:
    u = report.untrustworthy
    _heading(console, "untrustworthy", 7)
    console.print(
        _figures(
            [
                (_kind(kind), Text(str(count), BAD if count else GOOD))
                for kind, count in u.counts.items()
            ]
        )
    )
    if u.records:
        table = _table(
            _("Kind"),
            _("Court and case"),
            _("Filed"),
            _("Amount"),
            _("Status"),
            numeric=(3,),
            nowrap=(2,),
        )
        for r in u.records:
            kind = Text(_kind(r.kind))
            if r.under_objection:
                kind.append(f"\n{_(OBJECTION)}", OBJECTION_STYLE)
            ended = " (" + _("ended") + " " + day(r.ended_on) + ")" if r.ended_on else ""
            _row(
                table,
                kind,
                Text.assemble(r.court, "\n", (r.case_number, "dim")),
                day(r.filed_on),
                money(r.amount),
                words(r.status) + ended,
            )
        console.print(table)
        _statements(console, ((r.record, r.statement) for r in u.records))


def _statements(console: Console, stated: Iterable[tuple[str, str | None]]) -> None:
    """The subject's statements on the records of the table above (after a confirmed
    objection), each naming its record."""
    for record, text in stated:
        if text:
            console.print(
                Text.assemble((_("Personal statement") + " ", "bold"), (record, "dim"), ": ", text)
            )


def _blacklist(console: Console, report: Report) -> None:
    bl = report.blacklist
    _heading(console, "blacklist", 8)
    hits = Text(str(bl.hits), BAD if bl.hits else GOOD)
    console.print(_figures([(_("Blacklist hits"), hits)]))
    if bl.entries:
        table = _table(
            _("Source"), _("Category"), _("Listed"), _("Expires"), _("Reason"), nowrap=(2,)
        )
        for b in bl.entries:
            source = Text(b.source)
            if b.under_objection:
                source.append(f"\n{_(OBJECTION)}", OBJECTION_STYLE)
            _row(
                table,
                source,
                words(b.category),
                day(b.listed_on),
                day(b.expires_on, _("no expiry set")),
                b.reason,
            )
        console.print(table)
        _statements(console, ((b.record, b.statement) for b in bl.entries))


def _objections(console: Console, report: Report) -> None:
    ob = report.objections
    _heading(console, "objections", 9)
    if not ob.objections and not ob.statements:
        console.print(Text(_("No objection or statement."), "dim"))
    if ob.objections:
        table = _table(
            _("Record"),
            _("Status"),
            _("Reason"),
            _("Filed"),
            _("Reply due"),
            nowrap=(3, 4),
            title=_("Objections"),
        )
        for x in ob.objections:
            _row(
                table,
                x.record,
                _(x.status.replace("_", " ")),
                x.reason,
                day(x.filed_on),
                day(x.due_on),
            )
        console.print(table)
    if ob.statements:
        table = _table(
            _("Record"), _("Statement"), _("Made on"), nowrap=(2,), title=_("Personal statements")
        )
        for s in ob.statements:
            _row(table, s.record, s.text, day(s.on))
        console.print(table)


def _expiry(console: Console, report: Report) -> None:
    _heading(console, "expiry_timeline", 10)
    if not report.expiry_timeline:
        console.print(Text(_("No negative record is shown."), "dim"))
        return
    table = _table(_("Record"), _("Kind"), _("Shown until"), _("Why"))
    for e in report.expiry_timeline:
        record = Text(e.record)
        if e.under_objection:
            record.append(f"\n{_(OBJECTION)}", OBJECTION_STYLE)
        until = Text(_("not until cured"), BAD) if e.expires_on is None else Text(day(e.expires_on))
        _row(table, record, words(e.kind), until, told(e.reason, _, say().lang))
    console.print(table)
    console.print(Text(_("Shown until: the first day the record is no longer shown."), "dim"))


def _inquiries(console: Console, report: Report) -> None:
    _heading(console, "inquiries", 11)
    if not report.inquiries:
        console.print(Text(_("No inquiry in the last 24 months."), "dim"))
        return
    table = _table(_("Date"), _("Institution"), _("Purpose"), _("Hard"), nowrap=(0, 3))
    for i in report.inquiries:
        if i.furnisher_name:
            who = Text.assemble(i.furnisher_name, " ", (i.furnisher_id or "", "dim"))
        else:
            who = Text(i.furnisher_id or _("the subject"))
        if i.record:  # what the subject names to object to this inquiry
            who.append(f"\n{i.record}", "dim")
        if i.under_objection:
            who.append(f"\n{_(OBJECTION)}", OBJECTION_STYLE)
        _row(
            table,
            day(i.on),
            who,
            words(i.purpose),
            Text(_("hard"), "bold") if i.hard else Text(_("soft"), "dim"),
        )
    console.print(table)
    _statements(console, ((i.record, i.statement) for i in report.inquiries))


def print_report(
    report: Report, console: Console, *, profile: JurisdictionProfile, lang: str | None = None
) -> None:
    """Print the report's sections. A subject without a file gets "No credit file" and, when
    someone looked at the file, the summary's flags, the multi-head counts and the inquiries.

    Text wraps at the console's width even on a soft-wrapping console (whose `print` would
    otherwise crop the text inside panels and tables). Every text is escaped first
    (`terminal.plain_model`): stored text never acts on the terminal. In `lang`, else the
    CLI's language (`language.py`)."""
    soft_wrap, console.soft_wrap = console.soft_wrap, False
    try:
        with speaking(lang):
            _print_sections(plain_model(report), console, profile)
    finally:
        console.soft_wrap = soft_wrap


def _print_sections(report: Report, console: Console, profile: JurisdictionProfile) -> None:
    _header(console, report)
    _notes(console, report)
    if not report.header.has_file:
        if report.inquiries:
            _summary(console, report)
            _multi_head(console, report)
            _inquiries(console, report)
        return
    _summary(console, report)
    _loan_history(console, report)
    _overdue(console, report, profile.status_codes)
    _liabilities(console, report)
    _multi_head(console, report)
    _untrustworthy(console, report)
    _blacklist(console, report)
    _objections(console, report)
    _expiry(console, report)
    _inquiries(console, report)
