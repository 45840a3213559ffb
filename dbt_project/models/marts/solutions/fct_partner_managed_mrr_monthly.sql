-- rules.md B8, D19, D3: managed MRR of partner q in month m = the sum of portal_mrr(p, m) over the
-- portals where q performed an eligible activity in m, split evenly among the partners managing the
-- same portal that month (or in full, switch `solutions_managed_mrr_split_evenly`). One row per
-- partner and covered month with at least one eligible activity; rounded to cents once, per row.
select
    cast(partner_id as {{ dbt.type_string() }}) as partner_id,
    cast(month as date) as month,
    cast(round(sum(managed_mrr_share_usd), 2) as decimal(18, 2)) as managed_mrr,
    cast(count(*) as integer) as managed_portals,
    cast(sum(case when managing_partner_count > 1 then 1 else 0 end) as integer) as shared_portals,
    cast({{ period_is_complete('month', 1) }} as boolean) as is_complete,
    cast({{ run_date() }} as date) as run_date
from {{ ref('int_solutions__managed_portal_months') }}
group by partner_id, month
