-- One row per account: its furnished months folded up by a hash aggregate (no sort).
-- The last furnished month gives the account's state (MAX_BY over the month, unique per
-- account); the month counts per window and the overdue bit mask feed the grid indicators of
-- accounts whose grid needs no look at the order of their months (see account_state.sql).
SELECT
    person,
    account,
    MIN(month) AS first_month,
    MAX(month) AS last_month,
    MAX_BY(code, month) AS last_code,
    MAX_BY(status, month) AS last_status,
    MAX_BY(days_past_due, month) AS last_days_past_due,
    MAX_BY(scheduled_fen, month) AS last_scheduled_fen,
    MAX_BY(balance_fen, month) AS last_balance_fen,
    MAX_BY(past_due_fen, month) AS last_past_due_fen,
    MAX(CASE WHEN paid_fen > 0 THEN month END) AS last_paid_month,
    SUM(CASE WHEN status IN ('settled', 'closed', 'transferred') THEN 1 ELSE 0 END) AS final_months,
    SUM(CASE WHEN month > $as_of_month - 6 THEN 1 ELSE 0 END) AS furnished_6m,
    SUM(CASE WHEN month > $as_of_month - 12 THEN 1 ELSE 0 END) AS furnished_12m,
    SUM(CASE WHEN month > $as_of_month - 24 THEN 1 ELSE 0 END) AS furnished_24m,
    SUM(CASE WHEN month > $as_of_month - 60 THEN 1 ELSE 0 END) AS furnished_60m,
    -- bit k set: the month k months before the as-of month is overdue (k < 24)
    SUM(
        CASE WHEN month > $as_of_month - 24 AND code IN ('1', '2', '3', '4', '5', '6', '7', 'B')
        THEN CAST(POWER(2, $as_of_month - month) AS BIGINT) ELSE 0 END
    ) AS overdue_mask_24m,
    SUM(
        CASE WHEN month > $as_of_month - 24 AND code IN ('1', '2', '3', '4', '5', '6', '7', 'B')
        THEN 1 ELSE 0 END
    ) AS overdue_24m,
    -- the furnished months of the last 6 (months before the opening too): amounts, and bit k set
    -- when the month k months before the as-of month has a payment
    SUM(CASE WHEN month > $as_of_month - 6 THEN paid_fen ELSE 0 END) AS paid_6m,
    SUM(CASE WHEN month > $as_of_month - 6 THEN scheduled_fen ELSE 0 END) AS scheduled_6m,
    SUM(
        CASE WHEN month > $as_of_month - 6 AND paid_fen > 0
        THEN CAST(POWER(2, $as_of_month - month) AS BIGINT) ELSE 0 END
    ) AS paid_mask_6m
FROM account_months
GROUP BY person, account
