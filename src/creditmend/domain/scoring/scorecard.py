"""A points scorecard: the model file, and scoring one applicant with reasons.

The file is JSON, never pickle: whoever holds it can read every bin and its points. Training
(optbinning and scikit-learn, `adapters/scorecard_training.py`) writes it; this module, standard
library only, reads and applies it, so the runtime scores without the training stack.

- Each feature has bins in order; a numeric bin holds `lower <= x < upper` (an open end is
  None), a categorical bin lists its categories. Every feature has a `missing` bin (value absent)
  and an `other` bin (a value no bin holds: an unexpected category, a number where none fits,
  text in a numeric feature); when training gave them no points of their own they carry the
  points training gave missing values.
- A score is the sum of the bins' points, rounded half up to a whole point, clipped to the
  scaling's range; higher is lower risk.
- Reasons (adverse action codes): the features that lost the most points against their best bin,
  largest loss first, in plain words.
- Knock-outs (`knockouts.py`): rules on a feature's value that cap the band whatever the points
  (an active dishonest-debtor record); a capped result gives the rule's words as its first reason.
  A feature's `source` says where its points come from: `trained` (the default, not written),
  `overlay` (published relative risks, `overlay.py`) or `component:<data file>` (taken, centred,
  from a model trained on another data set, `components.py`).
- Pairwise terms (a glass-box boosting model's, `interactions.py`): 2-D tables over two
  features' bins whose cell's points are added too; a cell below 0 loses points and is a reason
  in both features' words. A file without pairs has no `interactions` key.
- Integrity: `checksum` is the sha256 of the canonical JSON of everything else (sorted keys, no
  spaces, UTF-8). A file whose checksum does not match, or of another schema version, is refused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from creditmend.domain.i18n import Worded
from creditmend.domain.scoring.interactions import (
    Interaction,
    InteractionError,
    PairContribution,
    interaction_json,
    pair_words,
    read_interaction,
)
from creditmend.domain.scoring.knockouts import (
    Knockout,
    KnockoutError,
    cap,
    capped_band,
    knockout_json,
    read_knockouts,
)

# v2 (issue 16) may hold knock-outs, pair tables and a feature's source, which a v1 reader would
# silently ignore; a v1 file (none of them) reads as it always did.
SCHEMA = "creditmend.scorecard/v2"
READABLE = ("creditmend.scorecard/v1", SCHEMA)
REASONS_SHOWN = 4
POINT = Decimal(1)
COMPONENT = "component:"  # a feature's source prefix: taken from another model (components.py)


class ScorecardError(ValueError):
    """A model file that cannot be used: the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class Bin:
    label: str
    points: Decimal
    lower: Decimal | None = None  # numeric: lower <= x < upper; None is unbounded
    upper: Decimal | None = None
    categories: tuple[str, ...] = ()  # categorical bins
    missing: bool = False
    other: bool = False
    count: int = 0
    event_rate: Decimal | None = None
    woe: Decimal | None = None

    def holds(self, value: Decimal | str) -> bool:
        if self.missing or self.other:
            return False
        if self.categories:
            return str(value) in self.categories
        if not isinstance(value, Decimal):
            return False
        return (self.lower is None or self.lower <= value) and (
            self.upper is None or value < self.upper
        )


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    kind: str  # numeric | categorical
    description: str
    reason: str  # plain words, may use {value}: "{value} overdue account-month(s) in 6 months"
    bins: tuple[Bin, ...]
    reason_zh: str = ""  # the same in Chinese; empty: the English words are shown
    source: str = "trained"  # trained | overlay (published relative risks) | component:<data file>

    @property
    def best(self) -> Decimal:
        return max(b.points for b in self.bins)

    def bin_for(self, value: Decimal | str | None) -> tuple[Bin, bool]:
        """The bin of `value`, and whether the value was unexpected (fell to `other`)."""
        if value is None:
            return next(b for b in self.bins if b.missing), False
        for candidate in self.bins:
            if candidate.holds(value):
                return candidate, False
        return next(b for b in self.bins if b.other), True


@dataclass(frozen=True, slots=True)
class Scaling:
    """Points to double the odds (`pdo`) and the points at `base_odds` (good:bad)."""

    base_points: int = 600
    base_odds: Decimal = Decimal(50)
    pdo: int = 20
    min_score: int = 300
    max_score: int = 900


@dataclass(frozen=True, slots=True)
class Band:
    name: str
    min_score: int  # inclusive; bands in descending order of min_score


@dataclass(frozen=True, slots=True)
class Scorecard:
    features: tuple[Feature, ...]
    scaling: Scaling
    bands: tuple[Band, ...]
    metadata: Mapping[str, Any] = field(default_factory=dict)
    # named, never positional: two tuples side by side are too easily swapped
    knockouts: tuple[Knockout, ...] = field(default=(), kw_only=True)
    interactions: tuple[Interaction, ...] = field(default=(), kw_only=True)  # an EBM's pairs

    def band_of(self, score: int) -> str:
        for band in self.bands:
            if score >= band.min_score:
                return band.name
        return self.bands[-1].name if self.bands else ""

    def top_of(self, band: str) -> int:
        """The highest score a band holds."""
        names = [b.name for b in self.bands]
        position = names.index(band)
        return self.scaling.max_score if position == 0 else self.bands[position - 1].min_score - 1


@dataclass(frozen=True, slots=True)
class Contribution:
    feature: str
    value: Decimal | str | None
    bin: str
    points: Decimal
    loss: Decimal  # best bin's points minus these
    unexpected: bool


@dataclass(frozen=True, slots=True)
class ScoreResult:
    score: int
    band: str
    contributions: tuple[Contribution, ...]
    reasons: tuple[tuple[str, str], ...]  # (feature, plain words), largest loss first
    reasons_zh: tuple[tuple[str, str], ...] = ()  # the same reasons in Chinese
    pairs: tuple[PairContribution, ...] = ()  # the pair tables' cells, when the model has any

    @property
    def unexpected(self) -> int:
        return sum(1 for c in self.contributions if c.unexpected)

    def worded(self) -> tuple[Worded, ...]:
        """Each reason's words with its Chinese (`Worded`: English in the JSON, the reader's
        language where it is shown)."""
        chinese = dict(self.reasons_zh)
        return tuple(Worded(text, chinese.get(name, "")) for name, text in self.reasons)


def number(value: object) -> Decimal | str | None:
    """A cell as the scorecard sees it: empty is missing, a number is a Decimal, else text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, int | Decimal):
        return Decimal(value)
    text = str(value).strip()
    if not text or text.lower() in {"nan", "na", "null", "none"}:
        return None
    try:
        parsed = Decimal(text)
    except InvalidOperation:
        return text
    return parsed if parsed.is_finite() else None


def feature_words(feature: Feature, value: Decimal | str | None, lang: str = "en") -> str:
    """What a feature's value says, in plain words (a reason, or the forecast's why); `lang`
    "zh" for the Chinese words where the file has them."""
    if value is None:
        return f"{feature.description}: not on file"
    shown = f"{value.normalize():f}" if isinstance(value, Decimal) else value
    words = feature.reason_zh if lang == "zh" and feature.reason_zh else feature.reason
    return words.replace("{value}", shown)


def score(card: Scorecard, values: Mapping[str, object]) -> ScoreResult:
    """Score one applicant; `values` maps feature names to raw values (missing keys: missing)."""
    contributions = []
    for feature in card.features:
        value = number(values.get(feature.name))
        if feature.kind == "categorical" and isinstance(value, Decimal):
            value = f"{value.normalize():f}"
        chosen, unexpected = feature.bin_for(value)
        contributions.append(
            Contribution(
                feature.name,
                value,
                chosen.label,
                chosen.points,
                feature.best - chosen.points,
                unexpected,
            )
        )
    parsed = {c.feature: c.value for c in contributions}
    pairs = tuple(pair.contribution(parsed) for pair in card.interactions)
    total = sum((c.points for c in contributions), Decimal(0)) + sum(
        (p.points for p in pairs), Decimal(0)
    )
    scaling = card.scaling
    rounded = int(total.quantize(POINT, ROUND_HALF_UP))
    clipped = min(max(rounded, scaling.min_score), scaling.max_score)
    reasons, reasons_zh = _reasons(card, contributions, pairs)
    band = card.band_of(clipped)
    names = [b.name for b in card.bands]
    limit = cap(card.knockouts, {k.feature: number(values.get(k.feature)) for k in card.knockouts},
                names)  # fmt: skip
    if limit is not None:  # the band no better than the rule allows; the score within it
        band = capped_band(band, limit.band, names)
        clipped = min(clipped, card.top_of(band))
        fired = {k.feature for k in limit.fired}
        kept = REASONS_SHOWN - len(limit.fired)
        reasons = (
            tuple((k.feature, k.words()) for k in limit.fired)
            + tuple(r for r in reasons if r[0] not in fired)[:kept]
        )
        reasons_zh = (
            tuple((k.feature, k.words("zh")) for k in limit.fired)
            + tuple(r for r in reasons_zh if r[0] not in fired)[:kept]
        )
    return ScoreResult(clipped, band, tuple(contributions), reasons, reasons_zh, pairs)


Reasons = tuple[tuple[str, str], ...]


def _reasons(
    card: Scorecard, contributions: list[Contribution], pairs: tuple[PairContribution, ...]
) -> tuple[Reasons, Reasons]:
    """The largest losses, in English and in Chinese: a feature's, or a pair's in both
    features' words."""
    by_name = {f.name: f for f in card.features}
    # A value not on file is its own bin, never a reason on its own: "no revolving account"
    # says nothing about risk a borrower could act on. A pair needs both values on file.
    losing = sorted(
        [
            *((c.loss, c.feature, ((c.feature, c.value),)) for c in contributions
              if c.loss > 0 and c.value is not None),
            *((p.loss, p.name, tuple(zip(p.features, p.values, strict=True))) for p in pairs
              if p.loss > 0 and p.on_file),
        ],
        key=lambda c: (-c[0], c[1]),
    )[:REASONS_SHOWN]  # fmt: skip

    def words(shown: tuple[tuple[str, Decimal | str | None], ...], lang: str) -> str:
        said = [feature_words(by_name[name], value, lang) for name, value in shown]
        return said[0] if len(said) == 1 else pair_words(said[0], said[1], lang)

    return (
        tuple((name, words(shown, "en")) for _, name, shown in losing),
        tuple((name, words(shown, "zh")) for _, name, shown in losing),
    )


# ---------------------------------------------------------------- the file
def _decimal(value: object, where: str) -> Decimal:
    try:
        parsed = Decimal(str(value))
    except InvalidOperation:
        raise ScorecardError(f"{where}: {value!r} is not a number") from None
    if not parsed.is_finite():
        raise ScorecardError(f"{where}: {value!r} is not a finite number")
    return parsed


def _optional(value: object, where: str) -> Decimal | None:
    return None if value is None else _decimal(value, where)


def canonical(document: Mapping[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def checksum(document: Mapping[str, Any]) -> str:
    body = {key: value for key, value in document.items() if key != "checksum"}
    return hashlib.sha256(canonical(body)).hexdigest()


def _bin_json(b: Bin) -> dict[str, Any]:
    return {
        "label": b.label,
        "points": str(b.points),
        "lower": None if b.lower is None else str(b.lower),
        "upper": None if b.upper is None else str(b.upper),
        "categories": list(b.categories),
        "missing": b.missing,
        "other": b.other,
        "count": b.count,
        "event_rate": None if b.event_rate is None else str(b.event_rate),
        "woe": None if b.woe is None else str(b.woe),
    }


def scorecard_document(card: Scorecard) -> dict[str, Any]:
    """The file's content, checksum included."""
    s = card.scaling
    document: dict[str, Any] = {
        "schema": SCHEMA,
        "scaling": {
            "base_points": s.base_points,
            "base_odds": str(s.base_odds),
            "pdo": s.pdo,
            "min_score": s.min_score,
            "max_score": s.max_score,
        },
        "bands": [{"name": b.name, "min_score": b.min_score} for b in card.bands],
        "features": [
            {
                "name": f.name,
                "kind": f.kind,
                "description": f.description,
                "reason": f.reason,
                "reason_zh": f.reason_zh,
                "bins": [_bin_json(b) for b in f.bins],
                # written only when not the default, so a trained file keeps its bytes
                **({} if f.source == "trained" else {"source": f.source}),
            }
            for f in card.features
        ],
        "metadata": dict(card.metadata),
    }
    if card.knockouts:
        document["knockouts"] = [knockout_json(k) for k in card.knockouts]
    if card.interactions:
        document["interactions"] = [interaction_json(pair) for pair in card.interactions]
    document["checksum"] = checksum(document)
    return document


def scorecard_text(card: Scorecard) -> str:
    return json.dumps(scorecard_document(card), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _read_bin(raw: Mapping[str, Any], where: str) -> Bin:
    return Bin(
        label=str(raw["label"]),
        points=_decimal(raw["points"], f"{where}.points"),
        lower=_optional(raw.get("lower"), f"{where}.lower"),
        upper=_optional(raw.get("upper"), f"{where}.upper"),
        categories=tuple(str(c) for c in raw.get("categories") or ()),
        missing=bool(raw.get("missing", False)),
        other=bool(raw.get("other", False)),
        count=int(raw.get("count", 0)),
        event_rate=_optional(raw.get("event_rate"), f"{where}.event_rate"),
        woe=_optional(raw.get("woe"), f"{where}.woe"),
    )


def _read_feature(raw: Mapping[str, Any], index: int) -> Feature:
    where = f"features[{index}]"
    feature = Feature(
        name=str(raw["name"]),
        kind=str(raw["kind"]),
        description=str(raw.get("description", "")),
        reason=str(raw.get("reason", raw["name"])),
        bins=tuple(_read_bin(b, f"{where}.bins[{i}]") for i, b in enumerate(raw["bins"])),
        reason_zh=str(raw.get("reason_zh", "")),
        source=str(raw.get("source", "trained")),
    )
    if feature.source not in {"trained", "overlay"} and not feature.source.startswith(COMPONENT):
        raise ScorecardError(
            f"{where}.source: {feature.source!r} is neither trained, overlay nor "
            f"{COMPONENT}<data file>"
        )
    if feature.kind not in {"numeric", "categorical"}:
        raise ScorecardError(f"{where}.kind: {feature.kind!r} is neither numeric nor categorical")
    if sum(b.missing for b in feature.bins) != 1 or sum(b.other for b in feature.bins) != 1:
        raise ScorecardError(f"{where}.bins: need exactly one missing and one other bin")
    return feature


def _read_interactions(
    raw: Sequence[Mapping[str, Any]], features: tuple[Feature, ...]
) -> tuple[Interaction, ...]:
    """The pair tables; each pairs two of the card's features, with that feature's kind."""
    kinds = {f.name: f.kind for f in features}
    pairs = tuple(read_interaction(entry, i) for i, entry in enumerate(raw))
    for i, pair in enumerate(pairs):
        for axis in (pair.rows, pair.columns):
            if kinds.get(axis.feature) != axis.kind:
                raise ScorecardError(
                    f"interactions[{i}]: {axis.feature!r} is not a {axis.kind} feature of the card"
                )
    return pairs


def parse_scorecard(text: str) -> Scorecard:
    """Read a model file; refuse another schema version or a file changed after training."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ScorecardError(f"not JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(document, dict):
        raise ScorecardError("not a scorecard: the file holds no JSON object")
    if document.get("schema") not in READABLE:
        raise ScorecardError(f"schema: {document.get('schema')!r} is not {SCHEMA!r}")
    if document.get("checksum") != checksum(document):
        raise ScorecardError("checksum: the file was changed after training; retrain or restore it")
    try:
        scaling = document["scaling"]
        bands = tuple(Band(str(b["name"]), int(b["min_score"])) for b in document["bands"])
        features = tuple(_read_feature(f, i) for i, f in enumerate(document["features"]))
        return Scorecard(
            features=features,
            scaling=Scaling(
                int(scaling["base_points"]),
                _decimal(scaling["base_odds"], "scaling.base_odds"),
                int(scaling["pdo"]),
                int(scaling["min_score"]),
                int(scaling["max_score"]),
            ),
            bands=bands,
            metadata=dict(document.get("metadata") or {}),
            knockouts=read_knockouts(document.get("knockouts"), [b.name for b in bands]),
            interactions=_read_interactions(document.get("interactions") or (), features),
        )
    except InteractionError as error:
        raise ScorecardError(str(error)) from None
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, ScorecardError):
            raise
        if isinstance(error, KnockoutError):
            raise ScorecardError(str(error)) from None
        raise ScorecardError(f"not a scorecard: {type(error).__name__}: {error}") from None
