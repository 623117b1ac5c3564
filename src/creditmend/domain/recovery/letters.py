"""The letter a borrower sends a platform to ask for a restructure, in Chinese and English.

A collections desk answers a letter that names the loan, states what is owed to the fen, asks
for something specific, shows that the borrower can keep to it, and gives a reason to agree
(money the platform would otherwise not see, an all-in cost above the legal cap it could not
enforce, a failed debit that was its own doing). So the letter cites only the proposal's own
numbers: what is owed on the day, the ask and its instalments, the penalty waiver asked for,
the budget month by month in short (income, essential expenses, the other loans' payments, the
tightest month) and, where there is one, the amount above the cap with its source. When no
restructure the budget carries exists, it says so and offers the level amount the budget
carries instead. Plain text in the house style of the bureau's reply letter (a Chinese line,
then the English one); the PDF is the same text typeset by the render adapter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from creditmend.domain.loan.events import RestructureKind
from creditmend.domain.money import Money
from creditmend.domain.recovery.candidates import ObjectionCandidate
from creditmend.domain.recovery.proposals import Proposal, ProposalOption

ANSWER_DAYS = 15  # asked for, not a legal period: the borrower's own deadline for a reply
# Why the borrower fell behind, in the borrower's words; the service may pass the client's own.
HARDSHIP = (
    "我因收入下降未能按期还款，希望与贵方协商一个我能够履行的还款安排。",
    "My income fell and I could not pay on time. I ask for a repayment arrangement I can keep.",
)

_KINDS = {
    RestructureKind.REINSTALMENT: ("个性化分期", "re-instalment"),
    RestructureKind.EXTENSION: ("展期", "extension"),
}


@dataclass(frozen=True, slots=True)
class Letter:
    platform: str
    loan_ids: tuple[str, ...]
    text: str


def _months(count: int) -> str:
    return f"{count} month" if count == 1 else f"{count} months"


def _amount(value: Money | Decimal) -> str:
    amount = value.amount if isinstance(value, Money) else value
    return f"{amount:,.2f}"


def _ask(option: ProposalOption, currency: str, on: date) -> list[str]:
    zh_kind, en_kind = _KINDS[option.kind]
    first_on, first = option.instalments[0]
    last_on, last = option.instalments[-1]
    count = len(option.instalments)
    if option.kind is RestructureKind.REINSTALMENT:
        zh = f"将全部欠款重新分 {option.months} 期偿还（{zh_kind}）"
        en = f"a {en_kind} of everything owed over {_months(option.months)}"
    else:
        zh = f"将剩余期限延长 {option.months} 个月（{zh_kind}），共 {count} 期"
        en = f"an {en_kind} of the remaining term by {_months(option.months)}, {count} instalments"
    lines = [
        f"  {zh}：首期 {first_on} 还 {_amount(first)} {currency}，末期 {last_on} "
        f"还 {_amount(last)} {currency}，每期不超过 {_amount(option.monthly)} {currency}，"
        f"合计 {_amount(option.total)} {currency}。",
        f"  {en[0].upper()}{en[1:]}: {_amount(first)} {currency} on {first_on}, the last "
        f"{_amount(last)} {currency} on {last_on}, never more than {_amount(option.monthly)} "
        f"{currency} a month, {_amount(option.total)} {currency} in all.",
    ]
    if option.waive_penalty and option.penalty_waived.amount > 0:
        waived = _amount(option.penalty_waived)
        lines += [
            f"  同时恳请减免截至 {on} 的罚息及复利 {waived} {currency}。",
            f"  I also ask you to waive the penalty and compound interest of {waived} "
            f"{currency} owed on {on}.",
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
    lines = [
        f"一、欠款情况（截至 {owed.on}，逾期 {owed.days_past_due} 天）",
        f"1. What I owe on {owed.on} ({owed.days_past_due} days past due)",
    ]
    if owed.credit.amount > 0:
        rows.append(("已预付（贵方留存）", "Paid ahead, held by you", owed.credit))
    lines += [f"  {zh} / {en}: {_amount(value)} {currency}" for zh, en, value in rows]
    return lines


def _offer(proposal: Proposal, currency: str) -> list[str]:
    """What to ask for when no restructure fits: a level amount from the month it can start."""
    level, start = _amount(proposal.affordable_monthly), proposal.affordable_from
    longest = max((o.months for o in proposal.options), default=0)
    lines = (
        [
            f"  在我现有预算内，{longest} 个月以内的分期或展期都无法按期履行。",
            f"  No re-instalment or extension of up to {_months(longest)} fits my budget.",
        ]
        if longest
        else []
    )
    if start is None:
        return [
            *lines,
            "  在按计划偿还其他借款期间，我暂时无力向贵方还款，"
            "恳请贵方暂停计收罚息，待其他借款还清后再协商。",
            "  While my other loans are repaid as planned I cannot pay you anything. I ask you "
            "to stop the penalty until they are repaid, and to agree a plan with me then.",
        ]
    return [
        *lines,
        f"  我恳请贵方停止计收罚息，并接受我自 {start} 起每月偿还 {level} {currency}，直至还清。",
        f"  I ask you to stop the penalty and to accept {level} {currency} a month from "
        f"{start} until the debt is repaid.",
    ]


def _budget(option: ProposalOption | None, proposal: Proposal, currency: str) -> list[str]:
    lines = ["三、我的还款能力", "3. What my budget carries"]
    if option is None or not option.budget:
        if proposal.affordable_from is None:
            return [
                *lines,
                "  按计划偿还其他借款后，我的预算在计划期内没有余额。",
                "  After my other loans' planned payments my budget has nothing left in the "
                "months I can plan.",
            ]
        level = _amount(proposal.affordable_monthly)
        return [
            *lines,
            f"  按计划偿还其他借款后，自 {proposal.affordable_from} 起我每月可稳定偿还 {level} "
            f"{currency}。",
            f"  After my other loans' planned payments I can pay {level} {currency} every month "
            f"from {proposal.affordable_from}.",
        ]
    paying = [line for line in option.budget if line.instalment.amount > 0]
    first = paying[0] if paying else option.budget[0]
    tight = option.tightest or first
    saved = _amount(
        first.cash_left.amount
        - first.available.amount
        + first.others.amount
        + first.instalment.amount
    )
    lines += [
        f"  {first.month}：月收入 {_amount(first.income)}，必要支出 {_amount(first.expenses)}，"
        f"可用于还款 {_amount(first.available)}，其他借款计划还款 {_amount(first.others)}，"
        f"此前结余 {saved}，本笔分期 {_amount(first.instalment)} 后余 "
        f"{_amount(first.cash_left)} {currency}。",
        f"  {first.month}: income {_amount(first.income)}, essential expenses "
        f"{_amount(first.expenses)}, {_amount(first.available)} for debts, "
        f"{_amount(first.others)} to my other loans as planned, {saved} saved from earlier "
        f"months; after this instalment of {_amount(first.instalment)}, "
        f"{_amount(first.cash_left)} {currency} is left.",
        f"  最紧张的 {tight.month} 月，支付本期 {_amount(tight.instalment)} 后仍余 "
        f"{_amount(tight.cash_left)} {currency}。",
        f"  In the tightest month, {tight.month}, {_amount(tight.cash_left)} {currency} is "
        f"left after the instalment of {_amount(tight.instalment)}.",
    ]
    return lines


def _cap(proposal: Proposal, currency: str) -> list[str]:
    cost = proposal.cost
    if not cost.above_cap:
        return []
    above = _amount(cost.amount_above_cap)
    rate = "" if cost.annualised_cost is None else f"{cost.annualised_cost:.2%}"
    return [
        "四、超过法定上限的费用",
        "4. Cost above the legal cap",
        f"  本借款截至 {proposal.owed.on} 的综合年化成本{rate and ' ' + rate}超过 "
        f"{cost.cap:.2%} 的上限，超出部分折合 {above} {currency}，请予减免。",
        f"  The loan's all-in annual cost to {proposal.owed.on}{rate and ', ' + rate + ','} is "
        f"above the cap of {cost.cap:.2%}; the amount above it is {above} {currency}, which I "
        "ask you to waive.",
        f"  依据 / Source: {cost.cap_source}",
    ]


def _debit(candidates: Sequence[ObjectionCandidate], loan_id: str, currency: str) -> list[str]:
    mine = [c for c in candidates if c.loan_id == loan_id]
    lines: list[str] = []
    for candidate in mine:
        for attempt in candidate.failed:
            balance = (
                ""
                if attempt.bank_balance is None
                else f"，当日银行卡余额 {_amount(attempt.bank_balance)} {currency}"
            )
            en_balance = (
                ""
                if attempt.bank_balance is None
                else f" while my card held {_amount(attempt.bank_balance)} {currency}"
            )
            lines += [
                f"  {attempt.on} 贵方代扣失败（{attempt.reason}）{balance}，应还 "
                f"{_amount(candidate.amount_due)} {currency}；我已就 {candidate.month} 的逾期记录"
                "向征信机构提出异议，请予核实更正。",
                f"  On {attempt.on} your debit failed ({attempt.reason}){en_balance}, for "
                f"{_amount(candidate.amount_due)} {currency} due; I am objecting to the overdue "
                f"record of {candidate.month} with the bureau and ask you to correct it.",
            ]
    if lines:
        lines = ["五、代扣失败", "5. The failed debit", *lines]
    return lines


def proposal_letter(
    proposal: Proposal,
    *,
    borrower: str,
    on: date,
    candidates: Sequence[ObjectionCandidate] = (),
    answer_days: int = ANSWER_DAYS,
    hardship: tuple[str, str] = HARDSHIP,
) -> str:
    """The letter for one loan's proposal, dated `on` and signed by `borrower`; `hardship` is
    why the payments stopped (Chinese, English)."""
    currency = proposal.principal.currency
    option = proposal.chosen
    lines = [
        "还款协商申请 / Request to renegotiate repayment",
        "",
        f"致 / To: {proposal.platform}",
        f"借款人 / Borrower: {borrower}",
        f"日期 / Date: {on.isoformat()}",
        f"借款 / Loan: {proposal.loan_id}，{proposal.disbursed_on} 放款 / disbursed on "
        f"{proposal.disbursed_on}，本金 / principal {_amount(proposal.principal)} {currency}",
        "",
        *hardship,
        "",
        *_owed(proposal, currency),
        "",
        "二、我的申请",
        "2. What I propose",
    ]
    if option is not None:
        lines += _ask(option, currency, proposal.owed.on)
        others = [o for o in proposal.options if o.carried and o is not option]
        for other in others:
            lines += ["  或 / Or:", *_ask(other, currency, proposal.owed.on)]
    else:
        lines += _offer(proposal, currency)
    lines += ["", *_budget(option, proposal, currency)]
    cap = _cap(proposal, currency)
    if cap:
        lines += ["", *cap]
    debit = _debit(candidates, proposal.loan_id, currency)
    if debit:
        if not cap:  # the debit's section follows the budget's: number it four
            debit[:2] = ["四、代扣失败", "4. The failed debit"]
        lines += ["", *debit]
    lines += [
        "",
        f"请于收到本函后 {answer_days} 日内书面答复。协议达成后我将按约定按时还款。",
        f"Please answer in writing within {answer_days} days of receiving this letter. Once we "
        "agree I will pay every instalment on its date.",
        "",
        f"此致 / Sincerely, {borrower}",
    ]
    return "\n".join(lines) + "\n"


def proposal_letters(
    proposals: Sequence[Proposal],
    *,
    borrower: str,
    on: date,
    candidates: Sequence[ObjectionCandidate] = (),
    hardship: tuple[str, str] = HARDSHIP,
) -> tuple[Letter, ...]:
    """One letter per platform; a platform with several loans gets their letters in one, in
    the plan's order."""
    by_platform: dict[str, list[Proposal]] = {}
    for proposal in proposals:
        by_platform.setdefault(proposal.platform, []).append(proposal)
    letters = []
    for platform, mine in by_platform.items():
        texts = [proposal_letter(p, borrower=borrower, on=on, candidates=candidates) for p in mine]
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
