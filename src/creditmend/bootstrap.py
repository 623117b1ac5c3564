"""Composition root: the one place where adapters meet services."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from creditmend.adapters.holidays_cn import ChinaCalendar
from creditmend.adapters.i18n import Speaker as Speaker  # noqa: PLC0414 (for interfaces)
from creditmend.adapters.i18n import catalogue_path as catalogue_path  # noqa: PLC0414
from creditmend.adapters.i18n import speaker as speaker  # noqa: PLC0414
from creditmend.adapters.i18n import translations as translations  # noqa: PLC0414
from creditmend.adapters.irr_scipy import BrentRootFinder
from creditmend.adapters.loanfile_yaml import read_yaml_with_lines
from creditmend.domain.calendar import BusinessCalendar
from creditmend.domain.clock import Clock, FixedClock, ZonedClock
from creditmend.domain.i18n import ENGLISH
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.report.file import CreditFileFacts
from creditmend.domain.report.model import Report
from creditmend.domain.rules import JurisdictionProfile, profile
from creditmend.domain.scoring.scorecard import (
    Band,
    Scaling,
    Scorecard,
    ScorecardError,
    parse_scorecard,
)
from creditmend.models import DEFAULT_SCORECARD, default_scorecard
from creditmend.services.advise import AdviseService
from creditmend.services.batch import BatchEngine, BatchService
from creditmend.services.clients import DEFAULT_TOKEN_TTL, ClientService
from creditmend.services.evidence_uploads import EvidenceUploads
from creditmend.services.furnish import FurnishService
from creditmend.services.furnish_jobs import FurnishJobService
from creditmend.services.inquire import InquiryService
from creditmend.services.loans import LoanService
from creditmend.services.object import ObjectionService
from creditmend.services.portal_users import PortalUserService
from creditmend.services.records import FIELDS_OF, RecordsService
from creditmend.services.retain import RetentionService
from creditmend.services.score import ScoreService

if TYPE_CHECKING:
    from creditmend.adapters.db.store import Store

JURISDICTION = "cn"  # the profile in force: the one place a deployment chooses its rules


def rules(jurisdiction: str = JURISDICTION) -> JurisdictionProfile:
    """The jurisdiction profile every service and interface reads its rules from."""
    return profile(jurisdiction)


NOW_ENV = "CREDITMEND_NOW"


def clock(jurisdiction: str = JURISDICTION) -> Clock:
    """The one clock: the system's, seen from the profile's time zone (the business date is
    today there), or stopped at the instant CREDITMEND_NOW gives (ISO 8601 with its offset,
    `2026-12-07T01:00:00+08:00`): tests freeze the time with it, in process and in a child."""
    return _clock(jurisdiction, os.environ.get(NOW_ENV) or None)


@lru_cache(maxsize=8)
def _clock(jurisdiction: str, frozen: str | None) -> Clock:
    zone = ZoneInfo(profile(jurisdiction).time_zone.value)
    if frozen is None:
        return ZonedClock(zone)
    example = "e.g. 2026-12-07T01:00:00+08:00"
    try:
        at = datetime.fromisoformat(frozen.strip())
        fixed = None if at.utcoffset() is None else FixedClock(at, zone)
    except ValueError:
        message = f"{frozen!r} is not an ISO 8601 date and time ({example})"
        raise ProblemsError((Problem(NOW_ENV, message),)) from None
    except OverflowError:  # 9999-12-31T23:00Z is already year 10000 in Beijing
        raise ProblemsError((Problem(NOW_ENV, f"{frozen!r} is out of range"),)) from None
    if fixed is None:
        message = f"{frozen!r} has no UTC offset: say whose time it is ({example})"
        raise ProblemsError((Problem(NOW_ENV, message),))
    return fixed


CALENDARS: dict[str, Callable[[], BusinessCalendar]] = {"CN": ChinaCalendar}


def business_calendar(rules: JurisdictionProfile) -> BusinessCalendar:
    """The working-day calendar the profile names (its `business_calendar` code): the one place
    a code is matched with its adapter, so a profile naming no known calendar is an error, never
    a silent default."""
    code = rules.business_calendar.value
    if code not in CALENDARS:
        known = ", ".join(sorted(CALENDARS))
        raise LookupError(
            f"business_calendar: profile {rules.code!r} names {code!r}, which no adapter "
            f"answers for; known: {known}"
        )
    return CALENDARS[code]()


@dataclass(frozen=True, slots=True)
class App:
    loans: LoanService


def build(jurisdiction: str = JURISDICTION) -> App:
    rules = profile(jurisdiction)
    return App(
        loans=LoanService(
            profile=rules,
            calendar=business_calendar(rules),
            root_finder=BrentRootFinder(),
            read_document=read_yaml_with_lines,
        )
    )


def build_scoring() -> ScoreService:
    """Scoring files and deriving features: the domain alone, no adapter."""
    return ScoreService()


def build_advisor(
    jurisdiction: str = JURISDICTION, *, bureau: bool = False, db: str | None = None
) -> AdviseService:
    """The recovery advisor: PLAN files read like loan files, HiGHS for the optimiser, the
    installed scorecard for the forecast; with `bureau`, plans from a person's credit file in
    the store at `db` (opened only then)."""
    from creditmend.adapters.solver_highs import HighsSolver  # noqa: PLC0415

    rules = profile(jurisdiction)

    def own_file(id_type: str, id_number: str, as_of: date, at: datetime) -> CreditFileFacts:
        # The store is opened when a person's file is read: a refused request never opens it.
        return build_bureau(db, jurisdiction).inquire.own_file(id_type, id_number, as_of, at)

    return AdviseService(
        profile=rules,
        calendar=business_calendar(rules),
        read_document=read_yaml_with_lines,
        solver=HighsSolver(),
        scorecard=load_scorecard,
        root_finder=BrentRootFinder(),
        own_file=own_file if bureau else None,
        english=speaker(ENGLISH).gettext,
    )


def advisor_for(inquire: InquiryService, jurisdiction: str = JURISDICTION) -> AdviseService:
    """The recovery advisor reading a person's file through `inquire` (a served store's: the
    portal's plans, each read a logged self-inquiry as `plan --person` makes it)."""
    return replace(build_advisor(jurisdiction), own_file=inquire.own_file)


def plan_charts(
    document: Mapping[str, Any], horizon_end: str | None = None, *, lang: str = ENGLISH
) -> dict[str, str]:
    """The plan's charts as SVG (Altair through vl-convert), by name, as its HTML page has them."""
    from creditmend.adapters.render.charts import plan_charts as charts  # noqa: PLC0415

    return charts(document, horizon_end, lang=lang)


def render_plan_html(
    document: Mapping[str, Any], generated_at: datetime, *, lang: str = ENGLISH
) -> str:
    """The recovery plan's page, with its charts, from its JSON document."""
    from creditmend.adapters.render.plan_html import render_plan_html as render  # noqa: PLC0415

    return render(document, generated_at, lang=lang)


def render_plan_pdf(
    document: Mapping[str, Any], generated_at: datetime, *, lang: str = ENGLISH
) -> bytes:
    from creditmend.adapters.render.pdf import render_pdf as pdf  # noqa: PLC0415

    return pdf(render_plan_html(document, generated_at, lang=lang))


@dataclass(frozen=True, slots=True)
class Bureau:
    furnish: FurnishService
    inquire: InquiryService
    records: RecordsService
    retention: RetentionService
    batch: BatchService
    objections: ObjectionService


def render_html(report: Report, generated_at: datetime, *, lang: str = ENGLISH) -> str:
    from creditmend.adapters.render.html import render_html as render  # noqa: PLC0415

    return render(report, generated_at, profile=rules(), lang=lang)


def render_pdf(report: Report, generated_at: datetime, *, lang: str = ENGLISH) -> bytes:
    """The PDF is WeasyPrint's rendering of the very HTML `render_html` gives."""
    from creditmend.adapters.render.html import render_html as html  # noqa: PLC0415
    from creditmend.adapters.render.pdf import render_pdf as render  # noqa: PLC0415

    return render(html(report, generated_at, profile=rules(), lang=lang))


BATCH_ENGINES = ("duckdb", "spark")


def batch_engine(name: str, spark_master: str | None = None) -> BatchEngine:
    """The engine for the batch; Spark is an optional extra, named when it is missing."""
    if name not in BATCH_ENGINES:
        raise ProblemsError(
            (Problem("batch.engine", f"unknown {name!r}; one of {', '.join(BATCH_ENGINES)}"),)
        )
    if name == "duckdb":
        from creditmend.adapters.batch.duckdb_engine import DuckDBEngine  # noqa: PLC0415

        return DuckDBEngine()
    if importlib.util.find_spec("pyspark") is None:
        raise ProblemsError(
            (
                Problem(
                    "batch.engine",
                    "Apache Spark is not installed: pip install 'creditmend[spark]' "
                    "(and Java 17 or later)",
                ),
            )
        )
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise ProblemsError(
            (Problem("batch.engine", "Spark needs Java 17 or later: none found (JAVA_HOME, PATH)"),)
        )
    from creditmend.adapters.batch.spark_engine import SparkEngine  # noqa: PLC0415

    engine = SparkEngine(master=spark_master) if spark_master else SparkEngine()
    # Started now, before the inputs are prepared, so that a wrong master fails at once. The JVM
    # writes to the process's stderr: what it says while starting is kept aside (the reason of a
    # failure is taken from it), so the command still ends with one line.
    with tempfile.TemporaryFile("w+") as jvm_says, _stderr_to(jvm_says):
        try:
            engine.session()
        except Exception as error:  # Py4J and PySpark raise many kinds
            engine.stop()
            jvm_says.seek(0)
            said = [line for line in jvm_says.read().splitlines() if "Exception" in line]
            reason = said[0].split(": ", 1)[-1] if said else str(error).strip() or repr(error)
            raise ProblemsError(
                (
                    Problem(
                        "batch.spark_master",
                        f"Spark did not start at {engine.master}: {reason.splitlines()[0]}",
                    ),
                )
            ) from None
    return engine


@contextmanager
def _stderr_to(target: IO[str]) -> Iterator[None]:
    """File descriptor 2 (which child processes inherit) pointed at `target` for a while."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        os.dup2(target.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


SCORECARD_ENV = "CREDITMEND_SCORECARD"


def load_scorecard() -> Scorecard:
    """The scorecard reports and the batch use: the file CREDITMEND_SCORECARD names, else the
    shipped default model (trained by `make model`)."""
    path = os.environ.get(SCORECARD_ENV)
    try:
        return parse_scorecard(Path(path).read_text("utf-8")) if path else default_scorecard()
    except OSError as error:
        where = SCORECARD_ENV if path else DEFAULT_SCORECARD
        problem = Problem(where, f"cannot read {path or error.filename}: {error.strerror}")
        raise ProblemsError((problem,)) from None
    except ScorecardError as error:
        problem = Problem(SCORECARD_ENV if path else DEFAULT_SCORECARD, str(error))
        raise ProblemsError((problem,)) from None


def new_key() -> str:
    from creditmend.adapters.vault import new_key as make  # noqa: PLC0415

    return make()


def build_bureau(
    db: str | None, jurisdiction: str = JURISDICTION, *, create: bool = False
) -> Bureau:
    """The bureau's services on the store at `db` (or CREDITMEND_DB, or the embedded default);
    an embedded store is made only with `create` (the commands that bring data in)."""
    return _bureau_on(_open_store(db, create=create), jurisdiction)


def _open_store(db: str | None, *, create: bool = False, serve: bool = False) -> Store:
    """The store; with `serve` (the API), working on PostgreSQL as the service role under
    row-level security once migrated (`adapters/db/tenancy.py`)."""
    from creditmend.adapters.db.store import open_store  # noqa: PLC0415
    from creditmend.adapters.vault import IdentityVault  # noqa: PLC0415
    from creditmend.settings import db_url, key_text, service_url  # noqa: PLC0415

    url = db_url(db)
    return open_store(
        url,
        lambda new: IdentityVault(key_text(url, make=new)),
        create=create,
        serve_as=service_url(url) if serve else None,
    )


def _bureau_on(store: Store, jurisdiction: str) -> Bureau:
    # Imported here so that the loan commands start without the database stack.
    from creditmend.adapters.batch.parquet import write_tables  # noqa: PLC0415
    from creditmend.adapters.batch.scores import write_scores  # noqa: PLC0415
    from creditmend.adapters.furnishing_files import (  # noqa: PLC0415
        read_rows,
        schema_check_for,
        schema_problems,
    )
    from creditmend.adapters.identity_numbers import id_is_valid  # noqa: PLC0415
    from creditmend.domain.creditfile.records import json_schema, normalise_row  # noqa: PLC0415

    return Bureau(
        furnish=FurnishService(
            furnisher_registry=store.furnisher_registry,
            ingestion_log=store.ingestion_log,
            furnishing_repository=store.furnishing_repository,
            read_rows=read_rows,
            schema_problems=schema_problems,
            id_is_valid=id_is_valid,
            currency=profile(jurisdiction).currency,
            clock=clock(jurisdiction),
        ),
        inquire=InquiryService(
            furnisher_registry=store.furnisher_registry,
            person_directory=store.person_directory,
            credit_file_reader=store.credit_file_reader,
            inquiry_log=store.inquiry_log,
            audit_log=store.audit_log,
            profile=profile(jurisdiction),
            id_is_valid=id_is_valid,
            scorecard=load_scorecard,
        ),
        records=RecordsService(
            furnisher_registry=store.furnisher_registry,
            ingestion_log=store.ingestion_log,
            records_repository=store.records_repository,
            read_rows=lambda path, fmt, kind: read_rows(
                path, fmt, frozenset(f.name for f in FIELDS_OF[kind]), normalise_row
            ),
            schema_checks={
                kind: schema_check_for(json_schema(fields, kind))
                for kind, fields in FIELDS_OF.items()
            },
            id_is_valid=id_is_valid,
            profile=profile(jurisdiction),
            clock=clock(jurisdiction),
        ),
        retention=RetentionService(
            retention_repository=store.retention_repository, profile=profile(jurisdiction)
        ),
        batch=BatchService(
            credit_file_reader=store.credit_file_reader,
            audit_log=store.audit_log,
            profile=profile(jurisdiction),
            write_tables=write_tables,
            write_scores=write_scores,
            scorecard=load_scorecard,
        ),
        objections=ObjectionService(
            objection_repository=store.objection_repository,
            disputed_records=store.disputed_records,
            person_directory=store.person_directory,
            furnisher_registry=store.furnisher_registry,
            profile=profile(jurisdiction),
            calendar=business_calendar(profile(jurisdiction)),
            id_is_valid=id_is_valid,
        ),
    )


@dataclass(frozen=True, slots=True)
class Service:
    """What the HTTP API is made of (`interfaces/api/app.py: create_app`): the bureau's services
    and the API clients on one store, and the readiness check of that store."""

    bureau: Bureau
    clients: ClientService
    readiness: Callable[[], str | None]  # None when ready, else why not
    clock: Clock
    furnish_jobs: FurnishJobService  # files received over the API, applied by its worker
    portal: PortalUserService  # the web portal's users and sessions (issue 18)
    evidence: EvidenceUploads  # objections filed in the portal with uploaded files


def build_service(
    db: str | None,
    jurisdiction: str = JURISDICTION,
    *,
    token_ttl: timedelta = DEFAULT_TOKEN_TTL,
    create: bool = False,
) -> Service:
    """The services the API serves, on one opened store (`build_client_service` for the
    command line's `client` commands is the same `ClientService`)."""
    store = _open_store(db, create=create, serve=True)
    bureau = _bureau_on(store, jurisdiction)
    return Service(
        bureau=bureau,
        clients=_clients_on(store, token_ttl),
        readiness=lambda: _readiness(store),
        clock=clock(jurisdiction),
        furnish_jobs=FurnishJobService(
            store.job_repository, bureau.furnish, clock(jurisdiction), now=wall_clock
        ),
        portal=_portal_on(store),
        evidence=_evidence_on(db, bureau.objections),
    )


def _evidence_on(db: str | None, objections: ObjectionService) -> EvidenceUploads:
    from creditmend.adapters.evidence_files import EvidenceDirectory, evidence_dir  # noqa: PLC0415
    from creditmend.settings import db_url  # noqa: PLC0415

    return EvidenceUploads(EvidenceDirectory(evidence_dir(db_url(db))), objections)


def wall_clock() -> datetime:
    """The real time, UTC, for what must run on it even when the business clock is frozen
    (`CREDITMEND_NOW`): the furnishing jobs' leases, which a stopped clock would never end."""
    return ZonedClock(ZoneInfo("UTC")).now()


def act_for(furnisher_code: str | None) -> None:
    """What follows in this task or thread (and the threads it hands work to with its context)
    acts for this lender under PostgreSQL's row-level security; None: for the bureau. The API
    calls it once the caller is known (`interfaces/api/security.py`)."""
    from creditmend.adapters.db.tenancy import current_tenant  # noqa: PLC0415

    current_tenant.set(furnisher_code)


def build_client_service(
    db: str | None, *, token_ttl: timedelta = DEFAULT_TOKEN_TTL, create: bool = False
) -> ClientService:
    return _clients_on(_open_store(db, create=create), token_ttl)


def _clients_on(store: Store, token_ttl: timedelta) -> ClientService:
    from creditmend.adapters.secret_hash import Argon2Hasher  # noqa: PLC0415

    return ClientService(
        store.client_repository, Argon2Hasher(), store.furnisher_registry, token_ttl
    )


def build_portal_users(db: str | None) -> PortalUserService:
    """The portal's users on the store at `db` (the command line's `user` commands)."""
    return _portal_on(_open_store(db))


def _portal_on(store: Store) -> PortalUserService:
    from creditmend.adapters.common_passwords import is_common  # noqa: PLC0415
    from creditmend.adapters.identity_numbers import id_is_valid  # noqa: PLC0415
    from creditmend.adapters.secret_hash import Argon2Hasher  # noqa: PLC0415
    from creditmend.adapters.totp import PyOtp  # noqa: PLC0415

    return PortalUserService(
        store.portal_repository, Argon2Hasher(), PyOtp(), is_common, id_is_valid
    )


def _readiness(store: Store) -> str | None:
    """None when the store answers and its schema is at the newest migration; else why not
    (one line, no secret: the URL is shown without its password)."""
    from sqlalchemy.exc import SQLAlchemyError  # noqa: PLC0415

    from creditmend.adapters.db.migrate import schema_behind  # noqa: PLC0415

    try:
        with store.unit_of_work.engine.connect() as conn:
            return schema_behind(conn)
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()
        return f"store not reachable: {reason[0] if reason else type(error).__name__}"


def letter_pdf(text: str) -> bytes:
    """A reply letter typeset by the same PDF engine as the report."""
    from creditmend.adapters.render.letter import letter_pdf as render  # noqa: PLC0415

    return render(text)


# ---------------------------------------------------------------- scorecard training
TRAINING_EXTRA = ("optbinning", "sklearn", "lightgbm")
PACKAGE_OF = {"sklearn": "scikit-learn", "interpret": "interpret-core"}


def _training_extra_missing(more: tuple[str, ...] = ()) -> list[str]:
    missing = []
    for module in (*TRAINING_EXTRA, *more):
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(PACKAGE_OF.get(module, module))
    return missing


def train_scorecard(
    data: Path,
    target: str,
    bad: str,
    *,
    trained_on: date,
    features: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    protected: Sequence[str] = (),
    categorical: Sequence[str] = (),
    test_size: float = 0.3,
    seed: int = 42,
    scaling: Scaling | None = None,
    bands: Sequence[Band] | None = None,
    approve_band: str = "C",
    trend: str = "auto_heuristic",
    feature_trends: Mapping[str, str] | None = None,
    max_n_prebins: int = 50,
    min_prebin_size: float = 0.02,
    min_bin_size: float | None = None,
    baselines: bool = True,
    model: str = "scorecard",
    ebm: Mapping[str, int | float] | None = None,
) -> Scorecard:
    """Train a scorecard on a CSV file (the `train` extra: optbinning, scikit-learn, LightGBM;
    interpret for `model="ebm"`, whose `ebm` settings are `EbmSettings` fields); the evaluation,
    fairness check and problems are in the card's metadata."""
    missing = _training_extra_missing(("interpret",) if model == "ebm" else ())
    if missing:
        raise ProblemsError(
            (
                Problem(
                    "creditmend[train]",
                    f"scorecard training needs {', '.join(missing)}: "
                    "pip install 'creditmend[train]'",
                ),
            )
        )
    from creditmend.adapters.scorecard_training import (  # noqa: PLC0415
        DEFAULT_BANDS,
        TrainingOptions,
        train,
    )
    from creditmend.adapters.training.settings import (  # noqa: PLC0415
        BinningSettings,
        EbmSettings,
    )

    options = TrainingOptions(
        data=data,
        target=target,
        bad=bad,
        trained_on=trained_on,
        features=tuple(features) if features else None,
        exclude=tuple(exclude),
        protected=tuple(protected),
        categorical=tuple(categorical),
        test_size=test_size,
        seed=seed,
        scaling=scaling or Scaling(),
        bands=tuple(bands) if bands else DEFAULT_BANDS,
        approve_band=approve_band,
        binning=BinningSettings(
            monotonic_trend=trend,
            trends=dict(feature_trends or {}),
            max_n_prebins=max_n_prebins,
            min_prebin_size=min_prebin_size,
            min_bin_size=min_bin_size,
        ),
        baselines=baselines,
        model=model,
        ebm=EbmSettings(**ebm) if ebm else EbmSettings(),  # type: ignore[arg-type]
    )
    return train(options).card


def training_report_html(card: Scorecard) -> str:
    """The training report of a card made by `train_scorecard`: one self-contained HTML page."""
    from creditmend.adapters.training.report import render_report  # noqa: PLC0415

    return render_report(card)
