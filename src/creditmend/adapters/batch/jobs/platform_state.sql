-- One row per person and platform (furnisher): section 5's lines and the activity indicators.
-- A furnisher's kind is the same on all its accounts (the registry's); MIN picks it. `dormant`
-- (1 or 0) is decided here once, for platforms.sql and person_platforms.sql: an open account
-- and no activity for the profile's `dormant_months` (cn: 6).
SELECT
    person,
    furnisher,
    MIN(furnisher_kind) AS kind,
    COUNT(*) AS accounts,
    SUM(is_open) AS accounts_open,
    SUM(is_settled) AS accounts_settled,
    SUM(CASE WHEN is_open = 1 AND is_local = 1 THEN last_balance_fen ELSE 0 END)
        AS outstanding_balance_fen,
    SUM(CASE WHEN is_open = 1 AND is_local = 1 THEN last_scheduled_fen ELSE 0 END)
        AS monthly_obligations_fen,
    $as_of_month - MAX(last_activity_month) AS months_since_activity,
    CASE
        WHEN SUM(is_open) > 0 AND $as_of_month - MAX(last_activity_month) >= $dormant_months
        THEN 1 ELSE 0
    END AS dormant
FROM account_state
GROUP BY person, furnisher
