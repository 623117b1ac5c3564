-- One row per account with an overdue month (the profile's codes) in the 60-month grid: a bit
-- mask of those in the overdue pattern's window (cn: 24 months; bit k set: the month k months
-- before the as-of month is overdue), their number, and the latest overdue month. A month
-- furnished before the opening counts here; irregular_accounts.sql recounts those accounts.
-- Only furnished months can be overdue: the months a grid carries read an ending code, never an
-- overdue one (`jobs.parameters` refuses a profile where they could).
SELECT
    account,
    SUM(
        CASE WHEN month > $as_of_month - $pattern_window
        THEN CAST(POWER(2, $as_of_month - month) AS BIGINT) ELSE 0 END
    ) AS overdue_mask_24m,
    SUM(CASE WHEN month > $as_of_month - $pattern_window THEN 1 ELSE 0 END) AS overdue_24m,
    MAX(month) AS last_overdue_month
FROM account_months
WHERE month > $as_of_month - 60 AND code IN ($overdue_codes)
GROUP BY account
