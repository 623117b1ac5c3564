-- One row per account shown: its terms and its state (its last furnished month).
--
-- An account is "irregular" when its grid depends on the order of its months: a month
-- furnished before the opening month (it reads `/` and must not count), or an ending month
-- (settled, closed, transferred) followed by later furnished months (the ending code is carried
-- only up to the next furnished month). Every other account's grid follows from counts alone:
-- furnished months read their own code; unfurnished months after the opening read `#`, except
-- those after a last month that ended the account, which carry its code. Irregular accounts
-- (rare in real data) are read month by month in irregular_months.sql.
SELECT
    a.person,
    a.account,
    a.furnisher,
    a.furnisher_kind,
    a.opened_on,
    a.opened_month,
    a.principal_fen,
    a.credit_limit_fen,
    r.first_month,
    r.last_month,
    r.last_code,
    r.last_status,
    r.last_days_past_due,
    r.last_scheduled_fen,
    r.last_balance_fen,
    r.last_past_due_fen,
    r.furnished_6m,
    r.furnished_12m,
    r.furnished_24m,
    r.furnished_60m,
    r.overdue_mask_24m,
    r.overdue_24m,
    r.paid_6m,
    r.scheduled_6m,
    r.paid_mask_6m,
    CASE WHEN r.last_status IN ('open', 'restructured', 'charged_off') THEN 1 ELSE 0 END AS is_open,
    CASE WHEN r.last_status IN ('settled', 'closed') THEN 1 ELSE 0 END AS is_settled,
    CASE WHEN r.last_status IN ('settled', 'closed', 'transferred') THEN 1 ELSE 0 END AS is_ended,
    CASE WHEN a.currency = $currency THEN 1 ELSE 0 END AS is_local,
    CASE
        WHEN r.last_paid_month > a.opened_month THEN r.last_paid_month ELSE a.opened_month
    END AS last_activity_month,
    CASE
        WHEN r.first_month < a.opened_month THEN 1
        WHEN r.final_months > (
            CASE WHEN r.last_status IN ('settled', 'closed', 'transferred') THEN 1 ELSE 0 END
        ) THEN 1
        ELSE 0
    END AS irregular
FROM accounts AS a
JOIN account_rows AS r ON r.person = a.person AND r.account = a.account
