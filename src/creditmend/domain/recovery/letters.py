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

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from creditmend.domain.money import Money
from creditmend.domain.recovery.proposals import Ground, Proposal, ProposalKind

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


def _why(proposal: Proposal, currency: str) -> list[str]:
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
                        "" if held is None else f" while my card held {_amount(held)} {currency}"
                    )
                    lines += [
                        f"贵方于 {attempt.on} 代扣失败（{attempt.reason}）{zh_held}，"
                        f"足以支付应还的 {_amount(candidate.amount_due)} {currency}；"
                        "由此产生的逾期并非我的过错。",
                        f"Your debit on {attempt.on} failed ({attempt.reason}){en_held}, enough "
                        f"for the {_amount(candidate.amount_due)} {currency} due: the overdue "
                        "that followed is not my fault.",
                    ]
        elif ground is Ground.ABOVE_CAP and proposal.above_cap is not None:
            cap = proposal.above_cap
            rate = cap.annualised_cost
            zh_rate = "" if rate is None else f"（截至 {cap.on} 年化 {rate:.2%}）"
            en_rate = "" if rate is None else f" ({rate:.2%} a year to {cap.on})"
            lines += [
                f"本借款的综合资金成本{zh_rate}超过法定上限（年化 {cap.cap:.0%}），超出部分 "
                f"{_amount(cap.excess)} {currency} 依法不应由我承担。",
                f"This loan's all-in cost{en_rate} is above the legal cap of {cap.cap:.0%} "
                f"a year; the {_amount(cap.excess)} {currency} above it is not mine to pay.",
            ]
        elif ground is Ground.SHORTFALL:
            first = proposal.budget[0] if proposal.budget else None
            zh_figures = en_figures = ""
            if first is not None:
                zh_figures = (
                    f"我每月收入 {_amount(first.income)}，必要支出 {_amount(first.expenses)}，"
                )
                en_figures = (
                    f"My income is {_amount(first.income)} a month and my essential expenses "
                    f"{_amount(first.expenses)}; "
                )
            lines += [
                f"{zh_figures}按计划偿还其他借款后，我的预算无法一次补足本笔欠款，只能按下列日期分次偿还。",
                f"{en_figures}with my other loans repaid as planned, my budget cannot clear this "
                "loan's arrears at once, only on the dates below.",
            ]
        elif ground is Ground.NOT_CURED:
            lines += [
                f"在 {proposal.horizon_end} 之前，我的预算不足以还清本笔欠款。",
                f"Until {proposal.horizon_end} my budget cannot clear this loan.",
            ]
    return lines


def _owed(proposal: Proposal, currency: str) -> list[str]:
    owed = proposal.owed
    rows = [
        ("逾期本金", "Overdue principal", owed.overdue_principal),
        ("逾期利息", "Overdue interest", owed.overdue_interest),
        ("罚息及复利", "Penalty and compound interest", owed.penalty),
        ("费用", "Fees", owed.fees),
        ("逾期合计", "Overdue in all", owed.overdue),
        ("未偿本金", "Principal outstanding", owed.outstanding_principal),
        ("今日结清金额", "To settle in full today", owed.payoff),
    ]
    if owed.credit.amount > 0:
        rows.append(("已预付（贵方留存）", "Paid ahead, held by you", owed.credit))
    priced = "（按法定上限计）" if proposal.above_cap is not None else ""
    en_priced = ", priced at the legal cap" if proposal.above_cap is not None else ""
    return [
        f"欠款情况{priced}（截至 {owed.on}，逾期 {owed.days_past_due} 天）",
        f"What I owe on {owed.on}{en_priced} ({owed.days_past_due} days past due)",
        *(f"  {zh} / {en}: {_amount(value)} {currency}" for zh, en, value in rows),
    ]


def _ask(proposal: Proposal, currency: str) -> list[str]:
    kind = proposal.kind
    waiver = _amount(proposal.penalty_waiver)
    if kind is ProposalKind.CORRECTION_AND_WAIVER:
        months = "、".join(c.month for c in proposal.objections)
        en_months = ", ".join(c.month for c in proposal.objections)
        lines = [
            f"  请更正 {months} 的逾期记录（我已就此向征信机构提出异议），并减免罚息及复利 "
            f"{waiver} {currency}。",
            f"  Please correct the overdue record of {en_months} (I have objected to it with "
            f"the bureau) and waive the penalty and compound interest, {waiver} {currency}.",
        ]
    elif kind is ProposalKind.CAP_DISPUTE:
        assert proposal.above_cap is not None
        excess = _amount(proposal.above_cap.excess)
        lines = [
            f"  我对超出法定上限的 {excess} {currency} 提出异议，请予减免；其余款项按上限计算，"
            "我将按下列日期和金额偿还。",
            f"  I dispute the {excess} {currency} above the legal cap and ask you to waive it; "
            "the rest, priced at the cap, I will pay on the dates and in the amounts below.",
        ]
    elif kind is ProposalKind.CONVERSION:
        count = proposal.instalments
        overdue = _amount(proposal.owed.overdue)
        lines = [
            f"  请将逾期欠款 {overdue} {currency} 及本期账单转为 {count} 期分期（账单分期），"
            f"免收分期手续费及逾期利息、罚息 {waiver} {currency}，我将按下列日期和金额偿还。",
            f"  Please convert the overdue {overdue} {currency} and the open statement into "
            f"{count} instalments (账单分期), waiving the instalment fee, the interest on the "
            f"overdue and the penalty ({waiver} {currency}); I will pay on the dates and in the "
            "amounts below.",
        ]
    elif kind is ProposalKind.REINSTALMENT:
        lines = [
            f"  请同意我按下列日期和金额偿还（个性化分期），并减免罚息及复利 {waiver} {currency}。",
            "  Please accept a re-instalment: the payments below, on their dates, and waive the "
            f"penalty and compound interest, {waiver} {currency}.",
        ]
    elif proposal.schedule:
        start = proposal.starts_on
        lines = [
            f"  困难分期：我的预算自 {start} 起能够承担下列还款，请同意按此偿还，并停止计收罚息。",
            f"  A hardship instalment: from {start} my budget carries the payments below. "
            "Please accept them and stop the penalty.",
        ]
    else:
        end = proposal.horizon_end
        return [
            f"  困难分期：在 {end} 之前，按计划偿还其他借款后我无力向贵方还款。请停止计收罚息，"
            "届时我再与贵方协商。",
            f"  A hardship instalment: until {end}, with my other loans repaid as planned, I "
            "cannot pay you anything. Please stop the penalty; I will agree a plan with you then.",
        ]
    return [*lines, *_schedule(proposal, currency)]


def _schedule(proposal: Proposal, currency: str) -> list[str]:
    lines = ["  还款计划 / Payments:"]
    lines += [f"    {on}  {_amount(amount)} {currency}" for on, amount in proposal.schedule]
    lines.append(f"    合计 / In all: {_amount(proposal.total)} {currency}")
    if proposal.settled_on is not None:
        lines.append(f"  {proposal.settled_on} 结清 / Settled on {proposal.settled_on}.")
    elif proposal.current_from is not None:
        lines.append(
            f"  自 {proposal.current_from} 起按期还款 / Current from {proposal.current_from} on."
        )
    if proposal.below_good_faith:
        months = ", ".join(proposal.below_good_faith)
        least = _amount(proposal.good_faith_minimum)
        lines += [
            f"  其中 {months} 的还款低于 {least} {currency}：这是我的预算在该月所能承担的全部。",
            f"  In {months} the payment is below {least} {currency}: it is all my budget "
            "carries that month.",
        ]
    return lines


def _budget(proposal: Proposal, currency: str) -> list[str]:
    if not proposal.budget:
        return []
    first = proposal.budget[0]
    tight = proposal.tightest or first
    return [
        "我的还款能力",
        "What my budget carries",
        f"  {first.month}：月收入 {_amount(first.income)}，必要支出 {_amount(first.expenses)}，"
        f"可用于还款 {_amount(first.available)}，其他借款计划还款 {_amount(first.others)}，"
        f"本笔还款 {_amount(first.payment)} 后余 {_amount(first.cash_left)} {currency}。",
        f"  {first.month}: income {_amount(first.income)}, essential expenses "
        f"{_amount(first.expenses)}, {_amount(first.available)} for debts, "
        f"{_amount(first.others)} to my other loans as planned; after this payment of "
        f"{_amount(first.payment)}, {_amount(first.cash_left)} {currency} is left.",
        f"  最紧张的 {tight.month} 月，支付本笔 {_amount(tight.payment)} 后余 "
        f"{_amount(tight.cash_left)} {currency}。",
        f"  In the tightest month, {tight.month}, {_amount(tight.cash_left)} {currency} is "
        f"left after this payment of {_amount(tight.payment)}.",
    ]


def _cap(proposal: Proposal, currency: str) -> list[str]:
    cap = proposal.above_cap
    if cap is None:
        return []
    rate = f"{cap.cap:.0%}"
    return [
        "超过法定上限的计算",
        "The amount above the legal cap",
        f"  按年化 {rate}（每日 {rate}/365）计至 {cap.on}：实收本金 {_amount(cap.proceeds)} "
        f"计为 {_amount(cap.proceeds_at_cap)}，已还 {_amount(cap.paid)} 计为 "
        f"{_amount(cap.paid_at_cap)}，"
        f"按上限尚欠 {_amount(cap.owed_at_cap)}；合同要求结清 {_amount(cap.contract_owes)}，"
        f"超出 {_amount(cap.excess)} {currency}。",
        f"  Carried to {cap.on} at {rate} a year ({rate}/365 a day): the "
        f"{_amount(cap.proceeds)} I received is {_amount(cap.proceeds_at_cap)}, the "
        f"{_amount(cap.paid)} I paid is {_amount(cap.paid_at_cap)}, so a loan at the cap "
        f"would owe {_amount(cap.owed_at_cap)}; the contract asks {_amount(cap.contract_owes)}, "
        f"{_amount(cap.excess)} {currency} more.",
        f"  上列还款按上限以单利计算（利息和罚息均不超过上限，不含费用）：截至 {cap.on} 应结清 "
        f"{_amount(proposal.owed.payoff)} {currency}。",
        f"  The payments above pay the loan priced at the cap with simple interest (interest "
        f"and penalty at no more than the cap, no fees): {_amount(proposal.owed.payoff)} "
        f"{currency} settles it on {cap.on}.",
        f"  依据 / Source: {cap.cap_source}",
    ]


def _debit(proposal: Proposal) -> list[str]:
    if not proposal.objections:
        return []
    lines = ["代扣失败与异议", "The failed debit and my objection"]
    for candidate in proposal.objections:
        lines += [
            f"  我已就 {candidate.month} 的逾期记录（{candidate.record}）向征信机构提出异议，"
            "请予核实更正。",
            f"  I have objected to the overdue record of {candidate.month} ({candidate.record}) "
            "with the bureau and ask you to correct it.",
        ]
    return lines


def proposal_letter(
    proposal: Proposal,
    *,
    borrower: str,
    on: date,
    answer_days: int = ANSWER_DAYS,
) -> str:
    """The letter for one loan's proposal, dated `on` and signed by `borrower`."""
    currency = proposal.principal.currency
    lines = [
        "还款协商申请 / Request to renegotiate repayment",
        "",
        f"致 / To: {proposal.platform}",
        f"借款人 / Borrower: {borrower}",
        f"日期 / Date: {on.isoformat()}",
        f"借款 / Loan: {proposal.loan_id}，{proposal.disbursed_on} 放款 / disbursed on "
        f"{proposal.disbursed_on}，本金 / principal {_amount(proposal.principal)} {currency}",
        "",
        *_why(proposal, currency),
    ]
    sections = [
        _owed(proposal, currency),
        ["我的申请", "What I propose", *_ask(proposal, currency)],
        _budget(proposal, currency),
        _cap(proposal, currency),
        _debit(proposal),
    ]
    number = 0
    for section in sections:
        if not section:
            continue
        number += 1
        zh, en, *rest = section
        lines += ["", f"{_NUMERALS[number - 1]}、{zh}", f"{number}. {en}", *rest]
    lines += [
        "",
        f"请于收到本函后 {answer_days} 日内书面答复。协议达成后我将按上列日期和金额按时还款。",
        f"Please answer in writing within {answer_days} days of receiving this letter. Once we "
        "agree I will pay every payment above on its date.",
        "",
        f"此致 / Sincerely, {borrower}",
    ]
    return "\n".join(lines) + "\n"


def proposal_letters(
    proposals: Sequence[Proposal], *, borrower: str, on: date
) -> tuple[Letter, ...]:
    """One letter per platform; a platform with several loans gets their letters in one, in
    the plan's order."""
    by_platform: dict[str, list[Proposal]] = {}
    for proposal in proposals:
        by_platform.setdefault(proposal.platform, []).append(proposal)
    letters = []
    for platform, mine in by_platform.items():
        texts = [proposal_letter(p, borrower=borrower, on=on) for p in mine]
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
