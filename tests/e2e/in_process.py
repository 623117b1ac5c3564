"""The CLI in process for the end-to-end tests (`cli`, from tests/cli_runner.py) and the
example plan several of them read, made once."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from cli_runner import Done, invoke  # tests/ is on the path (its conftest.py, prepend mode)
from creditmend.services.advise import Advice, AdviseService
from creditmend.services.plan import PlanRequest


def cli(*args: str, env: Mapping[str, str | None] | None = None) -> Done:
    """Run `creditmend ARGS`; an exception other than the command's exit is raised as is."""
    return invoke(args, env)


@dataclass(frozen=True)
class ExamplePlan:
    """examples/plan.yaml planned by `creditmend plan --as-of 2026-07-01` with its defaults
    (bridging searched), once in each output: the JSON, the terminal's words, the HTML page and
    the PDF. Several tests read it; each plan costs seconds (the optimiser and the bridging
    re-plans), so it is made once per test session and worker."""

    json: str
    terminal: str
    html: Path
    pdf: Path


@contextmanager
def one_advice_per_request() -> Iterator[dict[str, Advice]]:
    """Within the block, `creditmend plan` makes the advice for a request at its first run only
    and renders that same advice at the next runs of the same request (another `--format`).
    A plan is the same plan however often it is made (the solver's binding limit is a node
    limit), so each output is still the command's own parsing, rendering and writing of the
    advice it would make; a test reading one plan in several formats pays for one plan, not one
    per format (seconds each). Yields the advice made, by the request's repr."""
    made: dict[str, Advice] = {}
    plan = AdviseService.plan

    def once(service: AdviseService, request: PlanRequest, at: datetime) -> Advice:
        key = repr(request)
        if key not in made:
            made[key] = plan(service, request, at)
        return made[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AdviseService, "plan", once)
        yield made
