{{ config(
    materialized=month_incremental_materialization(),
    incremental_strategy='append',
    pre_hook="{{ delete_incremental_months(ref('int_technology__metric_months')) }}",
    post_hook="{{ record_incremental_build(ref('int_technology__metric_months')) }}",
) }}
-- rules.md A3 "attached MRR", D3, D4: per partner and month, the sum of portal_mrr over the distinct
-- portals actively using at least one of the partner's apps. A partner x month aggregate built once;
-- every window W(E) is derived from it (int_technology__partner_metrics). A month's rows depend on that
-- month's data only, so the table is built incrementally by month (issue 18). Months without an active
-- portal have no row (they count as 0 in the 12-month mean).
select
    active.partner_id,
    active.month,
    cast(count(*) as integer) as active_portal_count,
    cast(coalesce(sum(mrr.portal_mrr), 0) as decimal(18, 2)) as attached_mrr
from {{ ref('int_technology__partner_active_portals_monthly') }} as active
left join {{ ref('int_technology__portal_mrr_monthly') }} as mrr
    on mrr.portal_id = active.portal_id
    and mrr.month = active.month
-- issue 18: a new month builds only its own months (macros/incremental_months.sql)
where {{ months_condition(incremental_months(ref('int_technology__metric_months')), 'active.month') }}
group by active.partner_id, active.month
