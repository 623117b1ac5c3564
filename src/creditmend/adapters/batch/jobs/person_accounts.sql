-- Loan history, current overdue and liabilities, one row per person with accounts. "Current"
-- is each account's last furnished month; amounts count accounts in the report's currency only.
WITH accounts AS (
    SELECT
        s.*,
        CASE WHEN s.irregular = 1 THEN i.overdue_mask_24m ELSE s.overdue_mask_24m END AS mask,
        CASE WHEN s.irregular = 1 THEN i.overdue_24m ELSE s.overdue_24m END AS overdue
    FROM account_state AS s
    LEFT JOIN irregular_accounts AS i ON i.person = s.person AND i.account = s.account
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
    ) AS revolving_limit_fen
FROM accounts
GROUP BY person
