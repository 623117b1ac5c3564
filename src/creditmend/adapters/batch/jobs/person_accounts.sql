-- Loan history, current overdue and liabilities, one row per person with accounts. "Current"
-- is each account's last furnished month; amounts count accounts in the report's currency only.
-- Also the grid months of regular accounts that are not furnished (see account_state.sql): `#`
-- (before grid_counts.sql takes the furnished months back) and carried `C`.
WITH accounts AS (
    SELECT
        s.*,
        CASE
            WHEN s.irregular = 1 THEN i.overdue_mask_24m ELSE COALESCE(o.overdue_mask_24m, 0)
        END AS mask,
        CASE WHEN s.irregular = 1 THEN i.overdue_24m ELSE COALESCE(o.overdue_24m, 0) END AS overdue,
        COALESCE(p.paid_6m, 0) AS paid_6m,
        COALESCE(p.scheduled_6m, 0) AS scheduled_6m,
        COALESCE(p.paid_mask_6m, 0) AS paid_mask_6m,
        CASE WHEN s.irregular = 0 AND s.last_code = 'C' THEN 1 ELSE 0 END AS carries_c
    FROM account_state AS s
    LEFT JOIN account_overdue AS o ON o.account = s.account
    LEFT JOIN account_payments AS p ON p.account = s.account
    LEFT JOIN irregular_accounts AS i ON i.account = s.account
)

SELECT
    person,
    COUNT(*) AS accounts_ever,
    SUM(is_open) AS accounts_open,
    SUM(is_settled) AS accounts_settled,
    MIN(opened_on) AS first_loan_on,
    SUM(CASE WHEN is_local = 1 AND principal_fen IS NOT NULL THEN principal_fen ELSE 0 END)
        AS amount_borrowed_fen,
    SUM(CASE WHEN is_local = 1 AND credit_limit_fen IS NOT NULL THEN credit_limit_fen ELSE 0 END)
        AS credit_limit_fen,
    COUNT(CASE WHEN is_open = 1 AND last_days_past_due > 0 THEN 1 END)
        AS current_overdue_accounts,
    SUM(
        CASE WHEN is_open = 1 AND is_local = 1 AND last_days_past_due > 0
        THEN last_past_due_fen ELSE 0 END
    ) AS current_overdue_amount_fen,
    MAX(CASE WHEN is_open = 1 THEN last_days_past_due END) AS max_days_past_due,
    -- 3 consecutive overdue months (three adjacent bits) or 6 of them in the last 24
    COUNT(CASE WHEN (mask & (mask * 2) & (mask * 4)) <> 0 OR overdue >= 6 THEN 1 END)
        AS accounts_3_or_6_in_24,
    -- overdue months of the last 3: the mask's three lowest bits
    SUM(
        CASE WHEN (mask & 1) <> 0 THEN 1 ELSE 0 END
        + CASE WHEN (mask & 2) <> 0 THEN 1 ELSE 0 END
        + CASE WHEN (mask & 4) <> 0 THEN 1 ELSE 0 END
    ) AS months_overdue_3m,
    SUM(CASE WHEN is_local = 1 THEN paid_6m ELSE 0 END) AS paid_fen_6m,
    SUM(CASE WHEN is_local = 1 THEN scheduled_6m ELSE 0 END) AS scheduled_fen_6m,
    -- bit k set: some account has a payment in the month k months before the as-of month
    BIT_OR(paid_mask_6m) AS paid_mask_6m,
    SUM(CASE WHEN is_open = 1 AND is_local = 1 THEN last_balance_fen ELSE 0 END)
        AS outstanding_balance_fen,
    SUM(CASE WHEN is_open = 1 AND is_local = 1 THEN last_scheduled_fen ELSE 0 END)
        AS monthly_obligations_fen,
    SUM(
        CASE WHEN is_open = 1 AND is_local = 1 AND credit_limit_fen IS NOT NULL
        THEN last_balance_fen ELSE 0 END
    ) AS revolving_balance_fen,
    SUM(
        CASE WHEN is_open = 1 AND is_local = 1 AND credit_limit_fen IS NOT NULL
        THEN credit_limit_fen ELSE 0 END
    ) AS revolving_limit_fen,
    SUM(CASE WHEN irregular = 0 THEN span_6m - carried_6m ELSE 0 END) AS unknown_6m,
    SUM(CASE WHEN irregular = 0 THEN span_12m - carried_12m ELSE 0 END) AS unknown_12m,
    SUM(CASE WHEN irregular = 0 THEN span_24m - carried_24m ELSE 0 END) AS unknown_24m,
    SUM(CASE WHEN irregular = 0 THEN span_60m - carried_60m ELSE 0 END) AS unknown_60m,
    SUM(carries_c * carried_6m) AS carried_c_6m,
    SUM(carries_c * carried_12m) AS carried_c_12m,
    SUM(carries_c * carried_24m) AS carried_c_24m,
    SUM(carries_c * carried_60m) AS carried_c_60m
FROM accounts
GROUP BY person
