-- Account-months of the 60-month grids as (person, code, months in the last 6, 12, 24, 60
-- months, furnished): summed per person and code, with the months of regular accounts that
-- person_accounts.sql counts (`#` and carried `C`), they are the `months_*` indicators.
--
-- - every furnished month reads its own code (`furnished` = 1: grid_counts.sql takes it back
--   from `#`); irregular_months.sql takes back those before an opening, and gives the other
--   months of irregular accounts;
-- - the carried months of regular accounts ended by a code other than `C` (`G`, `D`, `Z`: rare).
SELECT
    person,
    code,
    COUNT(CASE WHEN month > $as_of_month - 6 THEN 1 END) AS m6,
    COUNT(CASE WHEN month > $as_of_month - 12 THEN 1 END) AS m12,
    COUNT(CASE WHEN month > $as_of_month - 24 THEN 1 END) AS m24,
    COUNT(*) AS m60,
    1 AS furnished
FROM account_months
WHERE month > $as_of_month - 60
GROUP BY person, code
UNION ALL
SELECT
    person,
    last_code AS code,
    carried_6m AS m6,
    carried_12m AS m12,
    carried_24m AS m24,
    carried_60m AS m60,
    0 AS furnished
FROM account_state
WHERE irregular = 0 AND carried_60m > 0 AND last_code <> 'C'
UNION ALL
SELECT
    person,
    code,
    m6,
    m12,
    m24,
    m60,
    0 AS furnished
FROM irregular_months
