-- rules.md B9: commission is accrued monthly and paid quarterly: the payout of a calendar quarter is
-- the sum of its three months' accruals (G4: the quarter is keyed by its first day).
select
    cast(partner_id as {{ dbt.type_string() }}) as partner_id,
    cast({{ dbt.date_trunc('quarter', 'month') }} as date) as quarter_start,
    cast(sum(accrual_usd) as decimal(18, 2)) as payout_usd,
    cast(count(*) as integer) as accrual_count,
    cast(count(distinct association_id) as integer) as association_count
from {{ ref('fct_commission_accruals_monthly') }}
group by partner_id, cast({{ dbt.date_trunc('quarter', 'month') }} as date)
