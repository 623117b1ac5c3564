"""Profile `cn`: People's Bank of China rules for personal credit data and lending.

Sources (see docs/jurisdiction-cn.md for the full table):
- 征信业管理条例 (Regulation on the Administration of Credit Investigation Industry, State Council
  Order 631, 2013): Art. 16 retention, Art. 17 free reports, Art. 25 objections, Art. 26 complaints.
- 民法典 (Civil Code) Art. 561: payment order costs -> interest -> principal.
- 最高人民法院关于审理民间借贷案件适用法律若干问题的规定 (2020 rev.) Art. 25: 4 x one-year LPR.
- 法发〔2017〕22号: financial loans' all-in annual cost above 24 % may be reduced.
- 银发〔2003〕251号: penalty rate = contract rate + 30..50 %.
- LPR: National Interbank Funding Center monthly fixings (published on the 20th).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import MappingProxyType

from creditmend.domain.i18n import N_
from creditmend.domain.rules.policies import DatedPolicy, FactKind, HidingStep, PolicyEffect
from creditmend.domain.rules.profile import (
    AllocationRule,
    Component,
    DelinquencyBucket,
    DueState,
    GridCodes,
    JurisdictionProfile,
    LegalCaps,
    LprFixing,
    OverduePattern,
    RevolvingDefaults,
    Sourced,
    SourcedText,
)

ORDER_631 = "征信业管理条例 (State Council Order 631, 2013)"


def _lpr(on: str, one_year: str, five_year: str) -> LprFixing:
    return LprFixing(date.fromisoformat(on), Decimal(one_year), Decimal(five_year))


# Every change of the LPR since the reform of 2019-08-20; months without a change are omitted
# (the fixing in force is the latest one on or before a date). Last checked fixing: 2026-01-20
# (unchanged at 3.00 / 3.50); later months are assumed unchanged until an entry is added here.
LPR_HISTORY = (
    _lpr("2019-08-20", "0.0425", "0.0485"),
    _lpr("2019-09-20", "0.0420", "0.0485"),
    _lpr("2019-11-20", "0.0415", "0.0480"),
    _lpr("2020-02-20", "0.0405", "0.0475"),
    _lpr("2020-04-20", "0.0385", "0.0465"),
    _lpr("2021-12-20", "0.0380", "0.0465"),
    _lpr("2022-01-20", "0.0370", "0.0460"),
    _lpr("2022-05-20", "0.0370", "0.0445"),
    _lpr("2022-08-22", "0.0365", "0.0430"),
    _lpr("2023-06-20", "0.0355", "0.0420"),
    _lpr("2023-08-21", "0.0345", "0.0420"),
    _lpr("2024-02-20", "0.0345", "0.0395"),
    _lpr("2024-07-22", "0.0335", "0.0385"),
    _lpr("2024-10-21", "0.0310", "0.0360"),
    _lpr("2025-05-20", "0.0300", "0.0350"),
)

CN_CREDIT_REPAIR_2025 = DatedPolicy(
    id="cn-pboc-credit-repair-2025",
    name="PBOC one-off credit repair 2025",
    source=(
        "PBOC, one-off personal credit relief policy, announced 2025-12-22 (official Q&A: "
        "nanjing.pbc.gov.cn/en/3688110/3688172/5552468/2025122615180023523/index.html)"
    ),
    announced_on=date(2025, 12, 22),
    effect=PolicyEffect.HIDE_OVERDUE,
    # "Personal credit-overdue records": a bad debt (呆账) is treated as outside the scope.
    kinds=frozenset({FactKind.OVERDUE}),
    started_from=date(2020, 1, 1),
    started_to=date(2025, 12, 31),
    # The single overdue amount, interest and penalty included (secondary source).
    max_amount=Decimal("10000.00"),
    repaid_by=date(2026, 3, 31),
    hiding=(
        # Repaid by 2025-11-30: not shown from 2026-01-01.
        HidingStep(None, date(2025, 11, 30), hidden_from=date(2026, 1, 1)),
        # Repaid 2025-12-01..2026-03-31: not shown by the end of the month after repayment.
        HidingStep(date(2025, 12, 1), date(2026, 3, 31), by_end_of_month_after=1),
    ),
    other_sources=(
        "en.people.cn/n3/2025/1222/c90000-20405124.html",
        "mip.maxlaw.cn/top/20251222/11590200996107.shtml (amount includes interest and penalty)",
    ),
)


_P, _D = DueState.PAST_DUE, DueState.DUE
_FEE, _PEN, _INT, _PRI = Component.FEE, Component.PENALTY, Component.INTEREST, Component.PRINCIPAL

CARD_NOTICE = "银发〔2016〕111号 (PBOC, 关于信用卡业务有关事项的通知, in force 2017-01-01)"

CN_REVOLVING = RevolvingDefaults(
    daily_rate=Sourced(
        Decimal("0.0005"),
        f"{CARD_NOTICE}: card overdraft interest at most 0.05 % a day (the upper bound; Huabei's "
        "and Baitiao's service agreements quote the same 0.05 % a day, typical)",
    ),
    minimum_rate=Sourced(
        Decimal("0.10"),
        f"typical: 10 % of the billed amount plus everything else billed; {CARD_NOTICE} leaves "
        "the minimum payment to the issuer's agreement",
    ),
    conversion_fee_rate=Sourced(
        Decimal("0.0060"),
        "typical: bank cards and Huabei quote 0.6..0.75 % a period for a 12-period 账单分期",
    ),
    late_fee_rate=Sourced(
        Decimal("0.05"),
        f"typical: 5 % of the unpaid minimum; {CARD_NOTICE} replaced the late charge (滞纳金) "
        "with a fee agreed in the contract (违约金) and forbids interest on it",
    ),
    interest_free_days_max=Sourced(
        60, f"{CARD_NOTICE}: the interest-free repayment period is at most 60 days"
    ),
    interest_convention=(
        "Revolving interest: a statement paid in full by its due day costs no interest; "
        "otherwise the part of its new purchases left unpaid bears the daily rate from each "
        "purchase's posting date, and every unpaid principal bears it daily after the due day "
        "(the full-interest-from-posting rule of Chinese card agreements, applied to the unpaid "
        f"share). Interest never accrues on interest, fees or late fees ({CARD_NOTICE})."
    ),
    conversion_months=(3, 6, 12),
    conversion_months_source=(
        "typical: Huabei and Baitiao offer 账单分期 over 3, 6, 9 or 12 periods, bank cards 3..24; "
        "the plan weighs 3, 6 and 12"
    ),
    statement_to_due_days=Sourced(
        9, "typical: Huabei cuts its statement on the 1st and is due on the 10th (9 days)"
    ),
)

CN = JurisdictionProfile(
    code="cn",
    name="China (PBOC)",
    time_zone=SourcedText(
        "Asia/Shanghai",
        "China Standard Time (UTC+8), the one legal time of the PRC: a business date, a filing "
        "day and a deadline are days in Beijing time",
    ),
    business_calendar=SourcedText(
        "CN",
        "国务院办公厅 yearly holiday notice (法定节假日 and the weekend days made working days, "
        "调休), through the `holidays` package's China calendar",
    ),
    currency="CNY",
    days_in_year=Sourced(
        360, "PBOC practice: daily rate = annual rate / 360 (银发〔2003〕251号 basis)"
    ),
    status_codes=MappingProxyType(
        {
            "N": N_("paid on time"),
            "M": N_("paid after the due date but within the month"),
            "1": N_("overdue 1-30 days"),
            "2": N_("overdue 31-60 days"),
            "3": N_("overdue 61-90 days"),
            "4": N_("overdue 91-120 days"),
            "5": N_("overdue 121-150 days"),
            "6": N_("overdue 151-180 days"),
            "7": N_("overdue more than 180 days"),
            "*": N_("nothing due this month"),
            "/": N_("not yet opened"),
            "#": N_("opened, status unknown"),
            "C": N_("settled"),
            "G": N_("ended other than by settlement"),
            "D": N_("repaid by guarantor"),
            "Z": N_("repaid by assets"),
            "B": N_("bad debt"),
        }
    ),
    status_source="PBOC Credit Reference Center, second-generation personal credit report",
    grid_codes=GridCodes(
        not_opened="/",
        unknown="#",
        nothing_due="*",
        late_within_month="M",
        settled="C",
        transferred="G",
        guarantor="D",
        assets="Z",
        bad_debt="B",
    ),
    grid_months=Sourced(
        60, "PBOC second-generation personal credit report: a 60-month repayment record"
    ),
    delinquency_buckets=(
        DelinquencyBucket("N", 0, 0),
        DelinquencyBucket("1", 1, 30),
        DelinquencyBucket("2", 31, 60),
        DelinquencyBucket("3", 61, 90),
        DelinquencyBucket("4", 91, 120),
        DelinquencyBucket("5", 121, 150),
        DelinquencyBucket("6", 151, 180),
        DelinquencyBucket("7", 181, None),
    ),
    # A bad debt is past every bucket and must not look better than an account still at `7`.
    overdue_codes=frozenset("1234567B"),
    serious_days=Sourced(
        90,
        "《商业银行金融资产风险分类办法》(2023): principal or interest more than 90 days past due "
        "is classed at least substandard, i.e. non-performing (不良)",
    ),
    serious_codes=frozenset("4567B"),
    overdue_pattern=OverduePattern(
        consecutive=3,
        cumulative=6,
        window=24,
        source=(
            "lenders' 连三累六 rule: 3 consecutive or 6 cumulative overdue months within 24 "
            "months means routine rejection (practice, not law; soudai8.com/161014638.html)"
        ),
    ),
    dormant_months=Sourced(
        6, "bureau policy: an open account with no activity for 6 months is dormant"
    ),
    default_allocation=(
        AllocationRule(_P, _FEE),
        AllocationRule(_P, _PEN),
        AllocationRule(_P, _INT),
        AllocationRule(_P, _PRI),
        AllocationRule(_D, _FEE),
        AllocationRule(_D, _PEN),
        AllocationRule(_D, _INT),
        AllocationRule(_D, _PRI),
    ),
    allocation_source=(
        "民法典 Art. 561: unless agreed otherwise, costs, then interest, then principal; "
        "penalty interest counts as interest; the oldest debt first"
    ),
    penalty_multiplier=Sourced(Decimal("1.5"), "银发〔2003〕251号: contract rate + 30..50 %"),
    lpr_history=LPR_HISTORY,
    lpr_source="National Interbank Funding Center, Loan Prime Rate fixings (1-year, 5-year+)",
    caps=LegalCaps(
        private_lending_lpr_multiple=Sourced(
            4, "最高人民法院民间借贷规定 (2020 rev.) Art. 25: 4 x one-year LPR at signing"
        ),
        private_lending_before_lpr=Sourced(
            Decimal("0.24"), "最高人民法院民间借贷规定 (2015) Art. 26: 24 % a year protected"
        ),
        licensed_all_in_annual=Sourced(
            Decimal("0.24"), "法发〔2017〕22号: financial loans' all-in annual cost above 24 %"
        ),
    ),
    retention_years=Sourced(5, f"{ORDER_631} Art. 16: 5 years from the end of the bad behaviour"),
    dated_policies=(CN_CREDIT_REPAIR_2025,),
    objection_reply_days=Sourced(20, f"{ORDER_631} Art. 25: verify and reply within 20 days"),
    period_rule_source=(
        "民法典 (Civil Code) Art. 201: the day a period starts is not counted; Art. 203: a period "
        "whose last day is a statutory rest day ends on the first day after it"
    ),
    unverifiable_rule=(
        f"{ORDER_631} Art. 25: a record that cannot be confirmed after verification stays, with "
        "the verification and the objection recorded beside it (the objection mark stays)"
    ),
    statement_max_chars=Sourced(
        200,
        "bureau policy: no statute fixes a length; PBOC reports print a short 本人声明, "
        "so 200 characters (FCRA s. 611(b) allows 100 words)",
    ),
    complaint_reply_days=Sourced(30, f"{ORDER_631} Art. 26: reply to a complaint within 30 days"),
    free_self_reports_per_year=Sourced(2, f"{ORDER_631} Art. 17: two free self-reports a year"),
    inquiry_purposes=MappingProxyType(
        {
            "loan_approval": True,
            "credit_card_approval": True,
            "guarantee_review": True,
            "post_loan_management": False,
            "self_inquiry": False,
        }
    ),
    inquiry_purposes_source=(
        f"{ORDER_631} Art. 18 (consent and purpose); lenders count approvals and guarantee "
        "reviews as hard inquiries, post-loan management and self-inquiry as soft"
    ),
    conventions=(
        "Annual rate: scheduled interest per monthly period = balance x annual / 12 "
        "(banks' 等额本息 and 等额本金), pro rata by days when the balance changes in the period.",
        "Daily rate: interest accrues on actual days = balance x daily rate x days.",
        "Penalty and compound interest accrue by the day at annual / 360 "
        "(or at the quoted daily rate).",
        "Amounts are rounded half up to the fen when they fall due; accruals are kept unrounded.",
    ),
    revolving=CN_REVOLVING,
)
