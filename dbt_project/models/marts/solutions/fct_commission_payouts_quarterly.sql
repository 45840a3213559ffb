-- rules.md B9: commission is accrued monthly and paid quarterly: the payout of a calendar quarter is
-- the sum of its three months' accruals (G4: the quarter is keyed by its first day).
-- Issue 16 item 2: is_complete says whether the quarter ended before the run date; the payout of the
-- quarter still running can grow.
with

accruals as (
    select
        partner_id,
        cast({{ dbt.date_trunc('quarter', 'month') }} as date) as quarter_start,
        accrual_usd,
        association_id
    from {{ ref('fct_commission_accruals_monthly') }}
)

select
    cast(partner_id as {{ dbt.type_string() }}) as partner_id,
    cast(quarter_start as date) as quarter_start,
    cast(sum(accrual_usd) as decimal(18, 2)) as payout_usd,
    cast(count(*) as integer) as accrual_count,
    cast(count(distinct association_id) as integer) as association_count,
    cast({{ period_is_complete('quarter_start', 3) }} as boolean) as is_complete,
    cast({{ run_date() }} as date) as run_date
from accruals
group by partner_id, quarter_start
