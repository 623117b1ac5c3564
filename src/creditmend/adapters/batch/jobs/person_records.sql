-- Untrustworthy information, blacklist and the expiry timeline, one row per person with any.
-- A court record's `active` (in force on the as-of day) is decided by the domain
-- (`indicators.is_active`) and comes with the row; every blacklist entry shown is in force.
SELECT
    person,
    COUNT(CASE WHEN source = 'public_record' THEN 1 END) AS public_records,
    COUNT(CASE WHEN kind = 'dishonest_judgment_debtor' THEN 1 END)
        AS public_records_dishonest_judgment_debtor,
    COUNT(CASE WHEN kind = 'enforced_debtor' THEN 1 END) AS public_records_enforced_debtor,
    COUNT(CASE WHEN kind = 'consumption_restriction' THEN 1 END)
        AS public_records_consumption_restriction,
    COUNT(CASE WHEN source = 'public_record' AND active THEN 1 END) AS public_records_active,
    COUNT(CASE WHEN kind = 'dishonest_judgment_debtor' AND active THEN 1 END)
        AS public_records_active_dishonest_judgment_debtor,
    COUNT(CASE WHEN source = 'blacklist' THEN 1 END) AS blacklist_entries,
    COUNT(CASE WHEN source = 'negative' THEN 1 END) AS negative_records,
    COUNT(CASE WHEN source = 'negative' AND expires_on IS NULL THEN 1 END)
        AS negative_uncured,
    MIN(expires_on) AS next_expiry_on
FROM (
    SELECT person, 'public_record' AS source, kind, active, CAST(NULL AS DATE) AS expires_on
    FROM public_records
    UNION ALL
    SELECT person, 'blacklist' AS source, CAST(NULL AS STRING) AS kind,
        CAST(NULL AS BOOLEAN) AS active, CAST(NULL AS DATE) AS expires_on
    FROM blacklist
    UNION ALL
    SELECT person, 'negative' AS source, CAST(NULL AS STRING) AS kind,
        CAST(NULL AS BOOLEAN) AS active, expires_on
    FROM negative
) AS records
GROUP BY person
