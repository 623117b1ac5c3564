-- The months_* indicators: account-months at each grid code, one row per person, each column
-- the four windows packed as grid_months.sql packs them (indicators.sql unpacks them, sums the
-- overdue months and adds the months of regular accounts person_accounts.sql counts). `#` is
-- what grid_months.sql counts as `#` less every furnished month (a furnished month never reads
-- `#`).
--
-- A pivot: one conditional sum per code. Every sum costs an update per input row, so the four
-- codes nearly every person has (`N`, `C`, `*`, `#`) are pivoted over all rows and the twelve
-- others over the few rows that have them, then joined.
WITH common AS (
    SELECT
        person,
        SUM(CASE WHEN code = 'N' THEN months ELSE 0 END) AS months_n,
        SUM(CASE WHEN code = 'C' THEN months ELSE 0 END) AS months_c,
        SUM(CASE WHEN code = '*' THEN months ELSE 0 END) AS months_none_due,
        SUM(CASE WHEN code = '#' THEN months ELSE 0 END - furnished * months) AS months_unknown
    FROM grid_months
    GROUP BY person
),

rare AS (
    SELECT
        person,
        SUM(CASE WHEN code = 'M' THEN months ELSE 0 END) AS months_m,
        SUM(CASE WHEN code = '1' THEN months ELSE 0 END) AS months_o1,
        SUM(CASE WHEN code = '2' THEN months ELSE 0 END) AS months_o2,
        SUM(CASE WHEN code = '3' THEN months ELSE 0 END) AS months_o3,
        SUM(CASE WHEN code = '4' THEN months ELSE 0 END) AS months_o4,
        SUM(CASE WHEN code = '5' THEN months ELSE 0 END) AS months_o5,
        SUM(CASE WHEN code = '6' THEN months ELSE 0 END) AS months_o6,
        SUM(CASE WHEN code = '7' THEN months ELSE 0 END) AS months_o7,
        SUM(CASE WHEN code = 'G' THEN months ELSE 0 END) AS months_g,
        SUM(CASE WHEN code = 'D' THEN months ELSE 0 END) AS months_d,
        SUM(CASE WHEN code = 'Z' THEN months ELSE 0 END) AS months_z,
        SUM(CASE WHEN code = 'B' THEN months ELSE 0 END) AS months_b
    FROM grid_months
    WHERE code NOT IN ('N', 'C', '*', '#')
    GROUP BY person
)

-- Sums cast back to BIGINT (DuckDB sums to HUGEINT): half the width to carry through the join.
SELECT
    c.person,
    CAST(c.months_n AS BIGINT) AS months_n,
    CAST(COALESCE(r.months_m, 0) AS BIGINT) AS months_m,
    CAST(COALESCE(r.months_o1, 0) AS BIGINT) AS months_o1,
    CAST(COALESCE(r.months_o2, 0) AS BIGINT) AS months_o2,
    CAST(COALESCE(r.months_o3, 0) AS BIGINT) AS months_o3,
    CAST(COALESCE(r.months_o4, 0) AS BIGINT) AS months_o4,
    CAST(COALESCE(r.months_o5, 0) AS BIGINT) AS months_o5,
    CAST(COALESCE(r.months_o6, 0) AS BIGINT) AS months_o6,
    CAST(COALESCE(r.months_o7, 0) AS BIGINT) AS months_o7,
    CAST(c.months_c AS BIGINT) AS months_c,
    CAST(COALESCE(r.months_g, 0) AS BIGINT) AS months_g,
    CAST(COALESCE(r.months_d, 0) AS BIGINT) AS months_d,
    CAST(COALESCE(r.months_z, 0) AS BIGINT) AS months_z,
    CAST(COALESCE(r.months_b, 0) AS BIGINT) AS months_b,
    CAST(c.months_none_due AS BIGINT) AS months_none_due,
    CAST(c.months_unknown AS BIGINT) AS months_unknown
FROM common AS c
LEFT JOIN rare AS r ON r.person = c.person
