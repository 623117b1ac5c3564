-- Untrustworthy information, blacklist and the expiry timeline, one row per person with any.
SELECT
    person,
    COUNT(CASE WHEN source = 'public_record' THEN 1 END) AS public_records,
    COUNT(CASE WHEN kind = 'dishonest_judgment_debtor' THEN 1 END)
        AS public_records_dishonest_judgment_debtor,
    COUNT(CASE WHEN kind = 'enforced_debtor' THEN 1 END) AS public_records_enforced_debtor,
    COUNT(CASE WHEN kind = 'consumption_restriction' THEN 1 END)
        AS public_records_consumption_restriction,
    COUNT(CASE WHEN source = 'blacklist' THEN 1 END) AS blacklist_entries,
    COUNT(CASE WHEN source = 'negative' THEN 1 END) AS negative_records,
    COUNT(CASE WHEN source = 'negative' AND expires_on IS NULL THEN 1 END)
        AS negative_uncured,
    MIN(expires_on) AS next_expiry_on
FROM (
    SELECT person, 'public_record' AS source, kind, CAST(NULL AS DATE) AS expires_on
    FROM public_records
    UNION ALL
    SELECT person, 'blacklist' AS source, CAST(NULL AS STRING) AS kind,
        CAST(NULL AS DATE) AS expires_on
    FROM blacklist
    UNION ALL
    SELECT person, 'negative' AS source, CAST(NULL AS STRING) AS kind, expires_on
    FROM negative
) AS records
GROUP BY person
