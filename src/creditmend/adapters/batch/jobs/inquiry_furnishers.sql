-- Hard inquiries of the last 365 days ("in N days": the as-of day and the N-1 days before it),
-- one row per person and asking furnisher: how many in each window, of any kind, of kind `bank`
-- and of kind `non_bank`; and in which windows the furnisher is one of the institutions asking
-- (of any kind, of each kind): those its latest day (of that kind) is in. A missing or empty
-- asker is no institution. Grouping by the furnisher alone (not by its kind too) counts an
-- institution once however many kinds its inquiries give, without a window function.
--
-- Windows are packed three to a BIGINT, 21 bits each (see grid_months.sql for why packing):
--     near = in_7d + 2097152 * in_15d + 4398046511104 * in_30d
--     far = in_90d + 2097152 * in_180d + 4398046511104 * in_365d
-- A field counts a person's hard inquiries (or institutions) in a window: it holds up to
-- 2,097,151, over 5,700 a day for a year; the top field ends below the sign bit.
WITH hard AS (
    SELECT
        person,
        furnisher,
        furnisher_kind,
        day,
        CASE
            WHEN day > $as_of_day - 7 THEN 1 + 2097152 + 4398046511104
            WHEN day > $as_of_day - 15 THEN 2097152 + 4398046511104
            WHEN day > $as_of_day - 30 THEN 4398046511104
            ELSE 0
        END AS near,
        CASE
            WHEN day > $as_of_day - 90 THEN 1 + 2097152 + 4398046511104
            WHEN day > $as_of_day - 180 THEN 2097152 + 4398046511104
            ELSE 4398046511104
        END AS far
    FROM inquiries
    WHERE hard AND day > $as_of_day - 365
),

askers AS (
    SELECT
        person,
        furnisher,
        MAX(day) AS last_day,
        MAX(CASE WHEN furnisher_kind = 'bank' THEN day END) AS last_bank_day,
        MAX(CASE WHEN furnisher_kind = 'non_bank' THEN day END) AS last_non_bank_day,
        SUM(near) AS near,
        SUM(far) AS far,
        SUM(CASE WHEN furnisher_kind = 'bank' THEN near ELSE 0 END) AS bank_near,
        SUM(CASE WHEN furnisher_kind = 'bank' THEN far ELSE 0 END) AS bank_far,
        SUM(CASE WHEN furnisher_kind = 'non_bank' THEN near ELSE 0 END) AS non_bank_near,
        SUM(CASE WHEN furnisher_kind = 'non_bank' THEN far ELSE 0 END) AS non_bank_far
    FROM hard
    GROUP BY person, furnisher
),

-- the institutions' windows: those of their latest day, packed as `near` and `far` are
named AS (
    SELECT
        *,
        CASE WHEN furnisher <> '' THEN last_day END AS day,
        CASE WHEN furnisher <> '' THEN last_bank_day END AS bank_day,
        CASE WHEN furnisher <> '' THEN last_non_bank_day END AS non_bank_day
    FROM askers
)

SELECT
    person,
    near,
    far,
    bank_near,
    bank_far,
    non_bank_near,
    non_bank_far,
    CASE
        WHEN day > $as_of_day - 7 THEN 1 + 2097152 + 4398046511104
        WHEN day > $as_of_day - 15 THEN 2097152 + 4398046511104
        WHEN day > $as_of_day - 30 THEN 4398046511104
        ELSE 0
    END AS institutions_near,
    CASE
        WHEN day > $as_of_day - 90 THEN 1 + 2097152 + 4398046511104
        WHEN day > $as_of_day - 180 THEN 2097152 + 4398046511104
        WHEN day > $as_of_day - 365 THEN 4398046511104
        ELSE 0
    END AS institutions_far,
    CASE
        WHEN bank_day > $as_of_day - 7 THEN 1 + 2097152 + 4398046511104
        WHEN bank_day > $as_of_day - 15 THEN 2097152 + 4398046511104
        WHEN bank_day > $as_of_day - 30 THEN 4398046511104
        ELSE 0
    END AS institutions_bank_near,
    CASE
        WHEN bank_day > $as_of_day - 90 THEN 1 + 2097152 + 4398046511104
        WHEN bank_day > $as_of_day - 180 THEN 2097152 + 4398046511104
        WHEN bank_day > $as_of_day - 365 THEN 4398046511104
        ELSE 0
    END AS institutions_bank_far,
    CASE
        WHEN non_bank_day > $as_of_day - 7 THEN 1 + 2097152 + 4398046511104
        WHEN non_bank_day > $as_of_day - 15 THEN 2097152 + 4398046511104
        WHEN non_bank_day > $as_of_day - 30 THEN 4398046511104
        ELSE 0
    END AS institutions_non_bank_near,
    CASE
        WHEN non_bank_day > $as_of_day - 90 THEN 1 + 2097152 + 4398046511104
        WHEN non_bank_day > $as_of_day - 180 THEN 2097152 + 4398046511104
        WHEN non_bank_day > $as_of_day - 365 THEN 4398046511104
        ELSE 0
    END AS institutions_non_bank_far
FROM named
