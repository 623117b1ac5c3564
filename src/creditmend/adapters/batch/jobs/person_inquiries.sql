-- Multi-head borrowing, one row per person with hard inquiries in the last 365 days.
-- Each row of inquiry_furnishers is one asker of one kind: the institutions of a kind are its
-- rows whose asker is named (`named_kind`: a missing or empty asker is no institution); the
-- institutions of any kind are the askers named, each counted on one row only.
WITH askers AS (
    SELECT
        *,
        CASE WHEN furnisher <> '' THEN furnisher_kind END AS named_kind,
        CASE
            WHEN furnisher <> '' AND ROW_NUMBER() OVER (
                PARTITION BY person, furnisher ORDER BY last_day DESC
            ) = 1 THEN 1
            ELSE 0
        END AS asker
    FROM inquiry_furnishers
)

SELECT
    person,
    SUM(in_7d) AS hard_inquiries_7d,
    COUNT(CASE WHEN asker = 1 AND last_day > $as_of_day - 7 THEN 1 END)
        AS institutions_7d,
    SUM(CASE WHEN furnisher_kind = 'bank' THEN in_7d ELSE 0 END) AS hard_inquiries_bank_7d,
    COUNT(CASE WHEN named_kind = 'bank' AND last_day > $as_of_day - 7 THEN 1 END)
        AS institutions_bank_7d,
    SUM(CASE WHEN furnisher_kind = 'non_bank' THEN in_7d ELSE 0 END) AS hard_inquiries_non_bank_7d,
    COUNT(CASE WHEN named_kind = 'non_bank' AND last_day > $as_of_day - 7 THEN 1 END)
        AS institutions_non_bank_7d,
    SUM(in_15d) AS hard_inquiries_15d,
    COUNT(CASE WHEN asker = 1 AND last_day > $as_of_day - 15 THEN 1 END)
        AS institutions_15d,
    SUM(CASE WHEN furnisher_kind = 'bank' THEN in_15d ELSE 0 END) AS hard_inquiries_bank_15d,
    COUNT(CASE WHEN named_kind = 'bank' AND last_day > $as_of_day - 15 THEN 1 END)
        AS institutions_bank_15d,
    SUM(CASE WHEN furnisher_kind = 'non_bank' THEN in_15d ELSE 0 END) AS hard_inquiries_non_bank_15d,
    COUNT(CASE WHEN named_kind = 'non_bank' AND last_day > $as_of_day - 15 THEN 1 END)
        AS institutions_non_bank_15d,
    SUM(in_30d) AS hard_inquiries_30d,
    COUNT(CASE WHEN asker = 1 AND last_day > $as_of_day - 30 THEN 1 END)
        AS institutions_30d,
    SUM(CASE WHEN furnisher_kind = 'bank' THEN in_30d ELSE 0 END) AS hard_inquiries_bank_30d,
    COUNT(CASE WHEN named_kind = 'bank' AND last_day > $as_of_day - 30 THEN 1 END)
        AS institutions_bank_30d,
    SUM(CASE WHEN furnisher_kind = 'non_bank' THEN in_30d ELSE 0 END) AS hard_inquiries_non_bank_30d,
    COUNT(CASE WHEN named_kind = 'non_bank' AND last_day > $as_of_day - 30 THEN 1 END)
        AS institutions_non_bank_30d,
    SUM(in_90d) AS hard_inquiries_90d,
    COUNT(CASE WHEN asker = 1 AND last_day > $as_of_day - 90 THEN 1 END)
        AS institutions_90d,
    SUM(CASE WHEN furnisher_kind = 'bank' THEN in_90d ELSE 0 END) AS hard_inquiries_bank_90d,
    COUNT(CASE WHEN named_kind = 'bank' AND last_day > $as_of_day - 90 THEN 1 END)
        AS institutions_bank_90d,
    SUM(CASE WHEN furnisher_kind = 'non_bank' THEN in_90d ELSE 0 END) AS hard_inquiries_non_bank_90d,
    COUNT(CASE WHEN named_kind = 'non_bank' AND last_day > $as_of_day - 90 THEN 1 END)
        AS institutions_non_bank_90d,
    SUM(in_180d) AS hard_inquiries_180d,
    COUNT(CASE WHEN asker = 1 AND last_day > $as_of_day - 180 THEN 1 END)
        AS institutions_180d,
    SUM(CASE WHEN furnisher_kind = 'bank' THEN in_180d ELSE 0 END) AS hard_inquiries_bank_180d,
    COUNT(CASE WHEN named_kind = 'bank' AND last_day > $as_of_day - 180 THEN 1 END)
        AS institutions_bank_180d,
    SUM(CASE WHEN furnisher_kind = 'non_bank' THEN in_180d ELSE 0 END) AS hard_inquiries_non_bank_180d,
    COUNT(CASE WHEN named_kind = 'non_bank' AND last_day > $as_of_day - 180 THEN 1 END)
        AS institutions_non_bank_180d,
    SUM(in_365d) AS hard_inquiries_365d,
    COUNT(CASE WHEN asker = 1 AND last_day > $as_of_day - 365 THEN 1 END)
        AS institutions_365d,
    SUM(CASE WHEN furnisher_kind = 'bank' THEN in_365d ELSE 0 END) AS hard_inquiries_bank_365d,
    COUNT(CASE WHEN named_kind = 'bank' AND last_day > $as_of_day - 365 THEN 1 END)
        AS institutions_bank_365d,
    SUM(CASE WHEN furnisher_kind = 'non_bank' THEN in_365d ELSE 0 END) AS hard_inquiries_non_bank_365d,
    COUNT(CASE WHEN named_kind = 'non_bank' AND last_day > $as_of_day - 365 THEN 1 END)
        AS institutions_non_bank_365d
FROM askers
GROUP BY person
