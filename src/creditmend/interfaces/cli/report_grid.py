"""Each account's 60-month grid in the terminal: coloured codes in calendar-year rows of 12,
and the legend of the codes in the CLI's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from rich.columns import Columns
from rich.text import Text

from creditmend.domain.calendar import add_months
from creditmend.interfaces.cli.language import _

# N green; 1..7 yellow to red; B, D, Z red and magenta; C, G blue and dim; #, *, / dim.
CODE_STYLES: Mapping[str, str] = {
    "N": "bold green",
    "M": "green",
    "1": "bold yellow",
    "2": "bold orange1",
    "3": "bold dark_orange",
    "4": "bold orange_red1",
    "5": "bold red",
    "6": "bold red3",
    "7": "bold white on red3",
    "B": "bold white on red",
    "D": "bold magenta",
    "Z": "bold magenta",
    "C": "bold blue",
    "G": "dim blue",
    "#": "dim",
    "*": "dim",
    "/": "dim",
}
MONTH_INITIALS = "J F M A M J J A S O N D"


def code_text(code: str) -> Text:
    return Text(code, CODE_STYLES.get(code, "dim"))


def grid_lines(starts: date, codes: Sequence[str]) -> list[Text]:
    """The 60 codes as calendar-year rows of 12, with a header of month initials."""
    months = {add_months(starts, index): code for index, code in enumerate(codes)}
    lines = [Text("     " + MONTH_INITIALS, "dim")]
    for year in sorted({month.year for month in months}):
        line = Text(f"{year} ", "bold")
        for number in range(1, 13):
            code = months.get(date(year, number, 1))
            line.append_text(code_text(code) if code is not None else Text(" "))
            if number < 12:
                line.append(" ")
        lines.append(line)
    return lines


def legend(status_codes: Mapping[str, str]) -> Columns:
    """Each code with its meaning, laid out in as many columns as the width allows."""
    return Columns(
        [
            Text.assemble(code_text(code), (f" {_(meaning)}", "dim"))
            for code, meaning in status_codes.items()
        ],
        padding=(0, 3),
    )
