-- Hard inquiries of the last 365 days ("in N days": the as-of day and the N-1 days before it),
-- one row per person and asking furnisher (and its kind): how many in each window, and the
-- latest day (the furnisher is one of the institutions of every window that day is in).
SELECT
    person,
    furnisher,
    furnisher_kind,
    MAX(day) AS last_day,
    COUNT(CASE WHEN day > $as_of_day - 7 THEN 1 END) AS in_7d,
    COUNT(CASE WHEN day > $as_of_day - 15 THEN 1 END) AS in_15d,
    COUNT(CASE WHEN day > $as_of_day - 30 THEN 1 END) AS in_30d,
    COUNT(CASE WHEN day > $as_of_day - 90 THEN 1 END) AS in_90d,
    COUNT(CASE WHEN day > $as_of_day - 180 THEN 1 END) AS in_180d,
    COUNT(*) AS in_365d
FROM inquiries
WHERE hard AND day > $as_of_day - 365
GROUP BY person, furnisher, furnisher_kind
