"""The letter a borrower sends a platform, in Chinese and English, made from the proposal alone.

A collections desk answers a letter that names the loan, states what is owed to the fen, asks
for something specific, shows that the borrower can keep to it, and gives a reason to agree.
So the letter says only what the proposal holds, which is what the plan does:

- **Why**, from the loan's facts (`Ground`): the platform's failed debit with the balance that
  would have paid it; the cost above the legal cap; the budget that cannot keep the loan current
  (the only place hardship is pleaded, with the budget's own figures); no cure in the horizon.
- **What is owed** on the plan's date, from the ledger as the plan pays it.
- **The ask** (`ProposalKind`) and **the schedule**: every payment the plan makes to the loan,
  dated, to the fen, and when it is settled or current again. Nothing else is promised.
- **What the budget carries**: the first month with a payment and the tightest one.
- **The cap's computation** when the excess is disputed: proceeds and payments carried at the
  cap to the plan's date, what a loan at the cap would owe, what the contract asks, the
  difference, and the legal source.
- **The failed debit** and the objection filed with the bureau.

Plain text in the house style of the bureau's reply letter (a Chinese line, then the English
one); the PDF is the same text typeset by the render adapter. One letter per platform: the
terminal counts the platforms, so its count and the letters agree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from creditmend.domain.i18n import N_
from creditmend.domain.money import Money
from creditmend.domain.recovery.proposals import Ground, Proposal, ProposalKind

Say = Callable[[str], str]  # the English catalogue's gettext (its words are the message ids)
ANSWER_DAYS = 15  # asked for, not a legal period: the borrower's own deadline for a reply
_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True, slots=True)
class Letter:
    platform: str
    loan_ids: tuple[str, ...]
    text: str


def _amount(value: Money | Decimal) -> str:
    amount = value.amount if isinstance(value, Money) else value
    return f"{amount:,.2f}"


def _why(proposal: Proposal, currency: str, en: Say) -> list[str]:
    """The reason, one Chinese and one English line per fact that holds."""
    lines: list[str] = []
    for ground in proposal.grounds:
        if ground is Ground.FAILED_DEBIT:
            for candidate in proposal.objections:
                for attempt in candidate.failed:
                    held = attempt.bank_balance
                    zh_held = (
                        "" if held is None else f"，当日我的银行卡余额 {_amount(held)} {currency}"
                    )
                    en_held = (
                        ""
                        if held is None
                        else en(N_(" while my card held %(held)s %(currency)s"))
                        % {"held": _amount(held), "currency": currency}
                    )
                    lines += [
                        f"贵方于 {attempt.on} 代扣失败（{attempt.reason}）{zh_held}，"
                        f"足以支付应还的 {_amount(candidate.amount_due)} {currency}；"
                        "由此产生的逾期并非我的过错。",
                        en(
                            N_(
                                "Your debit on %(on)s failed (%(reason)s)%(held)s, enough for "
                                "the %(due)s %(currency)s due: the overdue that followed is "
                                "not my fault."
                            )
                        )
                        % {
                            "on": attempt.on,
                            "reason": attempt.reason,
                            "held": en_held,
                            "due": _amount(candidate.amount_due),
                            "currency": currency,
                        },
                    ]
        elif ground is Ground.ABOVE_CAP and proposal.above_cap is not None:
            cap = proposal.above_cap
            rate = cap.annualised_cost
            zh_rate = "" if rate is None else f"（截至 {cap.on} 年化 {rate:.2%}）"
            en_rate = (
                ""
                if rate is None
                else en(N_(" (%(rate)s a year to %(on)s)")) % {"rate": f"{rate:.2%}", "on": cap.on}
            )
            lines += [
                f"本借款的综合资金成本{zh_rate}超过法定上限（年化 {cap.cap:.0%}），超出部分 "
                f"{_amount(cap.excess)} {currency} 依法不应由我承担。",
                en(
                    N_(
                        "This loan's all-in cost%(rate)s is above the legal cap of %(cap)s a "
                        "year; the %(excess)s %(currency)s above it is not mine to pay."
                    )
                )
                % {
                    "rate": en_rate,
                    "cap": f"{cap.cap:.0%}",
                    "excess": _amount(cap.excess),
                    "currency": currency,
                },
            ]
        elif ground is Ground.SHORTFALL:
            first = proposal.budget[0] if proposal.budget else None
            zh_figures = en_figures = ""
            if first is not None:
                zh_figures = (
                    f"我每月收入 {_amount(first.income)}，必要支出 {_amount(first.expenses)}，"
                )
                en_figures = en(
                    N_("My income is %(income)s a month and my essential expenses %(expenses)s; ")
                ) % {"income": _amount(first.income), "expenses": _amount(first.expenses)}
            lines += [
                f"{zh_figures}按计划偿还其他借款后，我的预算无法一次补足本笔欠款，只能按下列日期分次偿还。",
                en_figures
                + en(
                    N_(
                        "with my other loans repaid as planned, my budget cannot clear this "
                        "loan's arrears at once, only on the dates below."
                    )
                ),
            ]
        elif ground is Ground.NOT_CURED:
            lines += [
                f"在 {proposal.horizon_end} 之前，我的预算不足以还清本笔欠款。",
                en(N_("Until %(on)s my budget cannot clear this loan."))
                % {"on": proposal.horizon_end},
            ]
    return lines


def _owed(proposal: Proposal, currency: str, en: Say) -> list[str]:
    owed = proposal.owed
    rows = [
        ("逾期本金", N_("Overdue principal"), owed.overdue_principal),
        ("逾期利息", N_("Overdue interest"), owed.overdue_interest),
        ("罚息及复利", N_("Penalty and compound interest"), owed.penalty),
        ("费用", N_("Fees"), owed.fees),
        ("逾期合计", N_("Overdue in all"), owed.overdue),
        ("未偿本金", N_("Principal outstanding"), owed.outstanding_principal),
        ("今日结清金额", N_("To settle in full today"), owed.payoff),
    ]
    if owed.credit.amount > 0:
        rows.append(("已预付（贵方留存）", N_("Paid ahead, held by you"), owed.credit))
    priced = "（按法定上限计）" if proposal.above_cap is not None else ""
    en_priced = en(N_(", priced at the legal cap")) if proposal.above_cap is not None else ""
    return [
        f"欠款情况{priced}（截至 {owed.on}，逾期 {owed.days_past_due} 天）",
        en(N_("What I owe on %(on)s%(priced)s (%(days)s days past due)"))
        % {"on": owed.on, "priced": en_priced, "days": owed.days_past_due},
        *(f"  {zh} / {en(label)}: {_amount(value)} {currency}" for zh, label, value in rows),
    ]


def _ask(proposal: Proposal, currency: str, en: Say) -> list[str]:
    kind = proposal.kind
    waiver = _amount(proposal.penalty_waiver)
    if kind is ProposalKind.CORRECTION_AND_WAIVER:
        months = "、".join(c.month for c in proposal.objections)
        en_months = ", ".join(c.month for c in proposal.objections)
        lines = [
            f"  请更正 {months} 的逾期记录（我已就此向征信机构提出异议），并减免罚息及复利 "
            f"{waiver} {currency}。",
            en(
                N_(
                    "  Please correct the overdue record of %(months)s (I have objected to it "
                    "with the bureau) and waive the penalty and compound interest, %(waiver)s "
                    "%(currency)s."
                )
            )
            % {"months": en_months, "waiver": waiver, "currency": currency},
        ]
    elif kind is ProposalKind.CAP_DISPUTE:
        assert proposal.above_cap is not None
        excess = _amount(proposal.above_cap.excess)
        lines = [
            f"  我对超出法定上限的 {excess} {currency} 提出异议，请予减免；其余款项按上限计算，"
            "我将按下列日期和金额偿还。",
            en(
                N_(
                    "  I dispute the %(excess)s %(currency)s above the legal cap and ask you to "
                    "waive it; the rest, priced at the cap, I will pay on the dates and in the "
                    "amounts below."
                )
            )
            % {"excess": excess, "currency": currency},
        ]
    elif kind is ProposalKind.CONVERSION:
        count = proposal.instalments
        overdue = _amount(proposal.owed.overdue)
        lines = [
            f"  请将逾期欠款 {overdue} {currency} 及本期账单转为 {count} 期分期（账单分期），"
            f"免收分期手续费及逾期利息、罚息 {waiver} {currency}，我将按下列日期和金额偿还。",
            en(
                N_(
                    "  Please convert the overdue %(overdue)s %(currency)s and the open statement "
                    "into %(count)s instalments (账单分期), waiving the instalment fee, the "
                    "interest on the overdue and the penalty (%(waiver)s %(currency)s); I will "
                    "pay on the dates and in the amounts below."
                )
            )
            % {"overdue": overdue, "currency": currency, "count": count, "waiver": waiver},
        ]
    elif kind is ProposalKind.REINSTALMENT:
        lines = [
            f"  请同意我按下列日期和金额偿还（个性化分期），并减免罚息及复利 {waiver} {currency}。",
            en(
                N_(
                    "  Please accept a re-instalment: the payments below, on their dates, and "
                    "waive the penalty and compound interest, %(waiver)s %(currency)s."
                )
            )
            % {"waiver": waiver, "currency": currency},
        ]
    elif proposal.schedule:
        start = proposal.starts_on
        lines = [
            f"  困难分期：我的预算自 {start} 起能够承担下列还款，请同意按此偿还，并停止计收罚息。",
            en(
                N_(
                    "  A hardship instalment: from %(start)s my budget carries the payments "
                    "below. Please accept them and stop the penalty."
                )
            )
            % {"start": start},
        ]
    else:
        end = proposal.horizon_end
        return [
            f"  困难分期：在 {end} 之前，按计划偿还其他借款后我无力向贵方还款。请停止计收罚息，"
            "届时我再与贵方协商。",
            en(
                N_(
                    "  A hardship instalment: until %(end)s, with my other loans repaid as "
                    "planned, I cannot pay you anything. Please stop the penalty; I will agree a "
                    "plan with you then."
                )
            )
            % {"end": end},
        ]
    return [*lines, *_schedule(proposal, currency, en)]


def _schedule(proposal: Proposal, currency: str, en: Say) -> list[str]:
    lines = ["  还款计划 / " + en(N_("Payments")) + ":"]
    lines += [f"    {on}  {_amount(amount)} {currency}" for on, amount in proposal.schedule]
    lines.append("    合计 / " + en(N_("In all")) + f": {_amount(proposal.total)} {currency}")
    if proposal.settled_on is not None:
        settled = en(N_("Settled on %(on)s.")) % {"on": proposal.settled_on}
        lines.append(f"  {proposal.settled_on} 结清 / {settled}")
    elif proposal.current_from is not None:
        current = en(N_("Current from %(on)s on.")) % {"on": proposal.current_from}
        lines.append(f"  自 {proposal.current_from} 起按期还款 / {current}")
    if proposal.below_good_faith:
        months = ", ".join(proposal.below_good_faith)
        least = _amount(proposal.good_faith_minimum)
        lines += [
            f"  其中 {months} 的还款低于 {least} {currency}：这是我的预算在该月所能承担的全部。",
            en(
                N_(
                    "  In %(months)s the payment is below %(least)s %(currency)s: it is all my "
                    "budget carries that month."
                )
            )
            % {"months": months, "least": least, "currency": currency},
        ]
    return lines


def _budget(proposal: Proposal, currency: str, en: Say) -> list[str]:
    if not proposal.budget:
        return []
    first = proposal.budget[0]
    tight = proposal.tightest or first
    return [
        "我的还款能力",
        en(N_("What my budget carries")),
        f"  {first.month}：月收入 {_amount(first.income)}，必要支出 {_amount(first.expenses)}，"
        f"可用于还款 {_amount(first.available)}，其他借款计划还款 {_amount(first.others)}，"
        f"本笔还款 {_amount(first.payment)} 后余 {_amount(first.cash_left)} {currency}。",
        en(
            N_(
                "  %(month)s: income %(income)s, essential expenses %(expenses)s, %(available)s "
                "for debts, %(others)s to my other loans as planned; after this payment of "
                "%(payment)s, %(left)s %(currency)s is left."
            )
        )
        % {
            "month": first.month,
            "income": _amount(first.income),
            "expenses": _amount(first.expenses),
            "available": _amount(first.available),
            "others": _amount(first.others),
            "payment": _amount(first.payment),
            "left": _amount(first.cash_left),
            "currency": currency,
        },
        f"  最紧张的 {tight.month} 月，支付本笔 {_amount(tight.payment)} 后余 "
        f"{_amount(tight.cash_left)} {currency}。",
        en(
            N_(
                "  In the tightest month, %(month)s, %(left)s %(currency)s is left after this "
                "payment of %(payment)s."
            )
        )
        % {
            "month": tight.month,
            "left": _amount(tight.cash_left),
            "currency": currency,
            "payment": _amount(tight.payment),
        },
    ]


def _cap(proposal: Proposal, currency: str, en: Say) -> list[str]:
    cap = proposal.above_cap
    if cap is None:
        return []
    rate = f"{cap.cap:.0%}"
    return [
        "超过法定上限的计算",
        en(N_("The amount above the legal cap")),
        f"  按年化 {rate}（每日 {rate}/365）计至 {cap.on}：实收本金 {_amount(cap.proceeds)} "
        f"计为 {_amount(cap.proceeds_at_cap)}，已还 {_amount(cap.paid)} 计为 "
        f"{_amount(cap.paid_at_cap)}，"
        f"按上限尚欠 {_amount(cap.owed_at_cap)}；合同要求结清 {_amount(cap.contract_owes)}，"
        f"超出 {_amount(cap.excess)} {currency}。",
        en(
            N_(
                "  Carried to %(on)s at %(rate)s a year (%(rate)s/365 a day): the %(received)s I "
                "received is %(received_at_cap)s, the %(paid)s I paid is %(paid_at_cap)s, so a "
                "loan at the cap would owe %(owed_at_cap)s; the contract asks %(asks)s, "
                "%(excess)s %(currency)s more."
            )
        )
        % {
            "on": cap.on,
            "rate": rate,
            "received": _amount(cap.proceeds),
            "received_at_cap": _amount(cap.proceeds_at_cap),
            "paid": _amount(cap.paid),
            "paid_at_cap": _amount(cap.paid_at_cap),
            "owed_at_cap": _amount(cap.owed_at_cap),
            "asks": _amount(cap.contract_owes),
            "excess": _amount(cap.excess),
            "currency": currency,
        },
        f"  上列还款按上限以单利计算（利息和罚息均不超过上限，不含费用）：截至 {cap.on} 应结清 "
        f"{_amount(proposal.owed.payoff)} {currency}。",
        en(
            N_(
                "  The payments above pay the loan priced at the cap with simple interest "
                "(interest and penalty at no more than the cap, no fees): %(payoff)s "
                "%(currency)s settles it on %(on)s."
            )
        )
        % {"payoff": _amount(proposal.owed.payoff), "currency": currency, "on": cap.on},
        "  依据 / " + en(N_("Source")) + f": {cap.cap_source}",
    ]


def _debit(proposal: Proposal, en: Say) -> list[str]:
    if not proposal.objections:
        return []
    lines = ["代扣失败与异议", en(N_("The failed debit and my objection"))]
    for candidate in proposal.objections:
        lines += [
            f"  我已就 {candidate.month} 的逾期记录（{candidate.record}）向征信机构提出异议，"
            "请予核实更正。",
            en(
                N_(
                    "  I have objected to the overdue record of %(month)s (%(record)s) with the "
                    "bureau and ask you to correct it."
                )
            )
            % {"month": candidate.month, "record": candidate.record},
        ]
    return lines


def proposal_letter(
    proposal: Proposal,
    *,
    borrower: str,
    on: date,
    answer_days: int = ANSWER_DAYS,
    en: Say = N_,
) -> str:
    """The letter for one loan's proposal, dated `on` and signed by `borrower`: each Chinese
    line, then its English one, in the English catalogue's words (`en`; by default the
    message ids, which are the English catalogue's words)."""
    currency = proposal.principal.currency
    lines = [
        "还款协商申请 / " + en(N_("Request to renegotiate repayment")),
        "",
        "致 / " + en(N_("To")) + f": {proposal.platform}",
        "借款人 / " + en(N_("Borrower")) + f": {borrower}",
        "日期 / " + en(N_("Date")) + f": {on.isoformat()}",
        "借款 / "
        + en(N_("Loan"))
        + f": {proposal.loan_id}，{proposal.disbursed_on} 放款 / "
        + en(N_("disbursed on %(on)s")) % {"on": proposal.disbursed_on}
        + "，本金 / "
        + en(N_("principal"))
        + f" {_amount(proposal.principal)} {currency}",
        "",
        *_why(proposal, currency, en),
    ]
    sections = [
        _owed(proposal, currency, en),
        ["我的申请", en(N_("What I propose")), *_ask(proposal, currency, en)],
        _budget(proposal, currency, en),
        _cap(proposal, currency, en),
        _debit(proposal, en),
    ]
    number = 0
    for section in sections:
        if not section:
            continue
        number += 1
        zh, english, *rest = section
        lines += ["", f"{_NUMERALS[number - 1]}、{zh}", f"{number}. {english}", *rest]
    lines += [
        "",
        f"请于收到本函后 {answer_days} 日内书面答复。协议达成后我将按上列日期和金额按时还款。",
        en(
            N_(
                "Please answer in writing within %(days)s days of receiving this letter. Once we "
                "agree I will pay every payment above on its date."
            )
        )
        % {"days": answer_days},
        "",
        "此致 / " + en(N_("Sincerely")) + f", {borrower}",
    ]
    return "\n".join(lines) + "\n"


def proposal_letters(
    proposals: Sequence[Proposal], *, borrower: str, on: date, en: Say = N_
) -> tuple[Letter, ...]:
    """One letter per platform; a platform with several loans gets their letters in one, in
    the plan's order."""
    by_platform: dict[str, list[Proposal]] = {}
    for proposal in proposals:
        by_platform.setdefault(proposal.platform, []).append(proposal)
    letters = []
    for platform, mine in by_platform.items():
        texts = [proposal_letter(p, borrower=borrower, on=on, en=en) for p in mine]
        letters.append(
            Letter(platform, tuple(p.loan_id for p in mine), ("\n" + "-" * 40 + "\n\n").join(texts))
        )
    return tuple(letters)


def letters_json(letters: Sequence[Letter]) -> list[dict[str, Any]]:
    """The letters as JSON, one per platform (the rendered page shows each beside its ask)."""
    return [
        {"platform": letter.platform, "loan_ids": list(letter.loan_ids), "text": letter.text}
        for letter in letters
    ]
