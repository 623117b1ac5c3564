"""The score's resolution on a generated population (issue 16): synth, ingest, batch, figures.

What a lender's analyst would do with the CLI, in process: `synth` a population, bring it into an
embedded SQLite store (`furnisher import`, `ingest`, `records import`, `retain`, as the Makefile's
demo does), run `batch` on DuckDB with the scorecard the bureau uses (the shipped model, or the
file CREDITMEND_SCORECARD names), then read `scores.parquet` and `indicators.parquet`.

It lives beside the end-to-end tests rather than under benchmarks/: it measures no speed against a
peer, it checks goals, and pytest's prepend mode puts this folder (not the repository root) on
the path, so the slow test imports it as the other e2e tests import `in_process`.

The population and its store take minutes and do not depend on the model, so they are kept in
a cache folder (CREDITMEND_CACHE_DIR, else the system's temporary folder) keyed by the settings
and a digest of the code that makes them (the synth and the store); the batch (which scores)
runs every time. A store counts as made once its `done.json` is written (last); a folder
without it is an interrupted build and is made again.

Run alone to print today's figures as JSON:
`.venv/bin/python tests/e2e/score_resolution.py [--persons N] [--seed S]`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from in_process import cli  # the e2e folder is on the path (pytest's prepend mode, or a script)

from creditmend.bootstrap import SCORECARD_ENV, load_scorecard

ROOT = Path(__file__).resolve().parents[2]

# The code a cached store depends on: what synth writes and how the bureau takes it in and keeps
# it (the features are computed by the batch, every run, and are not part of the store).
CACHE_CODE = ("src/creditmend/domain/synth", "src/creditmend/services/synth.py",
              "src/creditmend/domain/creditfile", "src/creditmend/services/furnish.py",
              "src/creditmend/services/records.py", "src/creditmend/services/pipeline.py",
              "src/creditmend/services/retain.py", "src/creditmend/adapters/db")  # fmt: skip
RECORD_KINDS = ("public_records", "blacklist", "inquiries")
PERCENTILES = (1, 5, 10, 25, 50, 75, 90, 95, 99)
LONG_HISTORY_MONTHS = 24  # first account opened at least this long before the as-of day
LOW_UTILISATION = 0.30  # revolving balance over revolving limit, below this


@dataclass(frozen=True, slots=True)
class Settings:
    """The issue's population (`synth --persons 10000 --platforms 24 --months 36 --start 2023-07
    --seed 11`), batched as of the demo's day, ten days after the window's last month end."""

    persons: int = 10_000
    platforms: int = 24
    months: int = 36
    start: str = "2023-07"
    seed: int = 11
    as_of: str = "2026-07-10"

    def key(self) -> str:
        digest = hashlib.sha256()
        for path in sorted(p for name in CACHE_CODE for p in _files(ROOT / name)):
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
        return (
            f"p{self.persons}-f{self.platforms}-m{self.months}-s{self.start}-seed{self.seed}"
            f"-{self.as_of}-{digest.hexdigest()[:12]}"
        )


def _files(path: Path) -> list[Path]:
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


@dataclass(frozen=True, slots=True)
class Store:
    folder: Path  # population/, bureau.db, key
    url: str
    env: dict[str, str]  # CREDITMEND_KEY for the store, with the process's environment
    cached: bool
    seconds: dict[str, float]  # synth, ingest (as measured when the store was built)


@dataclass(slots=True)
class Figures:
    scorecard: str  # the CREDITMEND_SCORECARD file, or "shipped"
    persons: int  # rows of scores.parquet
    rows_per_person: int  # the most rows any one person has in scores.parquet (1 expected)
    with_file: int  # persons with a score (a file: an account, court record or blacklist entry)
    distinct_scores: int
    top_score: int | None
    top_score_share: float  # of persons with a file
    bands: dict[str, int]  # every band of the scorecard, best first, with its persons
    percentiles: dict[str, int]  # min, p1..p99, max of the scores
    clean_long_low_util: int  # persons with a clean long history and low utilisation
    clean_bands: dict[str, int]  # their bands
    population: dict[str, int]  # what the population holds (persons with ...)
    seconds: dict[str, float] = field(default_factory=dict)


def cache_root() -> Path:
    base = os.environ.get("CREDITMEND_CACHE_DIR") or tempfile.gettempdir()
    return Path(base) / "creditmend-resolution"


def _run(*args: str, env: dict[str, str]) -> None:
    done = cli(*args, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"creditmend {' '.join(args)}: exit {done.returncode}: {done.stderr}")


def population_store(settings: Settings) -> Store:
    """The population synthesised and brought into an embedded SQLite store, from the cache
    when one was made with the same settings and code."""
    from creditmend.bootstrap import new_key  # noqa: PLC0415

    folder = cache_root() / settings.key()
    cached = (folder / "done.json").exists()
    if not cached:
        shutil.rmtree(folder, ignore_errors=True)  # a build that did not finish
        folder.mkdir(parents=True, mode=0o700)
        key = new_key()
        with os.fdopen(os.open(folder / "key", os.O_WRONLY | os.O_CREAT, 0o600), "w") as handle:
            handle.write(key)  # the store's key: owner-only, as the bureau keeps its own
        url = f"sqlite:///{folder / 'bureau.db'}"
        seconds = _build(settings, folder, url, {"CREDITMEND_KEY": key})
        (folder / "done.json").write_text(json.dumps({"seconds": seconds}), "utf-8")
    done = json.loads((folder / "done.json").read_text("utf-8"))
    env = {"CREDITMEND_KEY": (folder / "key").read_text("utf-8")}
    return Store(folder, f"sqlite:///{folder / 'bureau.db'}", env, cached, done["seconds"])


def _build(settings: Settings, folder: Path, url: str, env: dict[str, str]) -> dict[str, float]:
    """`make demo`'s steps up to the batch."""
    population = folder / "population"
    begun = time.perf_counter()
    _run("synth", "--persons", str(settings.persons), "--platforms", str(settings.platforms),
         "--months", str(settings.months), "--start", settings.start, "--seed",
         str(settings.seed), "--out", str(population), env=env)  # fmt: skip
    synthesised = time.perf_counter()
    dated = ("--db", url, "--as-of", settings.as_of)
    _run("furnisher", "import", str(population / "furnishers.jsonl"), "--db", url, env=env)
    _run("ingest", str(population / "cmf"), *dated, env=env)
    for kind in RECORD_KINDS:
        _run("records", "import", str(population / f"{kind}.jsonl"), "--kind", kind, *dated,
             env=env)  # fmt: skip
    _run("retain", *dated, env=env)
    ingested = time.perf_counter()
    return {"synth": synthesised - begun, "ingest": ingested - synthesised}


def run_batch(store: Store, settings: Settings, out: Path) -> Path:
    """`creditmend batch` on DuckDB into `out`, scored with the bureau's scorecard."""
    _run("batch", "--db", store.url, "--as-of", settings.as_of, "--out", str(out), env=store.env)
    return out


def figures(batch: Path, settings: Settings) -> Figures:
    """The resolution figures of a batch's scores and indicators."""
    card = load_scorecard()
    scores = pq.read_table(batch / "scores.parquet", columns=["person", "score", "band"])
    rows = scores.to_pylist()
    per_person = Counter(row["person"] for row in rows)
    scored = [row for row in rows if row["score"] is not None]
    values = sorted(row["score"] for row in scored)
    top = Counter(values).most_common(1)
    band_names = [band.name for band in card.bands]
    bands = Counter(row["band"] for row in scored)
    wanted = ["person", "first_loan_on", "months_overdue_60m", "current_overdue_accounts",
              "public_records", "blacklist_entries", "revolving_balance_fen",
              "revolving_limit_fen", "hard_inquiries_90d", "institutions_90d",
              "hard_inquiries_180d", "institutions_180d"]  # fmt: skip
    indicators = {
        row["person"]: row
        for row in pq.read_table(batch / "indicators.parquet", columns=wanted).to_pylist()
    }
    band_of = {row["person"]: row["band"] for row in scored}
    clean = [p for p, row in indicators.items() if p in band_of and _clean_long_low(row, settings)]
    platforms = pq.read_table(batch / "platforms.parquet", columns=["person", "kind"]).to_pylist()
    kinds: dict[str, set[int]] = {}
    for row in platforms:
        kinds.setdefault(row["kind"], set()).add(row["person"])
    return Figures(
        scorecard=os.environ.get(SCORECARD_ENV) or "shipped",
        persons=len(per_person),
        rows_per_person=max(per_person.values(), default=0),
        with_file=len(scored),
        distinct_scores=len(set(values)),
        top_score=top[0][0] if top else None,
        top_score_share=round(top[0][1] / len(values), 4) if top else 0.0,
        bands={name: bands[name] for name in band_names},
        percentiles=_percentiles(values),
        clean_long_low_util=len(clean),
        clean_bands={name: sum(1 for p in clean if band_of[p] == name) for name in band_names},
        population=_population(indicators.values(), kinds),
    )


def _clean_long_low(row: dict[str, Any], settings: Settings) -> bool:
    """Never overdue in the file's months, nothing overdue now, no court record or blacklist
    entry, a first account at least LONG_HISTORY_MONTHS old and revolving lines used below
    LOW_UTILISATION of their limits."""
    first = row["first_loan_on"]
    as_of = date.fromisoformat(settings.as_of)
    limit, balance = row["revolving_limit_fen"] or 0, row["revolving_balance_fen"] or 0
    return (
        first is not None
        and (as_of.year - first.year) * 12 + as_of.month - first.month >= LONG_HISTORY_MONTHS
        and not row["months_overdue_60m"]
        and not row["current_overdue_accounts"]
        and not row["public_records"]
        and not row["blacklist_entries"]
        and limit > 0
        and balance < LOW_UTILISATION * limit
    )


def _percentiles(values: list[int]) -> dict[str, int]:
    """Nearest-rank percentiles (a score is an integer; no interpolation)."""
    if not values:
        return {}
    picked = {f"p{q}": values[max(0, -(-q * len(values) // 100) - 1)] for q in PERCENTILES}
    return {"min": values[0], **picked, "max": values[-1]}


def _population(rows: Any, kinds: dict[str, set[int]]) -> dict[str, int]:
    """Persons with each thing the issue's features need the population to hold."""
    rows = list(rows)

    def count(test: Any) -> int:
        return sum(1 for row in rows if test(row))

    return {
        "persons": len(rows),
        "hard_inquiry_180d": count(lambda r: r["hard_inquiries_180d"] > 0),
        "institutions_180d_2_or_more": count(lambda r: r["institutions_180d"] >= 2),
        "institutions_90d_4_or_more": count(lambda r: r["institutions_90d"] >= 4),
        "multi_head_90d_6_inquiries_4_institutions": count(
            lambda r: r["hard_inquiries_90d"] >= 6 and r["institutions_90d"] >= 4
        ),
        **{f"with_{kind}_account": len(persons) for kind, persons in sorted(kinds.items())},
        "with_bank_and_non_bank": len(kinds.get("bank", set()) & kinds.get("non_bank", set())),
        "with_revolving_limit": count(lambda r: (r["revolving_limit_fen"] or 0) > 0),
        "with_court_record": count(lambda r: r["public_records"] > 0),
        "with_blacklist_entry": count(lambda r: r["blacklist_entries"] > 0),
    }


def resolution(settings: Settings, out: Path) -> Figures:
    """Everything, end to end: the (cached) store, the batch into `out`, the figures."""
    begun = time.perf_counter()
    store = population_store(settings)
    ready = time.perf_counter()
    run_batch(store, settings, out)
    batched = time.perf_counter()
    result = figures(out, settings)
    result.seconds = {
        **{name: round(s, 1) for name, s in store.seconds.items()},
        "store_cached": float(store.cached),
        "store_ready": round(ready - begun, 1),
        "batch": round(batched - ready, 1),
        "figures": round(time.perf_counter() - batched, 1),
    }
    return result


def main() -> None:
    defaults = Settings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=defaults.persons)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    args = parser.parse_args()
    settings = Settings(persons=args.persons, seed=args.seed)
    with tempfile.TemporaryDirectory() as folder:
        result = resolution(settings, Path(folder) / "batch")
    print(json.dumps({"settings": asdict(settings), **asdict(result)}, indent=2))


if __name__ == "__main__":
    main()
