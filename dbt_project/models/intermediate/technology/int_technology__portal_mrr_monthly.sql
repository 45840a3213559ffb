{{ config(
    materialized=month_incremental_materialization(),
    incremental_strategy='append',
    pre_hook="{{ delete_incremental_months(ref('int_technology__metric_months')) }}",
    post_hook="{{ record_incremental_build(ref('int_technology__metric_months')) }}",
) }}
-- rules.md A3, D3: portal_mrr(p, m) = the portal's mrr_usd summed over its product lines in month m,
-- without the excluded (non-recurring) lines of technology_mrr_excluded_product_lines (credit_overage).
select
    mrr.portal_id,
    mrr.month,
    cast(sum(mrr.mrr_usd) as decimal(18, 2)) as portal_mrr
from {{ ref('stg_hubspot__portal_mrr_monthly') }} as mrr
-- only the months of the windows that are computed (int_technology__metric_months)
inner join {{ ref('int_technology__metric_months') }} as months
    on months.month = mrr.month
where {{ months_condition(incremental_months(ref('int_technology__metric_months')), 'mrr.month') }}
    -- issue 18: a new month builds only its own months (macros/incremental_months.sql)
    and not exists (
        select 1
        from {{ ref('technology_mrr_excluded_product_lines') }} as excluded
        where excluded.product_line = mrr.product_line
    )
group by mrr.portal_id, mrr.month
