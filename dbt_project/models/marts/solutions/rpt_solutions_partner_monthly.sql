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
    cast(keys.partner_id as {{ dbt.type_string() }}) as partner_id,
    cast(keys.month as date) as month,
    cast(partners.partner_name as {{ dbt.type_string() }}) as partner_name,
    cast(partners.solutions_type as {{ dbt.type_string() }}) as solutions_type,
    cast(partners.solutions_tier as {{ dbt.type_string() }}) as solutions_tier,
    cast(coalesce(sold.sold_mrr, 0) as decimal(18, 2)) as sold_mrr,
    cast(coalesce(sold.associations_held, 0) as integer) as associations_held,
    cast(coalesce(managed.managed_mrr, 0) as decimal(18, 2)) as managed_mrr,
    cast(coalesce(managed.managed_portals, 0) as integer) as managed_portals,
    cast(coalesce(accruals.commission_accrued_usd, 0) as decimal(18, 2)) as commission_accrued_usd,
    cast({{ dbt.date_trunc('quarter', 'keys.month') }} as date) as quarter_start,
    cast({{ period_is_complete('keys.month', 1) }} as boolean) as is_complete,
    cast({{ run_date() }} as date) as run_date
from keys
left join {{ ref('fct_partner_sold_mrr_monthly') }} as sold
    on sold.partner_id = keys.partner_id and sold.month = keys.month
left join {{ ref('fct_partner_managed_mrr_monthly') }} as managed
    on managed.partner_id = keys.partner_id and managed.month = keys.month
left join accruals
    on accruals.partner_id = keys.partner_id and accruals.month = keys.month
left join {{ ref('stg_hubspot__partners') }} as partners
    on partners.partner_id = keys.partner_id
