"""Where a model's points come from, read from the model file alone, for the report.

A shipped model is built in steps (docs/score.md): `score train` fits the trained part on one
data set, `score combine` adds features of a model trained on another (`source:
component:<data file>`, the shift in `metadata.components[]`), `score overlay` adds features whose
points come from published relative risks (`source: overlay`, every bin's relative risk, basis
and source in `metadata.overlay`) and the knock-out rules (`knockouts[]`). The report must let a
reader see which part says what, so this module joins each feature to its record, each rule to
its note and source, and lists the parts as "what was trained on what".

A file whose metadata lacks a record (a feature marked `overlay` without `metadata.overlay`, say)
still renders: the feature says its record is not in the file, never a guess.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from creditmend.domain.scoring.features import BUREAU_SPECS
from creditmend.domain.scoring.scorecard import COMPONENT, Feature, Scorecard

TRAINED, COMPONENT_KIND, OVERLAY = "trained", "component", "overlay"
# What a rule's feature measures when the model has no such feature (a knock-out may test a fact
# the points never score): the bureau's own wording of it.
MEASURES = {spec.name: spec.description for spec in BUREAU_SPECS}


@dataclass(frozen=True, slots=True)
class Source:
    """A published source the overlay cites, as `metadata.overlay.sources` records it."""

    key: str
    title: str
    publisher: str
    url: str
    year: int | None
    figure: str
    cited_by: tuple[str, ...]  # the features and rules that cite it

    @property
    def linkable(self) -> bool:
        """Only a web address becomes a link (a file's text is never a `javascript:` href)."""
        return self.url.startswith(("https://", "http://"))


@dataclass(frozen=True, slots=True)
class Risk:
    """One overlay bin: its relative risk against the reference bin and how that was chosen."""

    relative_risk: str
    basis: str  # reference | measured | judgement


@dataclass(frozen=True, slots=True)
class Origin:
    """Where one feature's points come from."""

    kind: str  # trained | component | overlay
    words: str  # the short answer, for the summary table and the feature's heading
    data: str  # trained / component: the data file's name; overlay: ""
    shift: str  # component: the points added to the other model's ("" when not recorded)
    centred_on: int | None  # component: the training rows the shift centres on
    note: str  # overlay: how the figures became bins
    sources: tuple[str, ...]  # overlay: the source keys cited
    risks: Mapping[str, Risk]  # overlay: by bin label
    recorded: bool  # whether the metadata holds this feature's record


@dataclass(frozen=True, slots=True)
class Rule:
    """A knock-out rule in plain words."""

    feature: str
    measures: str  # what the feature counts ("" when neither the model nor the bureau says)
    at_least: str
    band: str
    top: int  # the highest score the capped band holds
    reason: str
    source: str  # as the rule holds it (a title)
    source_key: str  # the overlay's key for it, "" when the rule is not the overlay's
    note: str


@dataclass(frozen=True, slots=True)
class Part:
    """One line of "what was trained on what"."""

    kind: str
    name: str
    data: tuple[str, ...]  # what it was fitted on or taken from, one fact a line
    features: tuple[str, ...]
    points: str  # how its points were set


@dataclass(frozen=True, slots=True)
class Provenance:
    parts: tuple[Part, ...]
    origins: Mapping[str, Origin]  # by feature name
    rules: tuple[Rule, ...]
    sources: tuple[Source, ...]
    added: str  # what was added after training, in words; "" when nothing was


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _short(digest: object) -> str:
    text = _text(digest)
    return f"{text[:12]}…" if len(text) > 12 else text


def _count(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else ""


# ---------------------------------------------------------------- records in the metadata
def _component_records(meta: Mapping[str, Any]) -> dict[str, tuple[Mapping[str, Any], Any]]:
    """Each component feature's record and its model's record, by feature name."""
    found: dict[str, tuple[Mapping[str, Any], Any]] = {}
    for raw in _list(meta.get("components")):
        record = _mapping(raw)
        for item in _list(record.get("features")):
            entry = _mapping(item)
            found[_text(entry.get("feature"))] = (entry, record)
    return found


def _overlay_records(overlay: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {
        _text(_mapping(c).get("feature")): _mapping(c) for c in _list(overlay.get("components"))
    }


def _origin(
    feature: Feature,
    trained_on: str,
    components: Mapping[str, tuple[Mapping[str, Any], Any]],
    overlay: Mapping[str, Mapping[str, Any]],
) -> Origin:
    if feature.source.startswith(COMPONENT):
        data = feature.source.removeprefix(COMPONENT)
        entry = components.get(feature.name, ({}, {}))[0]
        shift = _text(entry.get("shift"))
        centred = entry.get("centred_on")
        words = f"component from a model trained on {data}" + (
            f", shifted {shift} points" if shift else " (its shift is not recorded in the file)"
        )
        return Origin(
            COMPONENT_KIND,
            words,
            data,
            shift,
            centred if isinstance(centred, int) else None,
            "",
            (),
            {},
            bool(entry),
        )
    if feature.source == OVERLAY:
        record = overlay.get(feature.name, {})
        risks = {
            _text(_mapping(b).get("bin")): Risk(
                _text(_mapping(b).get("relative_risk")), _text(_mapping(b).get("basis"))
            )
            for b in _list(record.get("bins"))
        }
        words = "overlay: points from published relative risks" + (
            "" if record else " (the overlay's record is not in the file)"
        )
        return Origin(
            OVERLAY,
            words,
            "",
            "",
            None,
            _text(record.get("note")),
            tuple(_text(key) for key in _list(record.get("sources"))),
            risks,
            bool(record),
        )
    return Origin(TRAINED, f"trained on {trained_on}", trained_on, "", None, "", (), {}, True)


# ---------------------------------------------------------------- rules and sources
def _rules(card: Scorecard, overlay: Mapping[str, Any]) -> tuple[Rule, ...]:
    notes = {
        _text(_mapping(k).get("feature")): _mapping(k) for k in _list(overlay.get("knockouts"))
    }
    sources = _mapping(overlay.get("sources"))
    described = {f.name: f.description for f in card.features}
    rules = []
    for rule in card.knockouts:
        record = notes.get(rule.feature, {})
        key = _text(record.get("source"))
        rules.append(
            Rule(
                rule.feature,
                described.get(rule.feature) or MEASURES.get(rule.feature, ""),
                f"{rule.at_least.normalize():f}",
                rule.band,
                card.top_of(rule.band),
                rule.reason,
                rule.source,
                key if key in sources else "",
                _text(record.get("note")),
            )
        )
    return tuple(rules)


def _sources(
    overlay: Mapping[str, Any], origins: Mapping[str, Origin], rules: Sequence[Rule]
) -> tuple[Source, ...]:
    found = []
    for key, raw in _mapping(overlay.get("sources")).items():
        entry = _mapping(raw)
        year = entry.get("year")
        citing = [name for name, origin in origins.items() if key in origin.sources]
        citing += [f"knock-out on {rule.feature}" for rule in rules if rule.source_key == key]
        found.append(
            Source(
                str(key),
                _text(entry.get("title")),
                _text(entry.get("publisher")),
                _text(entry.get("url")),
                year if isinstance(year, int) and not isinstance(year, bool) else None,
                _text(entry.get("figure")),
                tuple(citing),
            )
        )
    return tuple(found)


# ---------------------------------------------------------------- the summary
def _trained_part(card: Scorecard, names: tuple[str, ...]) -> Part:
    meta = card.metadata
    data = _mapping(meta.get("data"))
    kind = _text(_mapping(meta.get("model")).get("kind")) or "scorecard"
    facts = [f"{_text(data.get('name')) or 'a data file the model does not name'}"]
    if data.get("sha256"):
        facts.append(f"sha256 {_short(data.get('sha256'))}")
    if rows := _count(data.get("rows_used")):
        facts.append(f"{rows} rows with a target")
    if data.get("target") is not None:
        facts.append(f"target {data.get('target')} = {data.get('bad')} is bad")
    if meta.get("trained_on"):
        facts.append(f"trained on {meta.get('trained_on')}")
    pairs = f" and {len(card.interactions)} pair table(s)" if card.interactions else ""
    return Part(
        TRAINED,
        f"Trained part ({'EBM' if kind == 'ebm' else 'scorecard'})",
        tuple(facts),
        names,
        f"fitted on this data by score train{pairs}",
    )


def _component_parts(card: Scorecard, origins: Mapping[str, Origin]) -> list[Part]:
    parts = []
    for raw in _list(card.metadata.get("components")):
        record = _mapping(raw)
        data = _mapping(record.get("data"))
        facts = [_text(data.get("name")) or "a data file the record does not name"]
        if data.get("sha256"):
            facts.append(f"sha256 {_short(data.get('sha256'))}")
        if record.get("trained_on"):
            facts.append(f"its model trained on {record.get('trained_on')}")
        if record.get("model_checksum"):
            facts.append(f"model checksum {_short(record.get('model_checksum'))}")
        names = tuple(_text(_mapping(e).get("feature")) for e in _list(record.get("features")))
        shifts = "; ".join(
            f"{name} shifted {origins[name].shift} points, centred on "
            f"{_count(origins[name].centred_on) or 'its'} training rows"
            for name in names
            if name in origins and origins[name].shift
        )
        parts.append(
            Part(
                COMPONENT_KIND,
                "Component (score combine)",
                tuple(facts),
                names,
                f"that model's points plus a shift ({shifts})" if shifts else "that model's points",
            )
        )
    # a feature marked as a component with no record: still listed, as the file says
    recorded = {name for part in parts for name in part.features}
    for name, origin in origins.items():
        if origin.kind == COMPONENT_KIND and name not in recorded:
            parts.append(
                Part(
                    COMPONENT_KIND,
                    "Component (score combine)",
                    (origin.data,),
                    (name,),
                    "not recorded in the file's metadata",
                )
            )
    return parts


def _overlay_part(
    card: Scorecard, overlay: Mapping[str, Any], origins: Mapping[str, Origin]
) -> Part | None:
    names = tuple(name for name, origin in origins.items() if origin.kind == OVERLAY)
    if not names and not overlay:
        return None
    facts = ["no data set: published relative risks and this project's judgement"]
    if overlay.get("name"):
        facts.append(f"overlay “{overlay.get('name')}”")
    if overlay.get("sha256"):
        facts.append(f"sha256 {_short(overlay.get('sha256'))}")
    if sources := _mapping(overlay.get("sources")):
        facts.append(f"{len(sources)} source(s) recorded")
    rules = f"; {len(card.knockouts)} knock-out rule(s)" if card.knockouts else ""
    points = _text(overlay.get("points")) or "not recorded in the file's metadata"
    return Part(OVERLAY, "Overlay (score overlay)", tuple(facts), names, f"{points}{rules}")


def provenance(card: Scorecard) -> Provenance:
    """Every feature's origin, the knock-out rules, the overlay's sources and the parts."""
    meta = card.metadata
    overlay = _mapping(meta.get("overlay"))
    trained_on = _text(_mapping(meta.get("data")).get("name")) or "the model's data"
    components = _component_records(meta)
    overlay_features = _overlay_records(overlay)
    origins = {f.name: _origin(f, trained_on, components, overlay_features) for f in card.features}
    rules = _rules(card, overlay)
    trained = tuple(name for name, origin in origins.items() if origin.kind == TRAINED)
    parts = [_trained_part(card, trained), *_component_parts(card, origins)]
    if (part := _overlay_part(card, overlay, origins)) is not None:
        parts.append(part)
    return Provenance(
        tuple(parts), origins, rules, _sources(overlay, origins, rules), _added(parts, rules)
    )


def _added(parts: Sequence[Part], rules: Sequence[Rule]) -> str:
    """What the steps after training added: "1 component feature, the overlay and 1 knock-out
    rule"."""
    components = sum(len(part.features) for part in parts if part.kind == COMPONENT_KIND)
    said = [f"{components} component feature{'s' if components > 1 else ''}"] if components else []
    if any(part.kind == OVERLAY for part in parts):
        said.append("the overlay")
    if rules:
        said.append(f"{len(rules)} knock-out rule{'s' if len(rules) > 1 else ''}")
    return f"{', '.join(said[:-1])} and {said[-1]}" if len(said) > 1 else "".join(said)
