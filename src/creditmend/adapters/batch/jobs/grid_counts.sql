-- The months_* indicators: account-months at each grid code, one row per person, each column
-- the four windows packed as grid_months.sql packs them (indicators.sql unpacks them, sums the
-- overdue months and adds the months of regular accounts person_accounts.sql counts). `#` is
-- what grid_months.sql counts as `#` less every furnished month (a furnished month never reads
-- `#`).
--
-- A pivot: one conditional sum per code, over every row (cast back to BIGINT: DuckDB sums to
-- HUGEINT, and the join carries half the width). Packed, the sixteen sums cost less than
-- splitting off the twelve rare codes, which read grid_months.sql a second time.
SELECT
    person,
    CAST(SUM(CASE WHEN code = 'N' THEN months ELSE 0 END) AS BIGINT) AS months_n,
    CAST(SUM(CASE WHEN code = 'M' THEN months ELSE 0 END) AS BIGINT) AS months_m,
    CAST(SUM(CASE WHEN code = '1' THEN months ELSE 0 END) AS BIGINT) AS months_o1,
    CAST(SUM(CASE WHEN code = '2' THEN months ELSE 0 END) AS BIGINT) AS months_o2,
    CAST(SUM(CASE WHEN code = '3' THEN months ELSE 0 END) AS BIGINT) AS months_o3,
    CAST(SUM(CASE WHEN code = '4' THEN months ELSE 0 END) AS BIGINT) AS months_o4,
    CAST(SUM(CASE WHEN code = '5' THEN months ELSE 0 END) AS BIGINT) AS months_o5,
    CAST(SUM(CASE WHEN code = '6' THEN months ELSE 0 END) AS BIGINT) AS months_o6,
    CAST(SUM(CASE WHEN code = '7' THEN months ELSE 0 END) AS BIGINT) AS months_o7,
    CAST(SUM(CASE WHEN code = 'C' THEN months ELSE 0 END) AS BIGINT) AS months_c,
    CAST(SUM(CASE WHEN code = 'G' THEN months ELSE 0 END) AS BIGINT) AS months_g,
    CAST(SUM(CASE WHEN code = 'D' THEN months ELSE 0 END) AS BIGINT) AS months_d,
    CAST(SUM(CASE WHEN code = 'Z' THEN months ELSE 0 END) AS BIGINT) AS months_z,
    CAST(SUM(CASE WHEN code = 'B' THEN months ELSE 0 END) AS BIGINT) AS months_b,
    CAST(SUM(CASE WHEN code = '*' THEN months ELSE 0 END) AS BIGINT) AS months_none_due,
    CAST(
        SUM(CASE WHEN code = '#' THEN months ELSE 0 END - furnished * months) AS BIGINT
    ) AS months_unknown
FROM grid_months
GROUP BY person
