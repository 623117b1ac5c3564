"""A deterministic synthetic population for the bureau: demo data and the benchmarks' load.

Every loan is simulated by the real ledger engine (`creditmend.domain.loan.ledger`), one event at
a time, so that each furnished number (balance, past-due amount, days past due) is exact to the
fen and a replay of the loan's events with `fold.run` gives the same state. The generator streams:
`generate` yields one `PersonFacts` per person and holds nothing else in memory.

Determinism: person `i` draws only from `random.Random(seed * 1_000_003 + i)`, the platforms from
`Random("platforms:<seed>")` and the archetype mix of each block of 50 persons from
`Random("block:<seed>:<block>")`; so any range of persons can be generated alone (in any process)
and gives the same facts.

Assumptions (the distributions and rates; all dates fall in the window of `months` calendar
months starting with the month of `start`, month ends are the reporting dates):

- Archetypes, as exact quotas in every block of 50 persons (shuffled within the block): 26 prime
  (one of them suffers a guaranteed platform-fault deduction failure), 10 regular, 5 slipping,
  4 heavy multi-head borrowers, 2 restructured, 2 defaulters (the first is sued: public records),
  1 fraud. Per archetype (`ARCHETYPES`): loans per year (Poisson, with a minimum), the chance an
  instalment's auto-debit fails for lack of funds, the days until such a miss is cured (uniform),
  how many other platforms make a hard inquiry before each new loan, the share of loans repaid by
  auto-debit (the rest pay by hand on the due date), the chance a loan is settled early.
- Any auto-debit fails for the platform's or the bank's fault with probability 0.5 % although the
  card holds the amount due plus 0..2,000 CNY; the borrower pays by hand 1..12 days later (often
  across a month end: a negative record that was not the borrower's fault).
- Heavy multi-head borrowers take their loans in 1..3 bursts of distinct platforms within 10 days.
  Defaulters stop paying 40..150 days plus a sixth of the window after it opens, and open all
  their loans at least 20 days before that; fraud takes 3..6 loans within 10 days in the first
  half of the window and never pays. Unpaid loans are charged off `charge_off_days` after the
  first missed due date (banks 180, others 90) plus 1..5 days; 15 % of charge-offs are recovered
  in full 30..180 days later (by the guarantor for bank loans). While in default a borrower makes
  a partial payment (10..30 % of what is due) after 20 % of missed instalments.
- Restructured persons miss instalments of their first loan from 45..120 days after opening and
  30..90 days after the first miss get an extension (3..12 months) or a reinstalment (6..24
  months), half with the penalty waived; then they pay on time.
- Platforms: 25 % banks (online consumer loans, 6..15 %/yr, 12/24/36 months, 10k..200k CNY,
  compound interest), 25 % consumer-finance companies (12..24 %/yr, 6/12/24 months, 2k..50k, a
  0..0.3 % monthly service fee), 50 % online micro-lenders (daily rate 0.02..0.065 %, 3/6/12
  months, 500..20k). Principals are log-uniform, rounded to 100; grace 0..3 days; penalty 1.5 x
  the contract rate; popularity weights 1/rank (a few large platforms).
- Inquiries: the lender's hard `loan_approval` 0..3 days before each loan and the shoppers'
  0..14 days before it (30 % of bank shoppers as `credit_card_approval`); a soft
  `post_loan_management` by the lender 1..20 days after an account first shows past due; a
  `self_inquiry` with probability 10 % a year (40 % for slipping, multi-head and defaulters),
  at most one a day. Consent references are unique per person (a repeat is drawn again).
- Public records: a sued defaulter (and 40 % of the others) gets an enforced-debtor case filed
  90..300 days after the default began (pulled into the window), half of them also a dishonest
  judgment debtor and a consumption restriction 30..120 days later; the amount is the account
  balance; the status is `performed` (with `ended_on`) when the account was later settled.
- Blacklist: fraud is listed (`fraud`, 5 years) by its first lender 30..60 days after the first
  due date; a charged-off defaulter is listed `severe_overdue` (3 years) with probability 60 %
  and `lost_contact` (2 years) with 30 %. A platform lists a person once per category while
  that listing runs: a later charge-off there within it adds no entry.
- Reporting: a record for every account and month from its opening month to the window's last
  month, or to the month it was settled (a settled account is not furnished after it closed).
  `first_delinquency_on` is the first day past due of the first delinquency seen at a month end;
  `negative_notice_on` is 0..3 days after it (never after the month end), kept thereafter.
  Remarks: `extension` / `negotiated_repayment` in a restructure's month, `guarantor_paid` when
  a guarantor settled, `fraud` on a fraudster's charged-off accounts, and
  `deduction_failed_platform` on a month end overdue since a due date whose debit failed for
  `platform_error` (the platform's own fault; a `bank_error` is not the platform's to remark).
- Revolving accounts (`revolving_sim.py`), drawn after all the rest of a person from the same
  stream (so the instalment population is unchanged by them): with probability 1/3 a Huabei-
  like line (a consumer-finance platform; statement day 1, due day 10; limit 500..30,000) or a
  Baitiao-like one (an online micro-lender; any statement day, due 10 days later, 违约金 0.07 %
  a day on the overdue minimum; limit 1,000..30,000), half each; a bank card with probability
  30 % (prime), 20 % (regular), 15 % (slipping, multi-head), 10 % (restructured, defaulter), 0
  (fraud): any statement day, due 20 days later, a 5 % late fee on an unpaid minimum, limit
  5,000..100,000. Limits are log-uniform; the profile's revolving rate, minimum rate (10 %) and
  conversion fee. Opened on a random day of the window (a defaulter 20 days before defaulting)
  after the issuer's hard inquiry (`credit_card_approval` for a card, else `loan_approval`).
  Each month 1 + Poisson(2) purchases on random days, together 0.3..1.7 x the holder's usual
  share of the limit (5..50 %), cut to the credit left; none while in arrears or charged off.
  On each statement's due day: a transactor (60 % prime, 40 % regular, 20 % restructured, 15 %
  slipping, 10 % multi-head and defaulter, 0 fraud) pays the statement in full; any other pays
  in full one time in ten, else the minimum or the minimum plus 1..99 % of the rest, half each.
  Misses, cures, platform faults, defaults (fraud defaults at once), partial payments while in
  default and charge-offs are the loans' (above). A line is furnished every month from its
  opening to the window's end (paid off, it stays open), as docs/bureau.md's "Revolving
  accounts" says. Revolving accounts feed no public record or blacklist entry.
- Resident ids: 128 real county codes (valid in every birth year), birth dates 1960..2004, and a
  sequence number unique per (county, index) up to 127,872 persons; the last digit is the
  GB 11643 check digit. Names: common surnames by frequency and one or two given characters.
"""

from creditmend.domain.synth.loan_sim import MonthFigures, furnished_figures, month_figures
from creditmend.domain.synth.people import (
    CMF_FIELDS,
    ID_CAPACITY,
    Loan,
    Person,
    PersonFacts,
    Platform,
    World,
    check_digit,
    make_platforms,
    make_world,
)
from creditmend.domain.synth.person_sim import generate, person_facts

__all__ = [
    "CMF_FIELDS",
    "ID_CAPACITY",
    "Loan",
    "MonthFigures",
    "Person",
    "PersonFacts",
    "Platform",
    "World",
    "check_digit",
    "furnished_figures",
    "generate",
    "make_platforms",
    "make_world",
    "month_figures",
    "person_facts",
]
