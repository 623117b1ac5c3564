-- Platform counts and activity, one row per person with accounts.
SELECT
    person,
    COUNT(*) AS platforms_ever,
    COUNT(CASE WHEN accounts_open > 0 THEN 1 END) AS platforms_open,
    COUNT(CASE WHEN accounts_settled > 0 THEN 1 END) AS platforms_settled,
    COUNT(CASE WHEN accounts_open > 0 AND kind = 'bank' THEN 1 END) AS platforms_open_bank,
    COUNT(CASE WHEN accounts_open > 0 AND kind = 'non_bank' THEN 1 END) AS platforms_open_non_bank,
    MIN(months_since_activity) AS months_since_last_activity,
    SUM(dormant) AS dormant_platforms
FROM platform_state
GROUP BY person
