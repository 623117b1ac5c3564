-- Multi-head borrowing, one row per person with hard inquiries in the last 365 days: the
-- inquiries and the institutions of inquiry_furnishers.sql summed, each column three windows
-- packed as it packs them (indicators.sql unpacks them). Sums cast back to BIGINT (DuckDB sums
-- to HUGEINT): half the width to carry through the join.
SELECT
    person,
    CAST(SUM(near) AS BIGINT) AS hard_near,
    CAST(SUM(far) AS BIGINT) AS hard_far,
    CAST(SUM(institutions_near) AS BIGINT) AS institutions_near,
    CAST(SUM(institutions_far) AS BIGINT) AS institutions_far,
    CAST(SUM(bank_near) AS BIGINT) AS hard_bank_near,
    CAST(SUM(bank_far) AS BIGINT) AS hard_bank_far,
    CAST(SUM(institutions_bank_near) AS BIGINT) AS institutions_bank_near,
    CAST(SUM(institutions_bank_far) AS BIGINT) AS institutions_bank_far,
    CAST(SUM(non_bank_near) AS BIGINT) AS hard_non_bank_near,
    CAST(SUM(non_bank_far) AS BIGINT) AS hard_non_bank_far,
    CAST(SUM(institutions_non_bank_near) AS BIGINT) AS institutions_non_bank_near,
    CAST(SUM(institutions_non_bank_far) AS BIGINT) AS institutions_non_bank_far
FROM inquiry_furnishers
GROUP BY person
