"""Every end-to-end test runs in its own temporary folder: the commands write their default
outputs (`batch-AS_OF/`, a SQLite store, letters) in the working directory, and a test must never
leave them in the repository. Paths to the repository's files are absolute in the tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from in_process import (  # the e2e folder is on the path (pytest's prepend mode)
    ExamplePlan,
    cli,
    one_advice_per_request,
)


@pytest.fixture(autouse=True)
def _in_a_temporary_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def example_plan(tmp_path_factory: pytest.TempPathFactory) -> ExamplePlan:
    """The command is run once per output, the advice made at the first run only (see
    `one_advice_per_request`)."""
    folder = tmp_path_factory.mktemp("example-plan")
    example, as_of = str(Path(__file__).parents[2] / "examples" / "plan.yaml"), "2026-07-01"
    html, pdf = folder / "plan.html", folder / "plan.pdf"
    with pytest.MonkeyPatch.context() as patch, one_advice_per_request() as made:
        patch.chdir(folder)  # nothing written in the repository (see above)
        done = {
            fmt: cli("plan", example, "--as-of", as_of, *(("--format", fmt) if fmt else ()), *out)
            for fmt, out in (
                ("json", ()),
                ("", ()),
                ("html", ("--out", str(html))),
                ("pdf", ("--out", str(pdf))),
            )
        }
    for fmt, run in done.items():
        assert run.returncode == 0, (fmt, run.stderr)
    assert len(made) == 1  # one request, one plan made
    return ExamplePlan(done["json"].stdout, done[""].stdout, html, pdf)
