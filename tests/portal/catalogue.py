"""Every message of the product as Babel extracts it from the code and the templates: the
portal's, the CLI's, the reports', the plans' and the letters' (the test of completeness
compares the catalogues with this; `python tests/portal/catalogue.py` prints the messages)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

PACKAGE = Path(__file__).parents[2] / "src" / "creditmend"
METHODS = [
    ("**/templates/**.html", "jinja2.ext:babel_extract"),
    ("**/templates/**.j2", "jinja2.ext:babel_extract"),
    ("**.py", "python"),
]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
JINJA = {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}


def extracted() -> set[str]:
    found: set[str] = set()
    options = {"**/templates/**.html": JINJA, "**/templates/**.j2": JINJA}
    for _file, _line, message, _comments, _context in extract_from_dir(
        PACKAGE, METHODS, options_map=options, keywords=KEYWORDS
    ):
        if isinstance(message, tuple):
            found.update(part for part in message if part)
        elif message:
            found.add(message)
    return found


if __name__ == "__main__":
    for message in sorted(extracted()):
        print(repr(message))
