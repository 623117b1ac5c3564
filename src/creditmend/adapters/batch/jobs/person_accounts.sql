-- Loan history, current overdue and liabilities, one row per person with accounts. "Current"
-- is each account's last furnished month; amounts count accounts in the report's currency only.
-- Also the grid months of regular accounts that are not furnished (see account_state.sql): `#`
-- (before grid_counts.sql takes the furnished months back) and carried `C`, packed as
-- grid_months.sql packs them. Sums are cast back to BIGINT (DuckDB sums to HUGEINT): half the
-- width to carry through the join in indicators.sql.
WITH accounts AS (
    SELECT
        s.*,
        CASE
            WHEN s.irregular = 1 THEN i.overdue_mask_24m ELSE COALESCE(o.overdue_mask_24m, 0)
        END AS mask,
        CASE WHEN s.irregular = 1 THEN i.overdue_24m ELSE COALESCE(o.overdue_24m, 0) END AS overdue,
        CASE
            WHEN s.irregular = 1 THEN i.last_overdue_month ELSE o.last_overdue_month
        END AS last_overdue_month,
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
    CAST(SUM(is_open) AS BIGINT) AS accounts_open,
    CAST(SUM(is_settled) AS BIGINT) AS accounts_settled,
    COUNT(CASE WHEN is_open = 1 AND furnisher_kind = 'bank' THEN 1 END) AS accounts_open_bank,
    COUNT(CASE WHEN is_open = 1 AND furnisher_kind = 'non_bank' THEN 1 END)
        AS accounts_open_non_bank,
    -- opened in the as-of month or the 5 (11) before it
    COUNT(CASE WHEN opened_month > $as_of_month - 6 THEN 1 END) AS accounts_opened_6m,
    COUNT(CASE WHEN opened_month > $as_of_month - 12 THEN 1 END) AS accounts_opened_12m,
    MIN(opened_on) AS first_loan_on,
    $as_of_month - MIN(opened_month) AS oldest_account_months,
    $as_of_month - MAX(last_overdue_month) AS months_since_overdue,
    CAST(SUM(
        CASE WHEN is_local = 1 AND principal_fen IS NOT NULL THEN principal_fen ELSE 0 END
    ) AS BIGINT) AS amount_borrowed_fen,
    CAST(SUM(
        CASE WHEN is_local = 1 AND credit_limit_fen IS NOT NULL THEN credit_limit_fen ELSE 0 END
    ) AS BIGINT) AS credit_limit_fen,
    COUNT(CASE WHEN is_open = 1 AND last_days_past_due > 0 THEN 1 END)
        AS current_overdue_accounts,
    CAST(SUM(
        CASE WHEN is_open = 1 AND is_local = 1 AND last_days_past_due > 0
        THEN last_past_due_fen ELSE 0 END
    ) AS BIGINT) AS current_overdue_amount_fen,
    MAX(CASE WHEN is_open = 1 THEN last_days_past_due END) AS max_days_past_due,
    -- the profile's overdue pattern: a run of overdue months (that many adjacent bits of the
    -- mask) or enough of them in its window (cn: 3 in a row or 6 in the last 24)
    COUNT(CASE WHEN $overdue_run <> 0 OR overdue >= $pattern_cumulative THEN 1 END)
        AS accounts_3_or_6_in_24,
    -- overdue months of the last 3: the mask's three lowest bits
    CAST(SUM(
        CASE WHEN (mask & 1) <> 0 THEN 1 ELSE 0 END
        + CASE WHEN (mask & 2) <> 0 THEN 1 ELSE 0 END
        + CASE WHEN (mask & 4) <> 0 THEN 1 ELSE 0 END
    ) AS BIGINT) AS months_overdue_3m,
    CAST(SUM(CASE WHEN is_local = 1 THEN paid_6m ELSE 0 END) AS BIGINT) AS paid_fen_6m,
    CAST(SUM(CASE WHEN is_local = 1 THEN scheduled_6m ELSE 0 END) AS BIGINT) AS scheduled_fen_6m,
    -- bit k set: some account has a payment in the month k months before the as-of month
    BIT_OR(paid_mask_6m) AS paid_mask_6m,
    CAST(SUM(
        CASE WHEN is_open = 1 AND is_local = 1 THEN last_balance_fen ELSE 0 END
    ) AS BIGINT) AS outstanding_balance_fen,
    CAST(SUM(
        CASE WHEN is_open = 1 AND is_local = 1 THEN last_scheduled_fen ELSE 0 END
    ) AS BIGINT) AS monthly_obligations_fen,
    CAST(SUM(
        CASE WHEN is_open = 1 AND is_local = 1 AND credit_limit_fen IS NOT NULL
        THEN last_balance_fen ELSE 0 END
    ) AS BIGINT) AS revolving_balance_fen,
    CAST(SUM(
        CASE WHEN is_open = 1 AND is_local = 1 AND credit_limit_fen IS NOT NULL
        THEN credit_limit_fen ELSE 0 END
    ) AS BIGINT) AS revolving_limit_fen,
    -- packed
    CAST(SUM(CASE WHEN irregular = 0 THEN span - carried ELSE 0 END) AS BIGINT) AS unknown_months,
    CAST(SUM(carries_c * carried) AS BIGINT) AS carried_c_months
FROM accounts
GROUP BY person
