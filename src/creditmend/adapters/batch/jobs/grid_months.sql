-- Account-months of the 60-month grids as (person, code, months in the last 6, 12, 24, 60
-- months); summed per person and code they are the `months_*` indicators.
WITH regular AS (
    SELECT
        person,
        last_code,
        is_ended,
        -- months from the opening, not furnished
        GREATEST(0, $as_of_month - GREATEST(opened_month, $as_of_month - 5) + 1)
            - furnished_6m AS gap_6m,
        GREATEST(0, $as_of_month - GREATEST(opened_month, $as_of_month - 11) + 1)
            - furnished_12m AS gap_12m,
        GREATEST(0, $as_of_month - GREATEST(opened_month, $as_of_month - 23) + 1)
            - furnished_24m AS gap_24m,
        GREATEST(0, $as_of_month - GREATEST(opened_month, $as_of_month - 59) + 1)
            - furnished_60m AS gap_60m,
        -- of them, those after the last month: its code when it ended the account
        is_ended * GREATEST(0, $as_of_month - GREATEST(last_month + 1, $as_of_month - 5) + 1)
            AS carried_6m,
        is_ended * GREATEST(0, $as_of_month - GREATEST(last_month + 1, $as_of_month - 11) + 1)
            AS carried_12m,
        is_ended * GREATEST(0, $as_of_month - GREATEST(last_month + 1, $as_of_month - 23) + 1)
            AS carried_24m,
        is_ended * GREATEST(0, $as_of_month - GREATEST(last_month + 1, $as_of_month - 59) + 1)
            AS carried_60m
    FROM account_state
    WHERE irregular = 0
)

-- every furnished month reads its own code (irregular_months takes back those before opening)
SELECT
    person,
    code,
    COUNT(CASE WHEN month > $as_of_month - 6 THEN 1 END) AS m6,
    COUNT(CASE WHEN month > $as_of_month - 12 THEN 1 END) AS m12,
    COUNT(CASE WHEN month > $as_of_month - 24 THEN 1 END) AS m24,
    COUNT(*) AS m60
FROM account_months
WHERE month > $as_of_month - 60
GROUP BY person, code
UNION ALL
SELECT
    person,
    '#' AS code,
    gap_6m - carried_6m AS m6,
    gap_12m - carried_12m AS m12,
    gap_24m - carried_24m AS m24,
    gap_60m - carried_60m AS m60
FROM regular
WHERE gap_60m > carried_60m
UNION ALL
SELECT
    person,
    last_code AS code,
    carried_6m AS m6,
    carried_12m AS m12,
    carried_24m AS m24,
    carried_60m AS m60
FROM regular
WHERE carried_60m > 0
UNION ALL
SELECT
    person,
    code,
    m6,
    m12,
    m24,
    m60
FROM irregular_months
