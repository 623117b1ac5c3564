"""The portal's messages as Babel extracts them from the code and the templates (the test of
completeness compares the catalogues with this; `python tests/portal/catalogue.py` prints the
messages a catalogue lacks)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

PORTAL = Path(__file__).parents[2] / "src" / "creditmend" / "interfaces" / "portal"
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2.ext:babel_extract")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def extracted() -> set[str]:
    found: set[str] = set()
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}}
    for _file, _line, message, _comments, _context in extract_from_dir(
        PORTAL, METHODS, options_map=options, keywords=KEYWORDS
    ):
        if isinstance(message, tuple):
            found.update(part for part in message if part)
        elif message:
            found.add(message)
    return found


if __name__ == "__main__":
    for message in sorted(extracted()):
        print(repr(message))
