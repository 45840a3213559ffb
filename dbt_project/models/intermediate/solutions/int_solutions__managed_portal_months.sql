-- rules.md B8, D19, D3: one row per (partner, portal, month) in which the partner performed at least
-- one ELIGIBLE activity in the portal, within the months covered by portal_mrr_monthly.
--   * D19 eligible = any activity type except those of seed solutions_activity_types with
--     is_eligible = false (login, logout, view); an unknown type is eligible (feeds.md: "any other
--     value ... (eligible)"). Month of the activity = month of the UTC date of occurred_at (G1, G4).
--   * D3 portal_mrr(p, m) = the portal's MRR over every product line except those of seed
--     solutions_product_lines with in_portal_mrr = false (credit_overage); 0 when the portal has no row.
--   * the share: portal_mrr split evenly among the partners managing the portal that month, or the
--     full portal_mrr to each when the var `solutions_managed_mrr_split_evenly` is false.
with eligible_activity as (
    select
        a.partner_id,
        a.portal_id,
        {{ month_of('a.occurred_on') }} as month,
        count(*) as eligible_activity_count
    from {{ ref('stg_hubspot__partner_portal_activity') }} as a
    left join {{ ref('solutions_activity_types') }} as t
        on t.activity_type = lower(a.activity_type)
    where coalesce(t.is_eligible, true)
      and a.occurred_on is not null
      and a.partner_id is not null
      and a.portal_id is not null
    group by a.partner_id, a.portal_id, {{ month_of('a.occurred_on') }}
),

managed as (
    select
        e.partner_id,
        e.portal_id,
        e.month,
        e.eligible_activity_count,
        count(*) over (partition by e.portal_id, e.month) as managing_partner_count
    from eligible_activity as e
    inner join {{ ref('int_solutions__mrr_months') }} as mo
        on mo.month = e.month
),

managed_portal_months as (
    select distinct portal_id, month
    from managed
),

portal_mrr as (
    -- D3: portal_mrr, read only for the portal-months someone manages
    select m.portal_id, m.month, sum(m.mrr_usd) as portal_mrr_usd
    from {{ ref('stg_hubspot__portal_mrr_monthly') }} as m
    inner join managed_portal_months as mpm
        on mpm.portal_id = m.portal_id
        and mpm.month = m.month
    left join {{ ref('solutions_product_lines') }} as pl
        on pl.product_line = m.product_line
    where coalesce(pl.in_portal_mrr, true)
    group by m.portal_id, m.month
)

select
    mg.partner_id,
    mg.portal_id,
    mg.month,
    mg.eligible_activity_count,
    mg.managing_partner_count,
    cast(coalesce(pm.portal_mrr_usd, 0) as decimal(18, 2)) as portal_mrr_usd,
    {% if flag_var('solutions_managed_mrr_split_evenly', true) == 'true' -%}
    -- split evenly among the partners managing the portal this month, kept at 10 decimals: a fixed
    -- scale makes the partner-month sum exact and independent of thread order (a DOUBLE sum was not,
    -- so identical builds could differ by a cent); the total is rounded once, in the mart.
    cast(coalesce(pm.portal_mrr_usd, 0) / mg.managing_partner_count as decimal(38, 10)) as managed_mrr_share_usd
    {%- else -%}
    -- switch `solutions_managed_mrr_split_evenly` = false: every managing partner gets it in full
    cast(coalesce(pm.portal_mrr_usd, 0) as decimal(38, 10)) as managed_mrr_share_usd
    {%- endif %}
from managed as mg
left join portal_mrr as pm
    on pm.portal_id = mg.portal_id
    and pm.month = mg.month
