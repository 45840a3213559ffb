-- rules.md B7, B8, B9: one row per solutions partner and month with any sold MRR association,
-- managed portal or commission accrual: the three monthly values side by side for analysts.
with keys as (
    select partner_id, month from {{ ref('fct_partner_sold_mrr_monthly') }}
    union
    select partner_id, month from {{ ref('fct_partner_managed_mrr_monthly') }}
    union
    select partner_id, month from {{ ref('fct_commission_accruals_monthly') }}
),

accruals as (
    select partner_id, month, sum(accrual_usd) as commission_accrued_usd
    from {{ ref('fct_commission_accruals_monthly') }}
    group by partner_id, month
)

select
    cast(k.partner_id as {{ dbt.type_string() }}) as partner_id,
    cast(k.month as date) as month,
    cast(p.partner_name as {{ dbt.type_string() }}) as partner_name,
    cast(p.solutions_type as {{ dbt.type_string() }}) as solutions_type,
    cast(p.solutions_tier as {{ dbt.type_string() }}) as solutions_tier,
    cast(coalesce(s.sold_mrr, 0) as decimal(18, 2)) as sold_mrr,
    cast(coalesce(s.associations_held, 0) as integer) as associations_held,
    cast(coalesce(m.managed_mrr, 0) as decimal(18, 2)) as managed_mrr,
    cast(coalesce(m.managed_portals, 0) as integer) as managed_portals,
    cast(coalesce(a.commission_accrued_usd, 0) as decimal(18, 2)) as commission_accrued_usd,
    cast({{ dbt.date_trunc('quarter', 'k.month') }} as date) as quarter_start,
    cast({{ period_is_complete('k.month', 1) }} as boolean) as is_complete,
    cast({{ run_date() }} as date) as run_date
from keys as k
left join {{ ref('fct_partner_sold_mrr_monthly') }} as s
    on s.partner_id = k.partner_id and s.month = k.month
left join {{ ref('fct_partner_managed_mrr_monthly') }} as m
    on m.partner_id = k.partner_id and m.month = k.month
left join accruals as a
    on a.partner_id = k.partner_id and a.month = k.month
left join {{ ref('stg_hubspot__partners') }} as p
    on p.partner_id = k.partner_id
