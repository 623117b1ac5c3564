-- The unfurnished months of irregular accounts, read month by month as `repayment_grid` does,
-- as (person, code, months in the last 6, 12, 24, 60 months packed), to be added to the furnished
-- months counted in grid_months.sql:
-- - after each month on or after the opening, up to the next such month (or the as-of month):
--   that month's code if it ended the account (settled, closed, transferred), else `#`;
-- - from the opening up to the first month on or after it: `#`;
-- - a month furnished before the opening reads `/`: it is taken back (counted -1);
-- - every furnished month is given back to `#`, from which grid_months.sql takes the furnished
--   months of all accounts.
WITH shown AS (
    SELECT
        person,
        month,
        code,
        status,
        LEAD(month, 1, $as_of_month + 1) OVER (
            PARTITION BY person, account ORDER BY month
        ) AS next_month
    FROM irregular_account_months
    WHERE month >= opened_month
),

spans AS (
    SELECT
        person,
        CASE WHEN status IN ('settled', 'closed', 'transferred') THEN code ELSE '#' END AS code,
        month + 1 AS first_month,
        next_month - 1 AS last_month,
        1 AS sign
    FROM shown
    UNION ALL
    SELECT
        person,
        '#' AS code,
        opened_month AS first_month,
        first_shown_month - 1 AS last_month,
        1 AS sign
    FROM irregular_accounts
    UNION ALL
    SELECT
        person,
        code,
        month AS first_month,
        month AS last_month,
        -1 AS sign
    FROM irregular_account_months
    WHERE month < opened_month
    UNION ALL
    SELECT
        person,
        '#' AS code,
        month AS first_month,
        month AS last_month,
        1 AS sign
    FROM irregular_account_months
)

SELECT
    person,
    code,
    -- the months of the span in the last 60, 24, 12 and 6 months, packed (see grid_months.sql)
    sign * (
        GREATEST(
            0, LEAST(last_month, $as_of_month) - GREATEST(first_month, $as_of_month - 59) + 1
        )
        + 65536 * GREATEST(
            0, LEAST(last_month, $as_of_month) - GREATEST(first_month, $as_of_month - 23) + 1
        )
        + 4294967296 * GREATEST(
            0, LEAST(last_month, $as_of_month) - GREATEST(first_month, $as_of_month - 11) + 1
        )
        + 281474976710656 * GREATEST(
            0, LEAST(last_month, $as_of_month) - GREATEST(first_month, $as_of_month - 5) + 1
        )
    ) AS months
FROM spans
