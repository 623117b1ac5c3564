"""Text from outside: what a single-line field may hold, and how stored text is shown.

Every text field that reaches the bureau from outside (a furnisher's name, an account number, a
consent reference, a court's name, a blacklist reason, a platform's name in a plan file) is
printed later on someone else's terminal or page. A character that a terminal obeys (ESC, BEL,
CSI U+009B and the other C0 and C1 controls, DEL), that reorders what a reader sees (the
bidirectional controls, e.g. U+202E RIGHT-TO-LEFT OVERRIDE), or that breaks the line (CR, LF,
U+2028, U+2029) would let a lender clear or retitle the screen of whoever reads the report, or
make one text read as another. A lone surrogate (what `"\\ud800"` in JSON decodes to) is not
text at all: it cannot be encoded, so it would fail in the store or on output. NUL is refused
with the other controls, so SQLite and PostgreSQL (which cannot hold it) give the same answer.

`why_refused` is the one judgement every reader applies at the door; `escaped` is the one way
to show text that was stored anyway (before the door existed, or written by other means), so it
can never act on a terminal either. Both use the same set of characters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from creditmend.domain.problems import Problem

# A name (a person's, a furnisher's, a court's, a platform's, a loan's): the longest official
# Chinese organisation names run to about 100 characters; 200 leaves room and keeps every
# report line readable. Furnisher names had this limit before the door existed.
NAME_MAX_CHARS = 200
# A reference (an account number, a consent reference, a case number, an id number): an
# identifier, not prose; the same 200 as a name, far above any real one.
REFERENCE_MAX_CHARS = 200
# A free-text reason (a blacklist reason, a note, a purpose description): a paragraph, not a
# document; a reader's report shows it whole.
REASON_MAX_CHARS = 2000

# C0 controls (NUL, TAB, CR, LF, ESC, BEL ...), DEL and the C1 controls (CSI U+009B ...);
# lone surrogates; the bidirectional controls (ALM U+061C, LRM, RLM, the embeddings and
# overrides U+202A-U+202E, the isolates U+2066-U+2069); the line and paragraph separators.
_REFUSED = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)
_SHORT_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _what(char: str) -> str:
    """The kind of a refused character, in the words a furnisher can act on."""
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return "a lone surrogate (not a character)"
    if code == 0x2028:
        return "a line separator"
    if code == 0x2029:
        return "a paragraph separator"
    if code > 0x9F:
        return "a bidirectional control"
    return "a control character"


def why_refused(text: str, max_chars: int) -> str | None:
    """Why a single-line text field from outside is refused, or None when it is accepted.

    Refused: more than `max_chars` characters; any control character (C0 including NUL, TAB,
    CR and LF; DEL; C1), lone surrogate, bidirectional control, or line or paragraph separator.
    Every other character, in any script, is accepted. The reason names the character by its
    code point (never the character itself), so it is safe to print.
    """
    if len(text) > max_chars:
        return f"has {len(text)} characters; at most {max_chars}"
    if text.isprintable():  # the usual case, at C speed: every refused character is not
        return None
    found = _REFUSED.search(text)
    if found is None:
        return None
    char = found.group()
    return (
        f"holds {_what(char)} U+{ord(char):04X} at character {found.start() + 1}; "
        "write one line of plain text"
    )


def text_problem(field: str, text: str, max_chars: int, line: int | None = None) -> Problem | None:
    """`why_refused` as a problem naming the field (and the file line), or None."""
    reason = why_refused(text, max_chars)
    return None if reason is None else Problem(field, reason, line)


def text_problems_in(
    data: Any, line: int | None = None, source: str = "", max_chars: int = REASON_MAX_CHARS
) -> tuple[Problem, ...]:
    """`why_refused` over every text a record read from outside holds: its keys and its text
    values, in lists and nested objects too, each problem naming the value's path (`source`,
    then `files[0].name`). Run at a file's door before anything else reads the record (a JSON
    Schema validator cannot even take a lone surrogate). `max_chars` bounds any one value; each
    reader then holds its own fields to their own limits."""
    if _plainly_clean(data, max_chars):
        return ()
    problems: list[Problem] = []
    # a stack, not recursion: any depth is read; items are pushed in reverse so that the
    # problems come in the document's order
    stack: list[tuple[str, Any]] = [(source, data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            reason = why_refused(value, max_chars)
            if reason is not None:
                problems.append(Problem(path or "value", reason, line))
        elif isinstance(value, Problem):
            problems.append(value)
        elif isinstance(value, Mapping):
            for key, item in reversed(list(value.items())):
                name = str(key)
                reason = why_refused(name, NAME_MAX_CHARS)
                if reason is not None:  # never the key itself: it is not printable
                    stack.append((path, Problem(path or "record", f"a key {reason}", line)))
                else:
                    stack.append((f"{path}.{name}" if path else name, item))
        elif isinstance(value, list | tuple):
            stack.extend(
                (f"{path}[{index}]", item) for index, item in reversed(list(enumerate(value)))
            )
    return tuple(problems)


def _plainly_clean(data: Any, max_chars: int) -> bool:
    """The fast way through for a flat record of short printable text (every record of a
    clean file; the door runs on each of them): one `isprintable` over keys and values
    together. False only means "walk it": a non-printable character may still be accepted
    (U+00A0 NO-BREAK SPACE, a zero-width joiner)."""
    if type(data) is not dict or not _clean_keys(data):
        return False
    texts: list[str] = []
    for value in data.values():
        if type(value) is str:
            texts.append(value)
        elif type(value) is list and all(type(item) is str for item in value):
            texts.extend(value)
        elif value is not None and type(value) not in (int, float, bool):
            return False
    joined = "".join(texts)
    if len(joined) > max_chars and max(map(len, texts), default=0) > max_chars:
        return False
    return joined.isprintable()


# Keys met and found plain: a file's records repeat the same few keys, so each is judged once.
_PLAIN_KEYS: set[str] = set()
_PLAIN_KEYS_MAX = 4096  # a bound on what a hostile file can make the process remember


def _clean_keys(data: dict[Any, Any]) -> bool:
    if data.keys() <= _PLAIN_KEYS:
        return True
    for key in data:
        if type(key) is not str or (
            key not in _PLAIN_KEYS and why_refused(key, NAME_MAX_CHARS) is not None
        ):
            return False
        if len(_PLAIN_KEYS) < _PLAIN_KEYS_MAX:
            _PLAIN_KEYS.add(key)
    return True


def _escape(found: re.Match[str]) -> str:
    char = found.group()
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escaped(text: str) -> str:
    """The text with every character the door refuses shown as a visible escape (`\\x1b`,
    `\\u202e`, `\\n`); every other character is left as it is."""
    return _REFUSED.sub(_escape, text)


def json_escaped(encoded: str) -> str:
    """JSON text (from `json.dumps(..., ensure_ascii=False)`, which keeps Chinese readable) with
    every character the door refuses written as a `\\uXXXX` escape. `json.dumps` escapes the C0
    controls itself but leaves DEL, the C1 controls (CSI U+009B), lone surrogates, direction
    marks and the separators raw: a terminal shown the output would obey them, and a lone
    surrogate cannot even be printed. The JSON means the same. A raw C0 character in the
    output is the layout's own line break, outside every string, and is left."""
    return _REFUSED.sub(
        lambda found: found.group() if found.group() < " " else f"\\u{ord(found.group()):04x}",
        encoded,
    )
