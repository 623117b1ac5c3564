"""Bad input ends with one line per problem on stderr and exit status 2, never a traceback.

The services and the domain name what is wrong by its domain field (`objection.reason`,
`business_date`); this command line says it by the option the user typed (`--reason`,
`--as-of`). `OPTION_OF` is the one table between the two; a field it does not hold (a field of
a file, `ID_NUMBER`, an option the command line itself refused) is said as it is.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace

import typer
from rich.console import Console

from creditmend.domain.i18n import told
from creditmend.domain.problems import FieldError, Problem, ProblemsError
from creditmend.domain.text import escaped
from creditmend.interfaces.cli import language

INPUT_ERROR = 2
_stderr = Console(stderr=True, highlight=False, soft_wrap=True)

OPTION_OF: Mapping[str, str] = {
    # every command that takes a day
    "business_date": "--as-of",
    "db": "--db",  # the store's URL (--db, or CREDITMEND_DB)
    "store": "--db",
    # object file | answer | statement | list
    "objection.record": "--record",
    "objection.reason": "--reason",
    "objection.evidence": "--evidence",
    "objection.answered_by": "--by",
    "objection.outcome": "--outcome",
    "objection.corrections": "--corrections",
    "objection.statement": "--text",
    "objection.routed_to": "--furnisher",
    "objection.reviewed_by": "--by",
    "objection.note": "--note",
    # inquire
    "inquiry.purpose": "--purpose",
    "inquiry.by": "--by",
    "inquiry.consent_ref": "--consent",
    "inquiry.monthly_income": "--monthly-income",
    # client add | revoke
    "scopes": "--scopes",
    "furnisher": "FURNISHER_CODE",
    "desk": "--desk",
    "client_id": "CLIENT_ID",
    # serve: the API's settings from the environment are said by their variable's name
    # records import, ingest
    "records.kind": "--kind",
    "furnishing.format": "--format",
    # batch, synth: the folder written
    "batch.out": "--out",
    "synth.out": "--out",
    # batch
    "batch.engine": "--engine",
    "batch.spark_master": "--spark-master",
    # score what-if
    "what_if.pay_off": "--pay-off",
    "what_if.new_loan": "--new-loan",
    "what_if.months_on_time": "--months-on-time",
    "what_if.inquiries": "--inquiries",
    "what_if.inquiry_kind": "--inquiry-kind",
    # score apply | features | train
    "scoring.data": "--data",
    "scoring.source": "--source",
    "scoring.applications": "--applications",
    "training.data": "--data",
    "training.target": "--target",
    "training.bad": "--bad",
    "training.features": "--features",
    "training.exclude": "--exclude",
    "training.protected": "--protected",
    "training.categorical": "--categorical",
    "training.test_size": "--test-size",
    "training.seed": "--seed",
    "training.bands": "--bands",
    "training.approve_band": "--approve-band",
    "training.min_score": "--min-score",
    "training.pdo": "--pdo",
    "training.trend": "--trend",
    "training.feature_trends": "--feature-trend",
    "training.max_n_prebins": "--max-prebins",
    "training.min_prebin_size": "--min-prebin-size",
    "training.min_bin_size": "--min-bin-size",
    "training.model": "--model",
    "training.interactions": "--interactions",
    "training.max_bins": "--max-bins",
    "training.outer_bags": "--outer-bags",
    # plan
    "plan.source": "PLAN",
    "plan.horizon_months": "--horizon-months",
    "plan.subject": "--person",
    "plan.cash_flow": "--monthly-income",
    "plan.monthly_income": "--monthly-income",
    "plan.monthly_essential_expenses": "--monthly-expenses",
    "plan.cash_on_hand": "--cash-on-hand",
    "plan.borrower": "--name",
    "new_loan.amount": "--new-loan AMOUNT",
    "new_loan.annual_rate": "--new-loan RATE",
    "new_loan.term_months": "--new-loan MONTHS",
    "new_loan.lender_kind": "--new-loan-lender",
}


def as_typed(problem: Problem) -> Problem:
    """The problem naming the option the user typed for its domain field."""
    option = OPTION_OF.get(problem.field)
    return problem if option is None else replace(problem, field=option)


def said(problem: Problem) -> str:
    """The problem's line in the chosen language: the option as typed, the message as the code
    said it (`Said`: in Chinese when Chinese is chosen; other messages stay English), the
    whole escaped (it may quote what was typed or read: a key, a value)."""
    typed = as_typed(problem)
    message = told(typed.message, language._, language.current())
    return language._("error: %(problem)s") % {
        "problem": escaped(str(replace(typed, message=message)))
    }


def fail(problems: tuple[Problem, ...] | list[Problem]) -> typer.Exit:
    for problem in problems:
        _stderr.print(said(problem), markup=False)
    return typer.Exit(INPUT_ERROR)


@contextmanager
def input_errors() -> Iterator[None]:
    try:
        yield
    except ProblemsError as error:
        raise fail(error.problems) from None
    except FieldError as error:  # a value refused on its own (money, an event, a what-if)
        raise fail([error.problem()]) from None
