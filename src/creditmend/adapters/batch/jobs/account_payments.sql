-- One row per account furnished in the last 6 months (months before the opening too): paid and
-- scheduled, and a bit mask of the months with a payment (bit k: k months before the as-of month).
SELECT
    account,
    SUM(paid_fen) AS paid_6m,
    SUM(scheduled_fen) AS scheduled_6m,
    SUM(
        CASE WHEN paid_fen > 0 THEN CAST(POWER(2, $as_of_month - month) AS BIGINT) ELSE 0 END
    ) AS paid_mask_6m
FROM account_months
WHERE month > $as_of_month - 6
GROUP BY account
