"""The rows of a scoring CSV file: a comma-separated text with a header row, checked.

One reader for `score train` and `score apply`, standard library only, on text already read
(the callers open, decode and name the file). Refused, as one `--data` problem: a file that is
not readable CSV (an unterminated quote), an empty file, a header with fewer than
`min_columns` columns, a column named twice in the header, a row with another number of fields
than the header (the first one's line is given). Blank lines are skipped.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable

from creditmend.domain.problems import Problem, ProblemsError


def _fail(message: str, line: int | None = None) -> ProblemsError:
    return ProblemsError((Problem("scoring.data", message, line),))


def header_and_rows(
    lines: Iterable[str], name: str, *, min_columns: int = 1
) -> tuple[list[str], list[list[str]]]:
    """The header (names stripped) and the data rows of `lines`, the file called `name`.

    A UnicodeDecodeError of `lines` (a file read lazily) is the caller's to say."""
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise _fail(f"{name}: the file is empty")
        header = [cell.strip() for cell in header]
        if len(header) < min_columns:
            raise _fail(
                f"{name}: not a comma-separated file with a header row "
                f"(the first line holds one column: {header[0][:40]!r})"
            )
        rows: list[list[str]] = []
        wrong: list[int] = []
        for row in reader:
            if not row:
                continue
            if len(row) != len(header):
                wrong.append(reader.line_num)
                continue
            rows.append(row)
    except csv.Error as error:
        raise _fail(f"{name}: not a readable CSV file ({error})") from None
    seen: set[str] = set()
    for column in header:
        if column in seen:
            raise _fail(f"{name}: the column {column!r} appears twice in the header")
        seen.add(column)
    if wrong:
        more = f" (and {len(wrong) - 1} more rows)" if len(wrong) > 1 else ""
        raise _fail(
            f"{name}: a row has a different number of fields than the header's {len(header)}{more}",
            wrong[0],
        )
    return header, rows
