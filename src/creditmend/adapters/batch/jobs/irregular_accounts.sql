-- One row per irregular account: its first month on or after the opening (the months before it
-- read `#`; none: every month from the opening reads `#`) and its overdue months of the last 24
-- counted from the opening only (months before the opening read `/`), and its latest overdue
-- month of the 60-month grid, likewise.
SELECT
    person,
    account,
    MIN(opened_month) AS opened_month,
    COALESCE(
        MIN(CASE WHEN month >= opened_month THEN month END), $as_of_month + 1
    ) AS first_shown_month,
    SUM(
        CASE
            WHEN month >= opened_month AND month > $as_of_month - $pattern_window
                AND code IN ($overdue_codes)
            THEN CAST(POWER(2, $as_of_month - month) AS BIGINT)
            ELSE 0
        END
    ) AS overdue_mask_24m,
    SUM(
        CASE
            WHEN month >= opened_month AND month > $as_of_month - $pattern_window
                AND code IN ($overdue_codes)
            THEN 1
            ELSE 0
        END
    ) AS overdue_24m,
    MAX(
        CASE
            WHEN month >= opened_month AND month > $as_of_month - 60
                AND code IN ($overdue_codes)
            THEN month
        END
    ) AS last_overdue_month
FROM irregular_account_months
GROUP BY person, account
