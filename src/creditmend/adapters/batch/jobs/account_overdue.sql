-- One row per account with an overdue month (`1`..`7`, `B`) in the last 24 months: a bit mask
-- (bit k set: the month k months before the as-of month is overdue) and their number. A month
-- furnished before the opening counts here; irregular_accounts.sql recounts those accounts.
SELECT
    account,
    SUM(CAST(POWER(2, $as_of_month - month) AS BIGINT)) AS overdue_mask_24m,
    COUNT(*) AS overdue_24m
FROM account_months
WHERE month > $as_of_month - 24 AND code IN ('1', '2', '3', '4', '5', '6', '7', 'B')
GROUP BY account
