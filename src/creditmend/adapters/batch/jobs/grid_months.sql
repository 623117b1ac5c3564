-- Account-months of the 60-month grids as (person, code, months, furnished): summed per person
-- and code, with the months of regular accounts that person_accounts.sql counts (`#` and carried
-- `C`), they are the `months_*` indicators.
--
-- `months` packs the months in the last 6, 12, 24 and 60 months into one BIGINT, 16 bits each:
--     months_60m + 65536 * months_24m + 4294967296 * months_12m + 281474976710656 * months_6m
-- so that one SUM counts the four windows (packing is linear: the sum of packed counts is the
-- packed sum, negative terms included), and grid_counts.sql pivots a quarter of the sums.
-- indicators.sql unpacks the four fields with `&` and a division by their power of 2 (no shift,
-- no integer division: the engines differ on them). A field holds a person's months at one
-- code: 60 a month per account at most, so up to 1092 accounts shown in 60 months (65535 / 60)
-- the fields cannot overflow; the 6-month field, the top one, stays below 2^15 (the sign bit)
-- for up to 5461 accounts.
--
-- - every furnished month reads its own code (`furnished` = 1: grid_counts.sql takes it back
--   from `#`); irregular_months.sql takes back those before an opening, and gives the other
--   months of irregular accounts;
-- - the carried months of regular accounts ended by a code other than `C` (`G`, `D`, `Z`: rare).
SELECT
    person,
    code,
    CAST(SUM(
        CASE
            WHEN month > $as_of_month - 6 THEN 1 + 65536 + 4294967296 + 281474976710656
            WHEN month > $as_of_month - 12 THEN 1 + 65536 + 4294967296
            WHEN month > $as_of_month - 24 THEN 1 + 65536
            ELSE 1
        END
    ) AS BIGINT) AS months,
    1 AS furnished
FROM account_months
WHERE month > $as_of_month - 60
GROUP BY person, code
UNION ALL
SELECT
    person,
    last_code AS code,
    carried AS months,
    0 AS furnished
FROM account_state
WHERE irregular = 0 AND carried > 0 AND last_code <> 'C'
UNION ALL
SELECT
    person,
    code,
    months,
    0 AS furnished
FROM irregular_months
