"""The model's HTML report says where each feature's points come from, from the file alone: a
hand-built core (trained on h.csv) with a component taken from a model trained on t.csv
(`take_components`) and a small overlay (`apply_overlay`), the report rendered from the file's
text. Each feature names its source, the component its shift, the overlay bins their relative
risk and basis, the knock-out rule is in plain words and the cited sources are listed."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from creditmend.adapters.training.report import render_report
from creditmend.domain.scoring.components import take_components
from creditmend.domain.scoring.overlay import apply_overlay, parse_overlay
from creditmend.domain.scoring.scorecard import (
    Band,
    Bin,
    Feature,
    Scaling,
    Scorecard,
    parse_scorecard,
    scorecard_text,
)

D = Decimal
BANDS = (Band("A", 650), Band("B", 600), Band("C", 300))
OVERLAY = {
    "schema": "creditmend.overlay/v1",
    "name": "test overlay",
    "description": "one component, one rule",
    "sources": {
        "study": {
            "title": "A study of inquiries",
            "publisher": "Example Bureau",
            "url": "https://example.org/inquiries",
            "year": 2020,
            "figure": "three or more inquiries: twice the default rate",
        },
        "court": {
            "title": "Court list rules",
            "publisher": "A court",
            "url": "javascript:alert(1)",
            "year": None,
            "figure": "a listed debtor refused to pay",
        },
    },
    "components": [
        {
            "feature": "hard_inquiries_180d",
            "description": "hard inquiries in 180 days",
            "reason": "{value} hard inquiries",
            "sources": ["study"],
            "note": "Measured: twice at 3 or more.",
            "bins": [
                {"lower": 0, "upper": 3, "relative_risk": "1", "basis": "reference"},
                {"lower": 3, "upper": None, "relative_risk": "2", "basis": "measured"},
            ],
        }
    ],
    "knockouts": [
        {
            "feature": "dishonest_debtor",
            "at_least": 1,
            "band_from_worst": 1,
            "reason": "a dishonest-debtor record: band capped at {band}",
            "source": "court",
            "note": "No points outweigh a court's finding.",
        }
    ],
}


def _card(name: str, points: tuple[str, str], data: str) -> Scorecard:
    feature = Feature(
        name,
        "numeric",
        f"the {name}",
        f"{name} is {{value}}",
        (
            Bin("[-inf, 1)", D(points[0]), None, D(1), count=30),
            Bin("[1, inf)", D(points[1]), D(1), None, count=10),
            Bin("missing", D(0), missing=True),
            Bin("other", D(0), other=True),
        ),
    )
    return Scorecard((feature,), Scaling(), BANDS, {"data": {"name": data, "sha256": "0" * 64}})


@pytest.fixture(scope="module")
def built() -> Scorecard:
    """Core, component, overlay; then written and read back, as `score report` reads it."""
    core = _card("late", ("700", "600"), "h.csv")
    other = _card("utilisation", ("140", "120"), "t.csv")
    card = apply_overlay(
        take_components(core, other, ["utilisation"]), parse_overlay(json.dumps(OVERLAY))
    )
    return parse_scorecard(scorecard_text(card))


@pytest.fixture(scope="module")
def html(built: Scorecard) -> str:
    return render_report(built)


def _heading(html: str, feature: str) -> str:
    found = re.search(rf'<h3 id="feature-{feature}">.*?</h3>\s*<p class="note">.*?</p>\s*'
                      r'<p class="note">(.*?)</p>', html, re.S)  # fmt: skip
    assert found, feature
    return found.group(0)


def test_each_feature_names_its_source(html: str) -> None:
    late = _heading(html, "late")
    assert '<span class="src trained">trained</span>' in late and "trained on h.csv" in late
    utilisation = _heading(html, "utilisation")
    # (140 * 30 + 120 * 10) / 40 = 135
    assert '<span class="src component">component</span>' in utilisation
    assert "<strong>t.csv</strong>" in utilisation and "<strong>-135.00</strong>" in utilisation
    inquiries = _heading(html, "hard_inquiries_180d")
    assert '<span class="src overlay">overlay</span>' in inquiries
    assert '<a href="#source-study">study</a>' in inquiries


def test_an_overlay_bin_shows_its_relative_risk_basis_and_points(html: str) -> None:
    row = '<tr><td>[3, inf)</td><td class="n">2</td><td>measured</td><td class="n">-20.00</td></tr>'
    assert row in html
    assert (
        '<tr><td>[0, 3)</td><td class="n">1</td><td>reference</td><td class="n">0.00</td>' in html
    )
    assert "Measured: twice at 3 or more." in html


def test_the_summary_says_what_was_trained_on_what(html: str) -> None:
    summary = html[html.index('id="origin"') : html.index('id="knockouts"')]
    rows = re.findall(r"<tr><td><span class=\"src (\w+)\">.*?</tr>", summary, re.S)
    assert rows == ["trained", "component", "overlay"]
    assert "h.csv" in summary and "t.csv" in summary and "test overlay" in summary
    assert "utilisation shifted -135.00 points, centred on 40 training rows" in summary
    assert "then 1 component feature, the overlay and 1 knock-out rule added" in html
    assert "EBM" not in html.split("</h1>", maxsplit=1)[0] and "Scorecard model report" in html


def test_the_knockout_rule_is_in_plain_words(html: str) -> None:
    rule = html[html.index('<div class="rule">') :]
    rule = rule[: rule.index("</div>")]
    words = re.sub(r"<[^>]+>", "", rule)
    assert (
        "If dishonest_debtor (active dishonest judgment debtor records shown) is at least 1, "
        "the band is no better than B and the score at most 649"
    ) in words
    assert "“a dishonest-debtor record: band capped at B”" in words
    assert '<a href="#source-court">Court list rules</a>' in rule
    assert "No points outweigh a court&#39;s finding." in rule


def test_the_sources_are_listed_and_only_a_web_address_is_a_link(html: str) -> None:
    sources = html[html.index('id="sources"') :]
    assert '<dl class="source" id="source-study">' in sources
    assert "three or more inquiries: twice the default rate" in sources
    assert '<a class="mono" href="https://example.org/inquiries">' in sources
    assert "Cited by: hard_inquiries_180d" in sources
    assert "Cited by: knock-out on dishonest_debtor" in sources
    assert 'href="javascript:' not in html and "<script" not in html
    assert "year not stated" in sources


def test_a_file_without_the_training_evaluation_still_renders() -> None:
    html = render_report(_card("late", ("700", "600"), "h.csv"))
    assert "Scorecard training report" in html
    assert "holds no training evaluation" in html
    assert "None: the band is always the one the points give." in html
    assert 'id="sources"' not in html
