"""Write a synthetic population to a directory, byte-identical for the same parameters.

Layout of `out`:
- `furnishers.jsonl`: one platform per line (code, name, kind, subtype, account type);
- `cmf/<FURNISHER>/<YYYY-MM>.jsonl`: the CMF v1 records each furnisher sends for a month;
- `inquiries.jsonl`, `public_records.jsonl`, `blacklist.jsonl`: the other bureau facts;
- `deduction_failures.jsonl`: every failed auto-debit with the bank balance and the amount due
  (the evidence for objections: a failure with a sufficient balance is the platform's fault);
- `manifest.json`: the parameters and counts (no timestamps, so it is deterministic too).

Persons are generated independently (the domain seeds each one from the seed and its index), so
with `workers > 1` chunks of consecutive persons go to a process pool and come back in order
(`Pool.imap`); the files are the same whatever the number of workers. Only the main process writes.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from creditmend.domain.calendar import BusinessCalendar, WeekdayCalendar
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.rules import profile as profile_of
from creditmend.domain.synth import ID_CAPACITY, PersonFacts, World, make_world, person_facts
from creditmend.services.output_files import staging

CHUNK = 100  # persons per task sent to a worker
BUFFERED = 64 << 20  # characters of CMF lines held before they are written out
FACT_FILES = ("inquiries", "public_records", "blacklist", "deduction_failures")
PARALLEL_FROM = 2_000  # persons; a smaller run is over before worker processes pay for themselves


@dataclass(frozen=True, slots=True)
class SynthParams:
    persons: int
    platforms: int
    months: int
    seed: int
    start: date
    jurisdiction: str  # the profile whose rules the population follows
    # Synthetic due dates roll on weekdays only, whatever the profile: a population must not
    # change when a holiday notice is published (the manifest names the calendar).
    calendar: BusinessCalendar = field(default_factory=WeekdayCalendar)


@dataclass(frozen=True, slots=True)
class SynthSummary:
    out: Path
    manifest: dict[str, Any]


# What `json.dumps(record, ensure_ascii=False, separators=(",", ":"))` writes, without making
# an encoder for each of the millions of lines.
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _dump(record: dict[str, Any]) -> str:
    return _ENCODE(record) + "\n"


# A chunk's facts as text: (CMF lines by furnisher and period, in the order made; other lines
# by file; counts).
Chunk = tuple[dict[tuple[str, str], list[str]], dict[str, list[str]], Counter[str]]


def _render(facts: PersonFacts, chunk: Chunk) -> None:
    cmf, lines, counts = chunk
    for r in facts.cmf:
        key = (r["furnisher_id"], r["period"])
        found = cmf.get(key)
        if found is None:
            found = cmf[key] = []
        found.append(_dump(r))
    for name in FACT_FILES:
        lines[name].extend(_dump(r) for r in getattr(facts, name))
    counts["persons"] += 1
    counts["loans"] += len(facts.loans)
    counts[f"archetype.{facts.person.archetype}"] += 1
    counts.update(f"behaviour.{tag}" for tag in facts.tags)


_WORLD: World | None = None


def _init_worker(params: SynthParams) -> None:
    global _WORLD  # noqa: PLW0603 - one world per worker process, built once
    _WORLD = _world(params)


def _chunk(bounds: tuple[int, int]) -> Chunk:
    assert _WORLD is not None
    chunk: Chunk = ({}, {name: [] for name in FACT_FILES}, Counter())
    for index in range(*bounds):
        _render(person_facts(_WORLD, index), chunk)
    return chunk


def _world(params: SynthParams) -> World:
    return make_world(
        params.platforms,
        params.months,
        params.seed,
        params.start,
        profile_of(params.jurisdiction),
        params.calendar,
    )


def _chunks(params: SynthParams, workers: int) -> Iterator[Chunk]:
    bounds = [(lo, min(lo + CHUNK, params.persons)) for lo in range(0, params.persons, CHUNK)]
    if workers <= 1 or len(bounds) <= 1:
        _init_worker(params)
        yield from map(_chunk, bounds)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with context.Pool(min(workers, len(bounds)), _init_worker, (params,)) as pool:
        yield from pool.imap(_chunk, bounds)


class _CmfWriter:
    """Writes `cmf/<F>/<YYYY-MM>.jsonl`: each file's lines are held in memory, in the order
    they come, and written out when BUFFERED characters are held (and at the end), each file
    then opened once (truncated the first time this run writes it, appended to after).

    Persons come in order and each has months in most files, so writing line by line would
    open and close every file (24 platforms x 36 months) for each chunk of persons: hundreds
    of thousands of opens for a large population."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.pending: dict[tuple[str, str], list[str]] = {}
        self.size = 0
        self.touched: set[tuple[str, str]] = set()
        self.folders: set[str] = set()

    def write(self, key: tuple[str, str], lines: list[str]) -> None:
        """Lines for the file of (furnisher, period), after those written for it before."""
        held = self.pending.get(key)
        if held is None:
            self.pending[key] = lines
        else:
            held.extend(lines)
        self.size += sum(map(len, lines))
        if self.size >= BUFFERED:
            self.flush()

    def flush(self) -> None:
        for key, lines in self.pending.items():
            furnisher, period = key
            folder = self.root / furnisher
            if furnisher not in self.folders:
                folder.mkdir(parents=True, exist_ok=True)
                self.folders.add(furnisher)
            mode = "a" if key in self.touched else "w"
            with open(folder / f"{period}.jsonl", mode, encoding="utf-8", newline="\n") as out:
                out.writelines(lines)
            self.touched.add(key)
        self.pending.clear()
        self.size = 0


def workers_for(persons: int, asked: int = 0) -> int:
    """The processes a run uses: as asked, or (0) up to two for a large run, else one."""
    if asked:
        return asked
    return min(2, os.cpu_count() or 1) if persons >= PARALLEL_FROM else 1


def write_population(
    params: SynthParams,
    out: Path,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> SynthSummary:
    """Generate and write the population; `progress` is called with the persons done so far.

    Every file is written into a staging folder inside `out` and published when the whole
    population is written (`output_files.staging`: owner-only, renamed into place), so a run
    that fails (a full disk) leaves no half file under a final name, and the files of an
    earlier population in `out` as they were."""
    if params.persons < 1:
        raise ValueError("persons: must be at least 1")
    world = _world(params)
    with staging(out, "synth.out") as stage:
        manifest = _write_population(params, world, stage, workers, progress)
    return SynthSummary(out, manifest)


def _write_population(
    params: SynthParams,
    world: World,
    out: Path,
    workers: int,
    progress: Callable[[int], None] | None,
) -> dict[str, Any]:
    with open(out / "furnishers.jsonl", "w", encoding="utf-8", newline="\n") as handle:
        handle.writelines(_dump(p.as_record()) for p in world.platforms)
    files = {
        name: open(out / f"{name}.jsonl", "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        for name in FACT_FILES
    }
    cmf = _CmfWriter(out / "cmf")
    counts: Counter[str] = Counter()
    try:
        for records, lines, chunk_counts in _chunks(params, workers):
            for key, cmf_lines in records.items():
                cmf.write(key, cmf_lines)
                counts["cmf_records"] += len(cmf_lines)
            for name, rows in lines.items():
                files[name].writelines(rows)
                counts[name] += len(rows)
            counts.update(chunk_counts)
            if progress is not None:
                progress(counts["persons"])
        cmf.flush()
    finally:
        for handle in files.values():
            handle.close()
    manifest = {
        "format": "creditmend synthetic population v1",
        "parameters": {
            "persons": params.persons,
            "platforms": params.platforms,
            "months": params.months,
            "seed": params.seed,
            "start": world.first_day.isoformat(),
            "end": world.last_day.isoformat(),
            "jurisdiction": params.jurisdiction,
            "calendar": type(params.calendar).__name__,
        },
        "unique_ids": params.persons <= ID_CAPACITY,
        "counts": {
            "furnishers": len(world.platforms),
            "cmf_files": len(cmf.touched),
            **{k: counts[k] for k in sorted(counts) if "." not in k},
        },
        "archetypes": _group(counts, "archetype."),
        "behaviours": _group(counts, "behaviour."),
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    (out / "manifest.json").write_text(text, encoding="utf-8")
    return manifest


def _group(counts: Counter[str], prefix: str) -> dict[str, int]:
    return {k.removeprefix(prefix): counts[k] for k in sorted(counts) if k.startswith(prefix)}


@dataclass(frozen=True, slots=True)
class Showcase:
    """A borrower worth showing in a demo, and why; with the objection they have grounds for."""

    id_type: str
    id_number: str
    platforms: int
    overdue_accounts: int
    platform_fault_failures: int
    objection_record: str | None = None  # account:F:ID:YYYY-MM of a month the fault made overdue
    evidence: dict[str, Any] | None = None  # what the borrower would attach (objection evidence)


def pick_showcase(population: Path) -> Showcase | None:
    """The borrower a demo should show: an auto-debit that failed although the bank balance was
    sufficient and left a month overdue (worth an objection; the latest year such a month
    falls in first), overdue at the end, on as many platforms as possible. Ties go to the
    first person in file order, so the pick is as deterministic as the files."""
    faults: Counter[tuple[str, str]] = Counter()
    fault_months: dict[tuple[str, str, str], dict[str, Any]] = {}  # furnisher, account, month
    path = population / "deduction_failures.jsonl"
    for number, failure in _records(path):
        with _fields(path, number):
            if failure["balance_was_sufficient"]:
                faults[(failure["id_type"], failure["id_number"])] += 1
                key = (failure["furnisher_id"], failure["account_id"], failure["attempted_on"][:7])
                fault_months.setdefault(key, failure)
                _evidence(failure)  # its keys are read now, where a missing one names its line
    platforms: dict[tuple[str, str], set[str]] = {}
    last: dict[tuple[str, str, str], tuple[str, int]] = {}  # person+account -> period, dpd
    grounds: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    for path in sorted((population / "cmf").glob("*/*.jsonl")):
        for number, record in _records(path):
            with _fields(path, number):
                person = (record["id_type"], record["id_number"])
                if person not in faults:
                    continue
                platforms.setdefault(person, set()).add(record["furnisher_id"])
                key = (*person, record["account_id"])
                if key not in last or last[key][0] < record["period"]:
                    last[key] = (record["period"], record["days_past_due"])
                month = (record["furnisher_id"], record["account_id"], record["period"])
                if record["days_past_due"] > 0 and month in fault_months:
                    ref = "account:{}:{}:{}".format(*month)
                    latest = grounds.get(person, ("", {}))[0].rsplit(":", 1)[-1]
                    if latest < record["period"]:
                        grounds[person] = (ref, _evidence(fault_months[month]))
    overdue: Counter[tuple[str, str]] = Counter(
        (id_type, number) for (id_type, number, _), (_, dpd) in last.items() if dpd > 0
    )
    ranked = sorted(
        faults,
        key=lambda p: (
            p in grounds,
            # A recent fault: older overdues may already be hidden (retention, dated repairs).
            grounds[p][0].rsplit(":", 1)[1][:4] if p in grounds else "",
            overdue[p] > 0,
            len(platforms.get(p, ())),
            overdue[p],
            faults[p],
        ),
        reverse=True,
    )
    if not ranked:
        return None
    best = ranked[0]
    reference, evidence = grounds.get(best, (None, None))
    return Showcase(
        best[0],
        best[1],
        len(platforms.get(best, ())),
        overdue[best],
        faults[best],
        reference,
        evidence,
    )


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """The JSON objects of a JSON Lines file with their line numbers (blank lines skipped);
    a line that is not UTF-8, not JSON or not an object is a problem naming the file and line."""
    try:
        with open(path, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    raise _bad(path, number, "not UTF-8 text") from None
                if not text.strip():
                    continue
                try:
                    record = json.loads(text)
                except (ValueError, RecursionError):
                    raise _bad(path, number, "not valid JSON") from None
                if not isinstance(record, dict):
                    raise _bad(path, number, "not a JSON object")
                yield number, record
    except OSError as error:
        raise ProblemsError(
            (Problem(str(path), f"cannot read: {error.strerror or error}"),)
        ) from None


@contextmanager
def _fields(path: Path, number: int) -> Iterator[None]:
    """A record lacking a key, or holding a value of the wrong kind, names the file and line."""
    try:
        yield
    except KeyError as error:
        raise _bad(path, number, f"lacks the key {error.args[0]!r}") from None
    except (TypeError, AttributeError):
        raise _bad(path, number, "a value has the wrong type") from None


def _bad(path: Path, number: int, message: str) -> ProblemsError:
    return ProblemsError((Problem(str(path), message, number),))


def _evidence(failure: dict[str, Any]) -> dict[str, Any]:
    """The objection evidence a borrower holds for a failed debit: the attempt and the balance."""
    return {
        "deduction_attempts": [
            {"on": failure["attempted_on"], "result": "failed", "reason": failure["reason"]}
        ],
        "bank_balances": [{"on": failure["attempted_on"], "amount": failure["bank_balance"]}],
    }
