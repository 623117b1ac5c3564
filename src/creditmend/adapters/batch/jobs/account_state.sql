-- One row per account shown: its terms and its state (its last furnished month, as `accounts`
-- carries it), and what the grid of a regular account reads besides its furnished months.
--
-- An account is "irregular" when its grid depends on the order of its months: a month
-- furnished before the opening month (it reads `/` and must not count), or an ending month
-- (settled, closed, transferred) followed by later furnished months (the ending code is carried
-- only up to the next furnished month). Every other account's grid follows from counts alone:
-- furnished months read their own code; the other months from the opening read `#`, except
-- those after a last month that ended the account, which carry its code (`carried_*`). So a
-- regular account's `#` months are `span_*` (its months from the opening in the window) less
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
    -- months from the opening, in the last 6, 12, 24, 60 months
    GREATEST(0, $as_of_month - GREATEST(opened_month, $as_of_month - 5) + 1) AS span_6m,
    GREATEST(0, $as_of_month - GREATEST(opened_month, $as_of_month - 11) + 1) AS span_12m,
    GREATEST(0, $as_of_month - GREATEST(opened_month, $as_of_month - 23) + 1) AS span_24m,
    GREATEST(0, $as_of_month - GREATEST(opened_month, $as_of_month - 59) + 1) AS span_60m,
    -- of them, those after the last month when it ended the account
    CASE WHEN last_status IN ('settled', 'closed', 'transferred') THEN
        GREATEST(0, $as_of_month - GREATEST(last_month + 1, $as_of_month - 5) + 1)
    ELSE 0 END AS carried_6m,
    CASE WHEN last_status IN ('settled', 'closed', 'transferred') THEN
        GREATEST(0, $as_of_month - GREATEST(last_month + 1, $as_of_month - 11) + 1)
    ELSE 0 END AS carried_12m,
    CASE WHEN last_status IN ('settled', 'closed', 'transferred') THEN
        GREATEST(0, $as_of_month - GREATEST(last_month + 1, $as_of_month - 23) + 1)
    ELSE 0 END AS carried_24m,
    CASE WHEN last_status IN ('settled', 'closed', 'transferred') THEN
        GREATEST(0, $as_of_month - GREATEST(last_month + 1, $as_of_month - 59) + 1)
    ELSE 0 END AS carried_60m
FROM accounts
