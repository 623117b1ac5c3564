"""The plan's JSON document: one form for `--format json` and for the HTML and PDF pages.

Amounts are decimal strings and dates ISO 8601 (null when not reached). The counsellor's words
(`summary`) are in it too, so every output says the same thing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from creditmend.domain.i18n import N_, Said
from creditmend.domain.recovery.above_cap import above_cap_json
from creditmend.domain.recovery.bridging import Replanned, bridge_json, bridge_words
from creditmend.domain.recovery.candidates import candidates_json
from creditmend.domain.recovery.conversion import conversion_words, conversions_json
from creditmend.domain.recovery.file_candidates import file_candidates_json
from creditmend.domain.recovery.forecast import forecast_json, new_loan_json
from creditmend.domain.recovery.forecast_why import why_json, why_words
from creditmend.domain.recovery.json_form import outcome_json
from creditmend.domain.recovery.objective import ObjectiveValue
from creditmend.domain.recovery.proposals import proposals_json
from creditmend.domain.recovery.timeline import timeline_json
from creditmend.services.advise import STRATEGY_NAMES, Advice


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


def day(value: date | None) -> str:
    return value.isoformat() if value is not None else "not in horizon"


def _value_json(value: ObjectiveValue) -> dict[str, Any]:
    return {
        "total": str(value.total.quantize(Decimal("0.01"))),
        "cost": str(value.cost.quantize(Decimal("0.01"))),
        "damage": str(value.damage.quantize(Decimal("0.01"))),
        "overdue_months": value.overdue_months,
        "serious_months": value.serious_months,
        "crossings_90_days": value.crossings,
        "patterns_3_6": value.patterns,
        "record_months": str(value.record_months.quantize(Decimal("0.1"))),
    }


def advice_json(advice: Advice, *, detail: bool = False) -> dict[str, Any]:
    """The issue's keys and more; `detail` adds each loan's months (the charts draw them)."""
    shortfall = advice.shortfall
    agreement = shortfall.agreement
    optimised = advice.optimised
    return {
        "as_of": advice.horizon.as_of.isoformat(),
        "horizon_months": len(advice.horizon.months),
        "currency": advice.plan_input.currency,
        "strategies": {
            name: outcome_json(advice.strategies[name], detail=detail) for name in STRATEGY_NAMES
        },
        "objective": {name: _value_json(advice.values[name]) for name in STRATEGY_NAMES},
        "weights": {k: str(v) for k, v in advice.objective.weights().items()},
        "winner": optimised.winner,
        # Statements the plan converts into instalments (账单分期), as the ledger made them.
        "conversions": conversions_json(advice.strategies["optimal"]),
        "solver": {
            "status": optimised.milp_status.value,
            "gap": None if optimised.milp_gap is None else str(optimised.milp_gap),
            # "work_limit" (deterministic) or "time_limit" (the safety net: load-dependent)
            "stopped_by": None
            if optimised.milp_stopped_by is None
            else optimised.milp_stopped_by.value,
            "size": dict(
                zip(("variables", "integers", "rows"), optimised.problem_size, strict=True)
            ),
        },
        "estimate": {
            "cost_estimated": str(optimised.estimate.cost.quantize(Decimal("0.01"))),
            "cost_exact": str(optimised.value.cost.quantize(Decimal("0.01"))),
            "difference": str(optimised.cost_error.quantize(Decimal("0.01"))),
        },
        "feasible": shortfall.feasible,
        "overdue_at_end": list(shortfall.overdue_at_end),
        "shortfall": [
            {
                "month": m.month,
                "needed": str(m.needed),
                "available": str(m.available),
                "short": str(m.short),
            }
            for m in shortfall.months
            if m.short > 0 and not shortfall.feasible
        ],
        "agreement": {
            "debt": str(agreement.debt),
            "monthly_amount": str(agreement.monthly_amount),
            "months": agreement.months,
            "instalment": None if agreement.instalment is None else str(agreement.instalment),
            "extension_months": agreement.extension_months,
        },
        "above_cap": above_cap_json(advice.above_cap),
        "above_cap_totals": None
        if advice.cap_totals is None
        else {
            "dispute": advice.cap_totals.dispute.to_json(),
            "pay": advice.cap_totals.pay.to_json(),
        },
        "proposals": _proposals(advice),
        "objection_candidates": candidates_json(advice.candidates),
        "file_candidates": file_candidates_json(advice.file_candidates),
        "expiry_timeline": timeline_json(advice.timeline),
        "score_forecast": None
        if advice.forecast is None
        else {**forecast_json(advice.forecast), **why_json(advice.forecast)},
        "new_loan": None if advice.new_loan is None else new_loan_json(advice.new_loan),
        "bridging": [bridge_json(bridge) for bridge in advice.bridging],
        "notes": list(advice.notes),
        "good_faith": {
            "enabled": advice.good_faith.enabled,
            "cost_of_it": None
            if advice.good_faith.cost_of_it is None
            else money_string(advice.good_faith.cost_of_it),
        },
        "summary": summary(advice),
    }


def money_string(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def _good_faith_line(advice: Advice) -> list[str]:
    """What good faith costs against the plan without it (both simulated exactly)."""
    effect = advice.good_faith
    if effect.cost_of_it is None or effect.without is None:
        return []
    cost = effect.cost_of_it
    without = effect.without
    if cost > 0:
        what = Said(N_("costs %(amount)s more than"), amount=money(cost))
    elif cost < 0:
        what = Said(N_("costs %(amount)s less than"), amount=money(-cost))
    else:
        what = Said(N_("costs the same as"))
    return [
        Said(
            N_(
                "Good faith (every overdue loan gets at least a small payment in every month "
                "that pays, so each platform sees you paying) %(what)s the plan without it, "
                "which would have %(overdue)s loan-months overdue (%(serious)s beyond 90 days)."
            ),
            what=what,
            overdue=without.overdue_months,
            serious=without.serious_months,
        )
    ]


def _proposals(advice: Advice) -> list[dict[str, Any]]:
    """Each platform's proposal with the letter to send it."""
    letters = {letter.platform: letter.text for letter in advice.letters}
    return [
        {**entry, "letter": letters.get(entry["platform"])}
        for entry in proposals_json(advice.proposals)
    ]


def summary(advice: Advice) -> list[str]:
    """The counsellor's words: English sentences (the JSON's `summary`) that each renderer says
    in its language (`Said`, `domain/i18n.py`)."""
    optimal = advice.strategies["optimal"]
    value = advice.values["optimal"]
    best_classic = min(("minimum", "avalanche", "snowball"), key=lambda n: advice.values[n].total)
    other = advice.values[best_classic]
    lines: list[str] = []
    lines.append(
        Said(
            N_(
                "The plan costs %(cost)s %(currency)s in interest, penalty and fees, with "
                "%(overdue)s loan-months reported overdue (%(serious)s beyond 90 days); the best "
                "classic strategy (%(classic)s) costs %(classic_cost)s with %(classic_overdue)s "
                "(%(classic_serious)s)."
            ),
            cost=money(value.cost),
            currency=advice.plan_input.currency,
            overdue=value.overdue_months,
            serious=value.serious_months,
            classic=Said(best_classic),  # a strategy's name, in the catalogues
            classic_cost=money(other.cost),
            classic_overdue=other.overdue_months,
            classic_serious=other.serious_months,
        )
    )
    # Why this order: the loans by penalty rate and how soon the plan cures each one.
    for loan, facts in zip(optimal.loans, advice.optimised.figures, strict=True):
        if not facts.active:
            continue
        overdue = [m.month for m in loan.months if m.overdue]
        if overdue:
            cure = Said(
                N_("kept overdue until %(month)s (%(n)s month ends)"),
                month=overdue[-1],
                n=len(overdue),
            )
        else:
            cure = Said(N_("kept current every month"))
        closed = Said(N_(", settled %(on)s"), on=loan.closed_on) if loan.closed_on else ""
        lines.append(
            Said(
                N_("- %(loan)s: %(cure)s%(settled)s."),
                loan=loan.platform or loan.loan_id,
                cure=cure,
                settled=closed,
            )
        )
    lines.append(
        Said(
            N_(
                "Why this order: each month's money goes first where a month reported overdue "
                "is avoided for the least money (a loan brought current stops its penalty and "
                "its record clock), then where penalty interest is highest; a record is kept "
                "five years from its cure, so curing sooner moves the clean date too."
            )
        )
    )
    if advice.winner != "milp":
        lines.append(
            Said(
                N_(
                    "The optimiser's own plan was not the best here: '%(winner)s' scored lower "
                    "on the same objective, simulated exactly, so it is the plan shown."
                ),
                winner=advice.winner,
            )
        )
    lines += conversion_words(optimal, advice.optimised.conversion_saving)
    if not advice.feasible:
        lines += _shortfall_lines(advice)
    if advice.forecast is not None:
        lines.extend(why_words(advice.forecast))
    if advice.bridging:
        baseline = Replanned(optimal, value)
        lines.append(Said(N_("Money from outside that would help (each re-planned exactly):")))
        lines.extend(bridge_words(b, baseline) for b in advice.bridging)
    lines += _good_faith_line(advice)
    lines += _above_cap_lines(advice)
    return lines


def _shortfall_lines(advice: Advice) -> list[str]:
    """No plan cures: by how much the budget falls short, and the agreement to ask for."""
    s = advice.shortfall
    a = s.agreement
    lines: list[str] = [
        Said(
            N_(
                "No plan cures every overdue within %(months)s months: %(loans)s still overdue "
                "at the end. Keeping every loan on schedule needs %(short)s more than the budget "
                "holds by %(month)s."
            ),
            months=len(advice.horizon.months),
            loans=", ".join(s.overdue_at_end),
            short=money(s.largest),
            month=next((m.month for m in s.months if m.short == s.largest), ""),
        )
    ]
    if a.months is not None and a.instalment is not None:
        lines.append(
            Said(
                N_(
                    "Ask for an instalment agreement: the %(debt)s owed over %(months)s months "
                    "at %(instalment)s a month (the budget frees %(frees)s), penalty waived; as "
                    "an extension, %(extension)s months beyond the longest remaining term."
                ),
                debt=money(a.debt),
                months=a.months,
                instalment=money(a.instalment),
                frees=money(a.monthly_amount),
                extension=a.extension_months,
            )
        )
    else:
        lines.append(
            Said(
                N_(
                    "No instalment term up to 10 years fits the %(frees)s a month the budget "
                    "frees: income must rise or part of the debt be forgiven."
                ),
                frees=money(a.monthly_amount),
            )
        )
    return lines


def _above_cap_lines(advice: Advice) -> list[str]:
    """The loans above the cap, what the plan does with them, and both plans' totals."""
    lines: list[str] = []
    for n in advice.above_cap:
        does = (
            Said(N_("disputed: the plan pays the loan at the cap"))
            if n.disputed
            else Said(N_("paid as the contract says (preferences.above_cap: pay)"))
        )
        lines.append(
            Said(
                N_(
                    "%(loan)s: %(excess)s paid and owed above the legal cap (%(cap)s, "
                    "%(source)s) is %(does)s."
                ),
                loan=n.platform or n.loan_id,
                excess=money(n.excess.amount),
                cap=f"{n.cap:.0%}",
                source=n.cap_source,
                does=does,
            )
        )
    totals = advice.cap_totals
    if totals is not None:
        dispute, pay = totals.dispute, totals.pay
        lines.append(
            Said(
                N_(
                    "Paying at the cap and disputing the excess, the plan pays %(dispute)s in "
                    "all (%(dispute_charges)s of charges); paying every contract as written, "
                    "%(pay)s (%(pay_charges)s)."
                ),
                dispute=money(dispute.total_paid.amount),
                dispute_charges=money(dispute.charges.amount),
                pay=money(pay.total_paid.amount),
                pay_charges=money(pay.charges.amount),
            )
        )
    return lines
