"""`creditmend score train | apply | features`: the scorecard from a CSV file to scored rows.

- `train` trains on any comma-separated file with a header (the `train` extra: optbinning,
  scikit-learn, LightGBM), prints the evaluation and writes the model JSON (and, asked, the HTML
  training report).
- `apply` scores every row of a CSV file with a model file, using the domain alone (no training
  library): every input row is written, with `score` and `reasons` added.
- `features` derives the score's features from a known data set (`--source history | gmsc |
  taiwan`, `domain/scoring/sources.py`), with its target and protected columns, ready for
  `train`.
- `report` renders a model file's HTML report (after `combine` or `overlay`).
- `overlay` adds the overlay (points from published relative risks, knock-out rules;
  `domain/scoring/overlay.py`) to a model file and writes it re-checksummed.
- `combine` adds named features of a model trained on another data set to a model, their points
  centred on that data set's population (`domain/scoring/components.py`), re-checksummed.

Options that take numbers arrive as text so that a bad value gets the one-line error (exit 2) of
every other bad input, not a usage box.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from creditmend import bootstrap
from creditmend.domain.calendar import parse_date
from creditmend.domain.problems import Problem
from creditmend.domain.scoring.components import ComponentError, take_components
from creditmend.domain.scoring.overlay import OverlayError, apply_overlay, parse_overlay
from creditmend.domain.scoring.scorecard import (
    Band,
    Scaling,
    Scorecard,
    ScorecardError,
    parse_scorecard,
    scorecard_text,
)
from creditmend.interfaces.cli import clock
from creditmend.interfaces.cli.errors import fail, input_errors
from creditmend.interfaces.cli.terminal import plain
from creditmend.services.output_files import link_refused, writing

app = typer.Typer(
    no_args_is_help=True,
    help="The credit score: train a scorecard, score a file with it, derive its features.",
)
GZIP_MAGIC = b"\x1f\x8b"
_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)


# ---------------------------------------------------------------- option parsing
def _problem(field: str, message: str) -> typer.Exit:
    return fail([Problem(field, message)])


def _names(text: str | None) -> list[str]:
    return [name.strip() for name in (text or "").split(",") if name.strip()]


def _listed(values: Sequence[str] | None) -> list[str]:
    """A repeatable option whose values may also be comma-separated."""
    return [name for value in values or () for name in _names(value)]


def _int(field: str, text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise _problem(field, f"{text!r} is not a whole number") from None


def _float(field: str, text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(Decimal(text.strip()))
    except (InvalidOperation, ValueError):
        raise _problem(field, f"{text!r} is not a number") from None
    return value


def _decimal(field: str, text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise _problem(field, f"{text!r} is not a number") from None
    if not value.is_finite():
        raise _problem(field, f"{text!r} is not a number")
    return value


def _day(text: str | None) -> date:
    if text is None:
        return clock.today()
    try:
        return parse_date(text)
    except ValueError as error:
        raise _problem("--trained-on", str(error)) from None


def _bands(text: str | None, scaling: Scaling) -> tuple[Band, ...] | None:
    """`A=700,B=650,C=600,D=550,E`: each band from its lowest score; the last takes the rest."""
    if text is None:
        return None
    bands = []
    entries = _names(text)
    for position, entry in enumerate(entries):
        name, sign, low = entry.partition("=")
        if not sign:
            if position != len(entries) - 1:
                raise _problem("--bands", f"{entry!r}: give NAME=LOWEST_SCORE (the last: NAME)")
            bands.append(Band(name.strip(), scaling.min_score))
            continue
        bands.append(Band(name.strip(), _int("--bands", low)))
    return tuple(bands)


def _trends(values: Sequence[str] | None) -> dict[str, str]:
    found = {}
    for entry in _listed(values):
        name, sign, trend = entry.partition("=")
        if not sign:
            raise _problem("--feature-trend", f"{entry!r}: give FEATURE=TREND")
        found[name.strip()] = trend.strip()
    return found


def _writable(path: Path, option: str) -> Path:
    """A file to be written, checked before any work: not a symbolic link, not a folder, in a
    folder that exists."""
    if (refused := link_refused(path)) is not None:
        raise _problem(option, refused)
    if path.is_dir():
        raise _problem(option, f"{path}: is a folder, not a file")
    folder = path.parent
    if not folder.is_dir():
        said = "is not a folder" if folder.exists() else "no such folder"
        raise _problem(option, f"{folder}: {said}")
    return path


@contextmanager
def _writing(path: Path, option: str) -> Iterator[IO[str]]:
    """A file written whole or not at all, owner-only (`output_files.writing`)."""
    with input_errors(), writing(path, option, newline="") as handle:
        yield handle


def _reading(path: Path, option: str) -> IO[str]:
    try:
        return path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise _problem(option, f"{path}: no such file") from None
    except IsADirectoryError:
        raise _problem(option, f"{path}: is a folder, not a file") from None
    except OSError as error:
        raise _problem(option, f"{path}: cannot be read ({error.strerror})") from None


# ---------------------------------------------------------------- train
def _ebm_settings(
    model: str, interactions: str | None, max_bins: str | None, outer_bags: str | None
) -> dict[str, int]:
    """The EBM's settings given (the others are the training's defaults); refused with another
    model. An unknown `--model` is the training's to refuse, before any work."""
    given = {
        option: text
        for option, text in (
            ("--interactions", interactions),
            ("--max-bins", max_bins),
            ("--outer-bags", outer_bags),
        )
        if text is not None
    }
    if model != "ebm" and given:
        raise _problem(next(iter(given)), "applies to --model ebm only")
    return {
        option.removeprefix("--").replace("-", "_"): _int(option, text)
        for option, text in given.items()
    }


def _rate(value: object) -> str:
    return "—" if value is None else f"{float(str(value)):.2%}"


def _metric(value: object) -> str:
    return "—" if value is None else f"{float(str(value)):.4f}"


def _print_evaluation(card: Scorecard) -> None:
    meta = card.metadata
    data, metrics = meta["data"], meta["metrics"]
    ebm = meta.get("model", {}).get("kind") == "ebm"
    title, kind = ("EBM", "EBM") if ebm else ("Scorecard", "scorecard")
    pairs = f" and {len(card.interactions)} pair tables" if card.interactions else ""
    # The data's name, its columns and groups come from the training file: shown, never obeyed.
    _out.print(
        plain(
            f"{title} on {data['name']}: {len(card.features)} features{pairs}, "
            f"{data['rows_used']:,} rows ({meta['split']['train_rows']:,} training, "
            f"{meta['split']['holdout_rows']:,} hold-out), bad rate {_rate(data['bad_rate'])}"
        )
    )
    table = Table(title="Discrimination (same split)")
    for column in ("model", "rows", "AUC", "Gini", "KS"):
        table.add_column(column, justify="left" if column == "model" else "right")
    rows: list[tuple[str, Mapping[str, Any]]] = [
        (f"{kind}, training", metrics["train"]),
        (f"{kind}, hold-out", metrics["holdout"]),
    ]
    baselines = metrics.get("baselines") or {}
    if "logistic_regression" in baselines:
        rows.append(("logistic regression (raw), hold-out", baselines["logistic_regression"]))
    if "lightgbm" in baselines:
        rows.append(("LightGBM, hold-out", baselines["lightgbm"]))
    for name, row in rows:
        table.add_row(
            name, f"{row['rows']:,}", _metric(row["auc"]), _metric(row["gini"]), _metric(row["ks"])
        )
    _out.print(table)
    _out.print(f"PSI training -> hold-out: {metrics['psi']:.4f}")

    bands = Table(title="Score bands (hold-out)")
    for column in ("band", "from", "rows", "share", "bad rate"):
        bands.add_column(column, justify="left" if column == "band" else "right")
    for row in meta["bands"]:
        bands.add_row(
            row["band"], str(row["min_score"]), f"{row['count']:,}", _rate(row["share"]),
            _rate(row["bad_rate"]),
        )  # fmt: skip
    _out.print(bands)

    fairness = meta["fairness"]
    for check in fairness["checks"]:
        verdict = "passes" if check["passes"] else "FAILS"
        ratio = "—" if check["ratio"] is None else f"{check['ratio']:.2f}"
        groups = Table(
            title=plain(
                f"Approval by {check['column']} at {fairness['cutoff']} "
                f"(band {fairness['approve_band']} and better): ratio {ratio}, "
                f"four-fifths rule {verdict}"
            )
        )
        for column in ("group", "rows", "approved", "approval rate", "bad rate"):
            groups.add_column(column, justify="left" if column == "group" else "right")
        for g in check["groups"]:
            groups.add_row(
                plain(g["group"] + ("" if g["counted"] else " (too small)")), f"{g['count']:,}",
                f"{g['approved']:,}", _rate(g["approval_rate"]), _rate(g["bad_rate"]),
            )  # fmt: skip
        _out.print(groups)
    for exclusion in meta["exclusions"]:
        _out.print(plain(f"not a feature: {exclusion['column']} ({exclusion['reason']})"))
    for problem in meta["problems"]:
        _out.print(Text.assemble(("problem:", "bold yellow"), " ", plain(problem)))
    if not meta["problems"]:
        _out.print("no problems found")


@app.command()
def train(
    data: Annotated[Path, typer.Option(help="Training CSV (comma-separated, header row)")],
    target: Annotated[str, typer.Option(help="The target column")],
    bad: Annotated[str, typer.Option(help="The target's value that means bad (default)")],
    out: Annotated[Path, typer.Option(help="Where to write the model JSON")],
    features: Annotated[
        str | None, typer.Option(help="Feature columns, comma-separated (default: all others)")
    ] = None,
    exclude: Annotated[str | None, typer.Option(help="Columns not to use, comma-separated")] = None,
    protected: Annotated[
        list[str] | None,
        typer.Option(help="Protected column, never a feature, for the fairness check (repeat)"),
    ] = None,
    categorical: Annotated[
        str | None, typer.Option(help="Columns to treat as categories, comma-separated")
    ] = None,
    test_size: Annotated[str, typer.Option(help="Hold-out share")] = "0.3",
    seed: Annotated[str, typer.Option(help="Seed of the split and LightGBM")] = "42",
    trained_on: Annotated[
        str | None, typer.Option(help="Training date in the model, YYYY-MM-DD (default: today)")
    ] = None,
    report: Annotated[Path | None, typer.Option(help="Also write the HTML report here")] = None,
    bands: Annotated[
        str | None,
        typer.Option(help="Bands from their lowest score (default: A=700,B=650,C=600,D=550,E)"),
    ] = None,
    approve_band: Annotated[
        str, typer.Option(help="The worst band approved, for the fairness check")
    ] = "C",
    base_points: Annotated[str, typer.Option(help="Points at the base odds")] = "600",
    base_odds: Annotated[str, typer.Option(help="Base odds, good:bad")] = "50",
    pdo: Annotated[str, typer.Option(help="Points to double the odds")] = "20",
    min_score: Annotated[str, typer.Option(help="Lowest score")] = "300",
    max_score: Annotated[str, typer.Option(help="Highest score")] = "900",
    trend: Annotated[
        str, typer.Option(help="Monotonic trend of numeric features (optbinning's names)")
    ] = "auto_heuristic",
    feature_trend: Annotated[
        list[str] | None, typer.Option(help="FEATURE=TREND for one feature (repeat)")
    ] = None,
    max_prebins: Annotated[str, typer.Option(help="optbinning max_n_prebins")] = "50",
    min_prebin_size: Annotated[str, typer.Option(help="optbinning min_prebin_size")] = "0.02",
    min_bin_size: Annotated[str | None, typer.Option(help="optbinning min_bin_size")] = None,
    baselines: Annotated[
        bool, typer.Option(help="Fit the logistic regression and LightGBM baselines")
    ] = True,
    model: Annotated[
        str,
        typer.Option(help="scorecard, or ebm: glass-box boosting exported to points tables"),
    ] = "scorecard",
    interactions: Annotated[
        str | None, typer.Option(help="EBM: at most this many pairwise terms")
    ] = None,
    max_bins: Annotated[str | None, typer.Option(help="EBM: bins of a main effect")] = None,
    outer_bags: Annotated[str | None, typer.Option(help="EBM: outer bags")] = None,
) -> None:
    """Train a points scorecard (or an EBM as points tables), print its evaluation, write the
    model JSON."""
    ebm = _ebm_settings(model, interactions, max_bins, outer_bags)
    _writable(out, "--out")
    if report is not None:
        _writable(report, "--report")
    scaling = Scaling(
        base_points=_int("--base-points", base_points),
        base_odds=_decimal("--base-odds", base_odds),
        pdo=_int("--pdo", pdo),
        min_score=_int("--min-score", min_score),
        max_score=_int("--max-score", max_score),
    )
    with input_errors():
        card = bootstrap.train_scorecard(
            data,
            target,
            bad,
            trained_on=_day(trained_on),
            features=_names(features) or None,
            exclude=_names(exclude),
            protected=_listed(protected),
            categorical=_names(categorical),
            test_size=_float("--test-size", test_size) or 0.0,
            seed=_int("--seed", seed),
            scaling=scaling,
            bands=_bands(bands, scaling),
            approve_band=approve_band,
            trend=trend,
            feature_trends=_trends(feature_trend),
            max_n_prebins=_int("--max-prebins", max_prebins),
            min_prebin_size=_float("--min-prebin-size", min_prebin_size) or 0.0,
            min_bin_size=_float("--min-bin-size", min_bin_size),
            baselines=baselines,
            model=model,
            ebm=ebm,
        )
    _print_evaluation(card)
    with _writing(out, "--out") as handle:
        handle.write(scorecard_text(card))
    _out.print(f"model written to {out}")
    if report is not None:
        with _writing(report, "--report") as handle:
            handle.write(bootstrap.training_report_html(card))
        _out.print(f"report written to {report}")


# ---------------------------------------------------------------- apply
def _text_of(path: Path, option: str) -> str:
    with _reading(path, option) as handle:
        try:
            return handle.read()
        except UnicodeDecodeError:
            raise _problem(option, f"{path}: not a {option[2:]} file (not UTF-8 text)") from None


def _model(path: Path) -> Scorecard:
    text = _text_of(path, "--model")
    try:
        return parse_scorecard(text)
    except ScorecardError as error:
        raise _problem("--model", f"{path}: {error}") from None


@app.command()
def apply(
    model: Annotated[Path, typer.Option(help="Model JSON written by `score train`")],
    data: Annotated[Path, typer.Option(help="CSV with the model's feature columns")],
    out: Annotated[Path, typer.Option(help="Where to write the scored CSV")],
) -> None:
    """Score every row of a CSV file; writes each row with `score` and `reasons` added."""
    _writable(out, "--out")
    card = _model(model)
    with input_errors(), _reading(data, "--data") as source:
        scored = bootstrap.build_scoring().score_file(
            card, source, data.name, lambda: _writing(out, "--out")
        )
    if scored.absent:
        _err.print(
            f"warning: column(s) {', '.join(scored.absent)} absent from {data.name}: every row "
            "took their missing bin"
        )
    if scored.rows_unexpected:
        which = ", ".join(f"{name} {count}" for name, count in scored.unexpected.items())
        _err.print(
            f"warning: {scored.rows_unexpected} of {scored.rows} rows had a value no bin holds, "
            f"scored with the feature's other bin ({which})"
        )
    shown = ", ".join(f"{band} {count:,}" for band, count in scored.bands.items())
    _out.print(f"scored {scored.rows:,} rows into {out} (bands: {shown})")


# ---------------------------------------------------------------- features
def _reading_text(path: Path, option: str) -> IO[str]:
    """A CSV file as text, through gzip when it is gzipped (the public data sets are)."""
    _reading(path, option).close()  # the same one-line errors for a missing file or a folder
    with path.open("rb") as probe:
        gzipped = probe.read(2) == GZIP_MAGIC
    if gzipped:
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return _reading(path, option)


@app.command("features")
def derive_features(
    source: Annotated[str, typer.Option(help="The data set's layout: history, gmsc or taiwan")],
    data: Annotated[Path, typer.Option(help="The data set's CSV (.gz is read through gzip)")],
    out: Annotated[Path, typer.Option(help="Where to write the features CSV")],
    applications: Annotated[
        Path | None,
        typer.Option(help="history: application_record CSV, for the protected columns"),
    ] = None,
) -> None:
    """Derive the score's features with the target and protected columns, for `score train`."""
    service = bootstrap.build_scoring()
    problems = service.layout_problems(source)
    if problems:
        raise fail(problems)
    if applications is not None and source != "history":
        raise _problem("--applications", "only --source history joins applications")
    _writable(out, "--out")
    with ExitStack() as files:
        handle = files.enter_context(_reading_text(data, "--data"))
        joined = (
            None
            if applications is None
            else files.enter_context(_reading_text(applications, "--applications"))
        )
        with input_errors(), _writing(out, "--out") as target:
            derived = service.derive_features(
                source, handle, str(data), target, joined, str(applications or "")
            )
    _out.print(f"{derived.rows:,} rows of features written to {out}")
    for note, count in derived.notes.items():
        _out.print(f"{note}: {count:,}")


# ---------------------------------------------------------------- overlay
@app.command("overlay")
def overlay(
    model: Annotated[Path, typer.Option(help="Model JSON written by `score train`")],
    overlay_file: Annotated[
        Path, typer.Option("--overlay", help="Overlay JSON (schema creditmend.overlay/v1)")
    ],
    out: Annotated[Path, typer.Option(help="Where to write the model with the overlay")],
) -> None:
    """Add the overlay's features (points from published relative risks, scaled with the
    model's PDO) and its knock-out rules to a model file; the result is re-checksummed."""
    _writable(out, "--out")
    card = _model(model)
    try:
        combined = apply_overlay(card, parse_overlay(_text_of(overlay_file, "--overlay")))
    except OverlayError as error:
        raise _problem("--overlay", f"{overlay_file}: {error}") from None
    with _writing(out, "--out") as handle:
        handle.write(scorecard_text(combined))
    added = len(combined.features) - len(card.features)
    rules = len(combined.knockouts) - len(card.knockouts)
    _out.print(f"{added} overlay feature(s) and {rules} knock-out rule(s) added; written to {out}")


# ---------------------------------------------------------------- report
@app.command("report")
def report(
    model: Annotated[Path, typer.Option(help="Model JSON")],
    out: Annotated[Path, typer.Option(help="Where to write the HTML report")],
) -> None:
    """The model's HTML report, rendered from the model file alone: for a model that `combine`
    or `overlay` changed after training (the training's own report shows the trained part)."""
    _writable(out, "--out")
    card = _model(model)
    with _writing(out, "--out") as handle:
        handle.write(bootstrap.training_report_html(card))
    _out.print(f"report written to {out}")


# ---------------------------------------------------------------- combine
COMBINE_OPTIONS = {"names": "--features", "scaling": "--from"}


@app.command("combine")
def combine(
    model: Annotated[Path, typer.Option(help="The core model JSON")],
    other: Annotated[Path, typer.Option("--from", help="Model JSON trained on another data set")],
    features: Annotated[
        str, typer.Option(help="Features of the --from model to add, comma-separated")
    ],
    out: Annotated[Path, typer.Option(help="Where to write the combined model (may be --model)")],
) -> None:
    """Add features of a model trained on another data set to the core model, each centred so
    that the other population's average applicant gets no change; re-checksummed."""
    _writable(out, "--out")
    card = _model(model)
    text = _text_of(other, "--from")
    try:
        donor = parse_scorecard(text)
    except ScorecardError as error:
        raise _problem("--from", f"{other}: {error}") from None
    try:
        combined = take_components(card, donor, _names(features))
    except ComponentError as error:
        raise _problem(COMBINE_OPTIONS[error.field], str(error)) from None
    with _writing(out, "--out") as handle:
        handle.write(scorecard_text(combined))
    for entry in combined.metadata["components"][-1]["features"]:
        _out.print(f"{entry['feature']}: shift {entry['shift']} points")
    added = len(combined.features) - len(card.features)
    _out.print(f"{added} component(s) added; written to {out}")
