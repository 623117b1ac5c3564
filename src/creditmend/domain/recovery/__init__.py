"""The recovery advisor: a borrower's loans and cash flow in, repayment plans simulated exactly out.

`plan_input` reads a PLAN file, `budget` turns its cash flow into the money each month can spend
on debts, `simulate` runs a payment plan through the real ledger and `strategies` builds the
classic plans (minimum, avalanche, snowball) a counsellor compares any better plan against.
"""
