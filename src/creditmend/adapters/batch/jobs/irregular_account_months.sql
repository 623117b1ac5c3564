-- The furnished months of irregular accounts (see account_state.sql), with their opening month.
SELECT
    m.person,
    m.account,
    m.month,
    m.code,
    m.status,
    s.opened_month
FROM account_months AS m
JOIN account_state AS s ON s.account = m.account
WHERE s.irregular = 1
