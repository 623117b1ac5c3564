-- One row per account with an overdue month (the profile's codes) in the overdue pattern's
-- window (cn: 24 months): a bit mask (bit k set: the month k months before the as-of month is overdue) and their number. A month
-- furnished before the opening counts here; irregular_accounts.sql recounts those accounts.
SELECT
    account,
    SUM(CAST(POWER(2, $as_of_month - month) AS BIGINT)) AS overdue_mask_24m,
    COUNT(*) AS overdue_24m
FROM account_months
WHERE month > $as_of_month - $pattern_window AND code IN ($overdue_codes)
GROUP BY account
