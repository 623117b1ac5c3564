-- One row per account shown: its terms and its state (its last furnished month, as `accounts`
-- carries it), and what the grid of a regular account reads besides its furnished months.
--
-- An account is "irregular" when its grid depends on the order of its months: a month
-- furnished before the opening month (it reads `/` and must not count), or an ending month
-- (settled, closed, transferred) followed by later furnished months (the ending code is carried
-- only up to the next furnished month). Every other account's grid follows from counts alone:
-- furnished months read their own code; the other months from the opening read `#`, except
-- those after a last month that ended the account, which carry its code (`carried`). So a
-- regular account's `#` months are `span` (its months from the opening in the windows) less
-- the carried ones less the furnished ones, which grid_counts.sql takes back. Irregular accounts
-- (rare in real data) are read month by month in irregular_months.sql.
SELECT
    person,
    account,
    furnisher,
    furnisher_kind,
    opened_on,
    opened_month,
    principal_fen,
    credit_limit_fen,
    last_month,
    last_code,
    last_days_past_due,
    last_scheduled_fen,
    last_balance_fen,
    last_past_due_fen,
    CASE WHEN last_status IN ('open', 'restructured', 'charged_off') THEN 1 ELSE 0 END AS is_open,
    CASE WHEN last_status IN ('settled', 'closed') THEN 1 ELSE 0 END AS is_settled,
    CASE WHEN currency = $currency THEN 1 ELSE 0 END AS is_local,
    CASE
        WHEN last_paid_month > opened_month THEN last_paid_month ELSE opened_month
    END AS last_activity_month,
    CASE
        WHEN first_month < opened_month THEN 1
        WHEN ended_month < last_month THEN 1
        ELSE 0
    END AS irregular,
    -- months from the opening in the last 6, 12, 24, 60 months, packed (see grid_months.sql)
    GREATEST(0, LEAST(60, $as_of_month - opened_month + 1))
    + 65536 * GREATEST(0, LEAST(24, $as_of_month - opened_month + 1))
    + 4294967296 * GREATEST(0, LEAST(12, $as_of_month - opened_month + 1))
    + 281474976710656 * GREATEST(0, LEAST(6, $as_of_month - opened_month + 1)) AS span,
    -- of them, those after the last month when it ended the account, packed
    CASE WHEN last_status IN ('settled', 'closed', 'transferred') THEN
        GREATEST(0, LEAST(60, $as_of_month - last_month))
        + 65536 * GREATEST(0, LEAST(24, $as_of_month - last_month))
        + 4294967296 * GREATEST(0, LEAST(12, $as_of_month - last_month))
        + 281474976710656 * GREATEST(0, LEAST(6, $as_of_month - last_month))
    ELSE 0 END AS carried
FROM accounts
