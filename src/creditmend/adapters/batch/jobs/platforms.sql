-- Output: platforms.parquet, `indicators.platform_indicators` for every person and platform.
-- COALESCE(..., 0) also tells both engines that the column is never null (see indicators.sql).
SELECT
    COALESCE(person, 0) AS person,
    COALESCE(furnisher, '') AS furnisher,
    COALESCE(kind, '') AS kind,
    COALESCE(CAST(accounts AS BIGINT), 0) AS accounts,
    COALESCE(CAST(accounts_open AS BIGINT), 0) AS accounts_open,
    COALESCE(CAST(outstanding_balance_fen AS BIGINT), 0) AS outstanding_balance_fen,
    COALESCE(CAST(monthly_obligations_fen AS BIGINT), 0) AS monthly_obligations_fen,
    COALESCE(CAST(months_since_activity AS BIGINT), 0) AS months_since_activity,
    COALESCE(dormant = 1, FALSE) AS dormant
FROM platform_state
