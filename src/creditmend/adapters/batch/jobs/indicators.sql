-- Output: indicators.parquet, one row per person of `persons`: `person` and `indicators.NAMES`
-- in order. A person without accounts, inquiries or records gets zeros, and nulls where
-- `person_indicators` has None (`jobs.NULLABLE`: first_loan_on, oldest_account_months,
-- months_since_overdue, next_expiry_on, months_since_last_activity).
-- COALESCE(..., 0) also tells both engines that the column is never null: the Parquet
-- schemas they write say so.
--
-- The months at each code and the inquiries come packed, several windows to a BIGINT (see
-- grid_months.sql and inquiry_furnishers.sql): fewer sums, and a narrower row to join. A field
-- is unpacked by masking it (`&`) and dividing by its power of 2, exact: the masked value has
-- at most 21 significant bits (both engines divide as doubles or decimals, and neither shift
-- nor integer division means the same on both). Packed sums add field by field, so the months
-- of person_accounts.sql and the overdue codes are added before unpacking.
--   months: 60m `& 65535`, 24m `& 4294901760` / 2^16, 12m `& 281470681743360` / 2^32,
--           6m `& 9223090561878065152` / 2^48
--   inquiries (`near`, `far`): 7d, 90d `& 2097151`; 15d, 180d `& 4398044413952` / 2^21;
--           30d, 365d `& 9223367638808264704` / 2^42
SELECT
    COALESCE(p.person, 0) AS person,
    COALESCE(CAST(a.accounts_ever AS BIGINT), 0) AS accounts_ever,
    COALESCE(CAST(a.accounts_open AS BIGINT), 0) AS accounts_open,
    COALESCE(CAST(a.accounts_settled AS BIGINT), 0) AS accounts_settled,
    COALESCE(CAST(pl.platforms_ever AS BIGINT), 0) AS platforms_ever,
    COALESCE(CAST(pl.platforms_open AS BIGINT), 0) AS platforms_open,
    COALESCE(CAST(pl.platforms_settled AS BIGINT), 0) AS platforms_settled,
    COALESCE(CAST(a.accounts_open_bank AS BIGINT), 0) AS accounts_open_bank,
    COALESCE(CAST(a.accounts_open_non_bank AS BIGINT), 0) AS accounts_open_non_bank,
    COALESCE(CAST(pl.platforms_open_bank AS BIGINT), 0) AS platforms_open_bank,
    COALESCE(CAST(pl.platforms_open_non_bank AS BIGINT), 0) AS platforms_open_non_bank,
    COALESCE(CAST(a.accounts_opened_6m AS BIGINT), 0) AS accounts_opened_6m,
    COALESCE(CAST(a.accounts_opened_12m AS BIGINT), 0) AS accounts_opened_12m,
    a.first_loan_on AS first_loan_on,
    CAST(a.oldest_account_months AS BIGINT) AS oldest_account_months,
    COALESCE(CAST(a.amount_borrowed_fen AS BIGINT), 0) AS amount_borrowed_fen,
    COALESCE(CAST(a.credit_limit_fen AS BIGINT), 0) AS credit_limit_fen,
    COALESCE(CAST(a.current_overdue_accounts AS BIGINT), 0) AS current_overdue_accounts,
    COALESCE(CAST(a.current_overdue_amount_fen AS BIGINT), 0) AS current_overdue_amount_fen,
    COALESCE(CAST(a.max_days_past_due AS BIGINT), 0) AS max_days_past_due,
    COALESCE(CAST((g.months_n & 9223090561878065152) / 281474976710656.0 AS BIGINT), 0)
        AS months_n_6m,
    COALESCE(CAST((g.months_m & 9223090561878065152) / 281474976710656.0 AS BIGINT), 0)
        AS months_m_6m,
    COALESCE(CAST((g.months_o1 & 9223090561878065152) / 281474976710656.0 AS BIGINT), 0)
        AS months_o1_6m,
    COALESCE(CAST((g.months_o2 & 9223090561878065152) / 281474976710656.0 AS BIGINT), 0)
        AS months_o2_6m,
    COALESCE(CAST((g.months_o3 & 9223090561878065152) / 281474976710656.0 AS BIGINT), 0)
        AS months_o3_6m,
    COALESCE(CAST((g.months_o4 & 9223090561878065152) / 281474976710656.0 AS BIGINT), 0)
        AS months_o4_6m,
    COALESCE(CAST((g.months_o5 & 9223090561878065152) / 281474976710656.0 AS BIGINT), 0)
        AS months_o5_6m,
    COALESCE(CAST((g.months_o6 & 9223090561878065152) / 281474976710656.0 AS BIGINT), 0)
        AS months_o6_6m,
    COALESCE(CAST((g.months_o7 & 9223090561878065152) / 281474976710656.0 AS BIGINT), 0)
        AS months_o7_6m,
    COALESCE(
        CAST(
            (
                (
                    COALESCE(g.months_c, 0) + COALESCE(a.carried_c_months, 0)
                ) & 9223090561878065152
            ) / 281474976710656.0 AS BIGINT
        ),
        0
    ) AS months_c_6m,
    COALESCE(CAST((g.months_g & 9223090561878065152) / 281474976710656.0 AS BIGINT), 0)
        AS months_g_6m,
    COALESCE(CAST((g.months_d & 9223090561878065152) / 281474976710656.0 AS BIGINT), 0)
        AS months_d_6m,
    COALESCE(CAST((g.months_z & 9223090561878065152) / 281474976710656.0 AS BIGINT), 0)
        AS months_z_6m,
    COALESCE(CAST((g.months_b & 9223090561878065152) / 281474976710656.0 AS BIGINT), 0)
        AS months_b_6m,
    COALESCE(CAST((g.months_none_due & 9223090561878065152) / 281474976710656.0 AS BIGINT), 0)
        AS months_none_due_6m,
    COALESCE(
        CAST(
            (
                (
                    COALESCE(g.months_unknown, 0) + COALESCE(a.unknown_months, 0)
                ) & 9223090561878065152
            ) / 281474976710656.0 AS BIGINT
        ),
        0
    ) AS months_unknown_6m,
    COALESCE(
        CAST(
            (
                (
                    $overdue_sum
                ) & 9223090561878065152
            ) / 281474976710656.0 AS BIGINT
        ),
        0
    ) AS months_overdue_6m,
    COALESCE(CAST((g.months_n & 281470681743360) / 4294967296.0 AS BIGINT), 0) AS months_n_12m,
    COALESCE(CAST((g.months_m & 281470681743360) / 4294967296.0 AS BIGINT), 0) AS months_m_12m,
    COALESCE(CAST((g.months_o1 & 281470681743360) / 4294967296.0 AS BIGINT), 0) AS months_o1_12m,
    COALESCE(CAST((g.months_o2 & 281470681743360) / 4294967296.0 AS BIGINT), 0) AS months_o2_12m,
    COALESCE(CAST((g.months_o3 & 281470681743360) / 4294967296.0 AS BIGINT), 0) AS months_o3_12m,
    COALESCE(CAST((g.months_o4 & 281470681743360) / 4294967296.0 AS BIGINT), 0) AS months_o4_12m,
    COALESCE(CAST((g.months_o5 & 281470681743360) / 4294967296.0 AS BIGINT), 0) AS months_o5_12m,
    COALESCE(CAST((g.months_o6 & 281470681743360) / 4294967296.0 AS BIGINT), 0) AS months_o6_12m,
    COALESCE(CAST((g.months_o7 & 281470681743360) / 4294967296.0 AS BIGINT), 0) AS months_o7_12m,
    COALESCE(
        CAST(
            (
                (
                    COALESCE(g.months_c, 0) + COALESCE(a.carried_c_months, 0)
                ) & 281470681743360
            ) / 4294967296.0 AS BIGINT
        ),
        0
    ) AS months_c_12m,
    COALESCE(CAST((g.months_g & 281470681743360) / 4294967296.0 AS BIGINT), 0) AS months_g_12m,
    COALESCE(CAST((g.months_d & 281470681743360) / 4294967296.0 AS BIGINT), 0) AS months_d_12m,
    COALESCE(CAST((g.months_z & 281470681743360) / 4294967296.0 AS BIGINT), 0) AS months_z_12m,
    COALESCE(CAST((g.months_b & 281470681743360) / 4294967296.0 AS BIGINT), 0) AS months_b_12m,
    COALESCE(CAST((g.months_none_due & 281470681743360) / 4294967296.0 AS BIGINT), 0)
        AS months_none_due_12m,
    COALESCE(
        CAST(
            (
                (
                    COALESCE(g.months_unknown, 0) + COALESCE(a.unknown_months, 0)
                ) & 281470681743360
            ) / 4294967296.0 AS BIGINT
        ),
        0
    ) AS months_unknown_12m,
    COALESCE(
        CAST(
            (
                (
                    $overdue_sum
                ) & 281470681743360
            ) / 4294967296.0 AS BIGINT
        ),
        0
    ) AS months_overdue_12m,
    COALESCE(CAST((g.months_n & 4294901760) / 65536.0 AS BIGINT), 0) AS months_n_24m,
    COALESCE(CAST((g.months_m & 4294901760) / 65536.0 AS BIGINT), 0) AS months_m_24m,
    COALESCE(CAST((g.months_o1 & 4294901760) / 65536.0 AS BIGINT), 0) AS months_o1_24m,
    COALESCE(CAST((g.months_o2 & 4294901760) / 65536.0 AS BIGINT), 0) AS months_o2_24m,
    COALESCE(CAST((g.months_o3 & 4294901760) / 65536.0 AS BIGINT), 0) AS months_o3_24m,
    COALESCE(CAST((g.months_o4 & 4294901760) / 65536.0 AS BIGINT), 0) AS months_o4_24m,
    COALESCE(CAST((g.months_o5 & 4294901760) / 65536.0 AS BIGINT), 0) AS months_o5_24m,
    COALESCE(CAST((g.months_o6 & 4294901760) / 65536.0 AS BIGINT), 0) AS months_o6_24m,
    COALESCE(CAST((g.months_o7 & 4294901760) / 65536.0 AS BIGINT), 0) AS months_o7_24m,
    COALESCE(
        CAST(
            (
                (
                    COALESCE(g.months_c, 0) + COALESCE(a.carried_c_months, 0)
                ) & 4294901760
            ) / 65536.0 AS BIGINT
        ),
        0
    ) AS months_c_24m,
    COALESCE(CAST((g.months_g & 4294901760) / 65536.0 AS BIGINT), 0) AS months_g_24m,
    COALESCE(CAST((g.months_d & 4294901760) / 65536.0 AS BIGINT), 0) AS months_d_24m,
    COALESCE(CAST((g.months_z & 4294901760) / 65536.0 AS BIGINT), 0) AS months_z_24m,
    COALESCE(CAST((g.months_b & 4294901760) / 65536.0 AS BIGINT), 0) AS months_b_24m,
    COALESCE(CAST((g.months_none_due & 4294901760) / 65536.0 AS BIGINT), 0) AS months_none_due_24m,
    COALESCE(
        CAST(
            (
                (
                    COALESCE(g.months_unknown, 0) + COALESCE(a.unknown_months, 0)
                ) & 4294901760
            ) / 65536.0 AS BIGINT
        ),
        0
    ) AS months_unknown_24m,
    COALESCE(
        CAST(
            (
                (
                    $overdue_sum
                ) & 4294901760
            ) / 65536.0 AS BIGINT
        ),
        0
    ) AS months_overdue_24m,
    COALESCE(g.months_n & 65535, 0) AS months_n_60m,
    COALESCE(g.months_m & 65535, 0) AS months_m_60m,
    COALESCE(g.months_o1 & 65535, 0) AS months_o1_60m,
    COALESCE(g.months_o2 & 65535, 0) AS months_o2_60m,
    COALESCE(g.months_o3 & 65535, 0) AS months_o3_60m,
    COALESCE(g.months_o4 & 65535, 0) AS months_o4_60m,
    COALESCE(g.months_o5 & 65535, 0) AS months_o5_60m,
    COALESCE(g.months_o6 & 65535, 0) AS months_o6_60m,
    COALESCE(g.months_o7 & 65535, 0) AS months_o7_60m,
    COALESCE(
        (
            COALESCE(g.months_c, 0) + COALESCE(a.carried_c_months, 0)
        ) & 65535,
        0
    ) AS months_c_60m,
    COALESCE(g.months_g & 65535, 0) AS months_g_60m,
    COALESCE(g.months_d & 65535, 0) AS months_d_60m,
    COALESCE(g.months_z & 65535, 0) AS months_z_60m,
    COALESCE(g.months_b & 65535, 0) AS months_b_60m,
    COALESCE(g.months_none_due & 65535, 0) AS months_none_due_60m,
    COALESCE(
        (
            COALESCE(g.months_unknown, 0) + COALESCE(a.unknown_months, 0)
        ) & 65535,
        0
    ) AS months_unknown_60m,
    COALESCE(
        (
            $overdue_sum
        ) & 65535,
        0
    ) AS months_overdue_60m,
    COALESCE(CAST(a.months_overdue_3m AS BIGINT), 0) AS months_overdue_3m,
    -- the worst bucket of the last 6 months, from the months at each code (their 6-month field)
    COALESCE(
        CAST(
            CASE
                WHEN (g.months_b & 9223090561878065152) <> 0 THEN 8
                WHEN (g.months_o7 & 9223090561878065152) <> 0 THEN 7
                WHEN (g.months_o6 & 9223090561878065152) <> 0 THEN 6
                WHEN (g.months_o5 & 9223090561878065152) <> 0 THEN 5
                WHEN (g.months_o4 & 9223090561878065152) <> 0 THEN 4
                WHEN (g.months_o3 & 9223090561878065152) <> 0 THEN 3
                WHEN (g.months_o2 & 9223090561878065152) <> 0 THEN 2
                WHEN (g.months_o1 & 9223090561878065152) <> 0 THEN 1
                ELSE 0
            END
            AS BIGINT
        ),
        0
    ) AS worst_bucket_6m,
    -- ... of the last 12 months
    COALESCE(
        CAST(
            CASE
                WHEN (g.months_b & 281470681743360) <> 0 THEN 8
                WHEN (g.months_o7 & 281470681743360) <> 0 THEN 7
                WHEN (g.months_o6 & 281470681743360) <> 0 THEN 6
                WHEN (g.months_o5 & 281470681743360) <> 0 THEN 5
                WHEN (g.months_o4 & 281470681743360) <> 0 THEN 4
                WHEN (g.months_o3 & 281470681743360) <> 0 THEN 3
                WHEN (g.months_o2 & 281470681743360) <> 0 THEN 2
                WHEN (g.months_o1 & 281470681743360) <> 0 THEN 1
                ELSE 0
            END
            AS BIGINT
        ),
        0
    ) AS worst_bucket_12m,
    -- ... of the last 24 months
    COALESCE(
        CAST(
            CASE
                WHEN (g.months_b & 4294901760) <> 0 THEN 8
                WHEN (g.months_o7 & 4294901760) <> 0 THEN 7
                WHEN (g.months_o6 & 4294901760) <> 0 THEN 6
                WHEN (g.months_o5 & 4294901760) <> 0 THEN 5
                WHEN (g.months_o4 & 4294901760) <> 0 THEN 4
                WHEN (g.months_o3 & 4294901760) <> 0 THEN 3
                WHEN (g.months_o2 & 4294901760) <> 0 THEN 2
                WHEN (g.months_o1 & 4294901760) <> 0 THEN 1
                ELSE 0
            END
            AS BIGINT
        ),
        0
    ) AS worst_bucket_24m,
    CAST(a.months_since_overdue AS BIGINT) AS months_since_overdue,
    COALESCE(CAST(a.paid_fen_6m AS BIGINT), 0) AS paid_fen_6m,
    COALESCE(CAST(a.scheduled_fen_6m AS BIGINT), 0) AS scheduled_fen_6m,
    -- the months of the last 6 with a payment on any account: the bits of the mask
    COALESCE(
        CAST(
            CASE WHEN (a.paid_mask_6m & 1) <> 0 THEN 1 ELSE 0 END
            + CASE WHEN (a.paid_mask_6m & 2) <> 0 THEN 1 ELSE 0 END
            + CASE WHEN (a.paid_mask_6m & 4) <> 0 THEN 1 ELSE 0 END
            + CASE WHEN (a.paid_mask_6m & 8) <> 0 THEN 1 ELSE 0 END
            + CASE WHEN (a.paid_mask_6m & 16) <> 0 THEN 1 ELSE 0 END
            + CASE WHEN (a.paid_mask_6m & 32) <> 0 THEN 1 ELSE 0 END
            AS BIGINT
        ),
        0
    ) AS active_months_6m,
    COALESCE(CAST(a.accounts_3_or_6_in_24 AS BIGINT), 0) AS accounts_3_or_6_in_24,
    COALESCE(a.accounts_3_or_6_in_24, 0) > 0 AS flag_3_or_6_in_24,
    COALESCE(CAST(a.outstanding_balance_fen AS BIGINT), 0) AS outstanding_balance_fen,
    COALESCE(CAST(a.monthly_obligations_fen AS BIGINT), 0) AS monthly_obligations_fen,
    COALESCE(CAST(a.revolving_balance_fen AS BIGINT), 0) AS revolving_balance_fen,
    COALESCE(CAST(a.revolving_limit_fen AS BIGINT), 0) AS revolving_limit_fen,
    COALESCE(i.hard_near & 2097151, 0) AS hard_inquiries_7d,
    COALESCE(i.institutions_near & 2097151, 0) AS institutions_7d,
    COALESCE(i.hard_bank_near & 2097151, 0) AS hard_inquiries_bank_7d,
    COALESCE(i.institutions_bank_near & 2097151, 0) AS institutions_bank_7d,
    COALESCE(i.hard_non_bank_near & 2097151, 0) AS hard_inquiries_non_bank_7d,
    COALESCE(i.institutions_non_bank_near & 2097151, 0) AS institutions_non_bank_7d,
    COALESCE(CAST((i.hard_near & 4398044413952) / 2097152.0 AS BIGINT), 0) AS hard_inquiries_15d,
    COALESCE(CAST((i.institutions_near & 4398044413952) / 2097152.0 AS BIGINT), 0)
        AS institutions_15d,
    COALESCE(CAST((i.hard_bank_near & 4398044413952) / 2097152.0 AS BIGINT), 0)
        AS hard_inquiries_bank_15d,
    COALESCE(CAST((i.institutions_bank_near & 4398044413952) / 2097152.0 AS BIGINT), 0)
        AS institutions_bank_15d,
    COALESCE(CAST((i.hard_non_bank_near & 4398044413952) / 2097152.0 AS BIGINT), 0)
        AS hard_inquiries_non_bank_15d,
    COALESCE(CAST((i.institutions_non_bank_near & 4398044413952) / 2097152.0 AS BIGINT), 0)
        AS institutions_non_bank_15d,
    COALESCE(CAST((i.hard_near & 9223367638808264704) / 4398046511104.0 AS BIGINT), 0)
        AS hard_inquiries_30d,
    COALESCE(CAST((i.institutions_near & 9223367638808264704) / 4398046511104.0 AS BIGINT), 0)
        AS institutions_30d,
    COALESCE(CAST((i.hard_bank_near & 9223367638808264704) / 4398046511104.0 AS BIGINT), 0)
        AS hard_inquiries_bank_30d,
    COALESCE(CAST((i.institutions_bank_near & 9223367638808264704) / 4398046511104.0 AS BIGINT), 0)
        AS institutions_bank_30d,
    COALESCE(CAST((i.hard_non_bank_near & 9223367638808264704) / 4398046511104.0 AS BIGINT), 0)
        AS hard_inquiries_non_bank_30d,
    COALESCE(
        CAST((i.institutions_non_bank_near & 9223367638808264704) / 4398046511104.0 AS BIGINT),
        0
    ) AS institutions_non_bank_30d,
    COALESCE(i.hard_far & 2097151, 0) AS hard_inquiries_90d,
    COALESCE(i.institutions_far & 2097151, 0) AS institutions_90d,
    COALESCE(i.hard_bank_far & 2097151, 0) AS hard_inquiries_bank_90d,
    COALESCE(i.institutions_bank_far & 2097151, 0) AS institutions_bank_90d,
    COALESCE(i.hard_non_bank_far & 2097151, 0) AS hard_inquiries_non_bank_90d,
    COALESCE(i.institutions_non_bank_far & 2097151, 0) AS institutions_non_bank_90d,
    COALESCE(CAST((i.hard_far & 4398044413952) / 2097152.0 AS BIGINT), 0) AS hard_inquiries_180d,
    COALESCE(CAST((i.institutions_far & 4398044413952) / 2097152.0 AS BIGINT), 0)
        AS institutions_180d,
    COALESCE(CAST((i.hard_bank_far & 4398044413952) / 2097152.0 AS BIGINT), 0)
        AS hard_inquiries_bank_180d,
    COALESCE(CAST((i.institutions_bank_far & 4398044413952) / 2097152.0 AS BIGINT), 0)
        AS institutions_bank_180d,
    COALESCE(CAST((i.hard_non_bank_far & 4398044413952) / 2097152.0 AS BIGINT), 0)
        AS hard_inquiries_non_bank_180d,
    COALESCE(CAST((i.institutions_non_bank_far & 4398044413952) / 2097152.0 AS BIGINT), 0)
        AS institutions_non_bank_180d,
    COALESCE(CAST((i.hard_far & 9223367638808264704) / 4398046511104.0 AS BIGINT), 0)
        AS hard_inquiries_365d,
    COALESCE(CAST((i.institutions_far & 9223367638808264704) / 4398046511104.0 AS BIGINT), 0)
        AS institutions_365d,
    COALESCE(CAST((i.hard_bank_far & 9223367638808264704) / 4398046511104.0 AS BIGINT), 0)
        AS hard_inquiries_bank_365d,
    COALESCE(CAST((i.institutions_bank_far & 9223367638808264704) / 4398046511104.0 AS BIGINT), 0)
        AS institutions_bank_365d,
    COALESCE(CAST((i.hard_non_bank_far & 9223367638808264704) / 4398046511104.0 AS BIGINT), 0)
        AS hard_inquiries_non_bank_365d,
    COALESCE(
        CAST((i.institutions_non_bank_far & 9223367638808264704) / 4398046511104.0 AS BIGINT),
        0
    ) AS institutions_non_bank_365d,
    COALESCE(CAST(r.public_records AS BIGINT), 0) AS public_records,
    COALESCE(CAST(r.public_records_dishonest_judgment_debtor AS BIGINT), 0) AS public_records_dishonest_judgment_debtor,
    COALESCE(CAST(r.public_records_enforced_debtor AS BIGINT), 0) AS public_records_enforced_debtor,
    COALESCE(CAST(r.public_records_consumption_restriction AS BIGINT), 0) AS public_records_consumption_restriction,
    COALESCE(CAST(r.public_records_active AS BIGINT), 0) AS public_records_active,
    COALESCE(CAST(r.public_records_active_dishonest_judgment_debtor AS BIGINT), 0)
        AS public_records_active_dishonest_judgment_debtor,
    COALESCE(CAST(r.blacklist_entries AS BIGINT), 0) AS blacklist_entries,
    COALESCE(CAST(r.negative_records AS BIGINT), 0) AS negative_records,
    COALESCE(CAST(r.negative_uncured AS BIGINT), 0) AS negative_uncured,
    r.next_expiry_on AS next_expiry_on,
    CAST(pl.months_since_last_activity AS BIGINT) AS months_since_last_activity,
    COALESCE(CAST(pl.dormant_platforms AS BIGINT), 0) AS dormant_platforms
FROM persons AS p
LEFT JOIN person_accounts AS a ON a.person = p.person
LEFT JOIN person_platforms AS pl ON pl.person = p.person
LEFT JOIN grid_counts AS g ON g.person = p.person
LEFT JOIN person_inquiries AS i ON i.person = p.person
LEFT JOIN person_records AS r ON r.person = p.person
