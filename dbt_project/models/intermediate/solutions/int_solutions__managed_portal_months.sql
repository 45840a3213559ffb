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
        activity.partner_id,
        activity.portal_id,
        {{ month_of('activity.occurred_on') }} as month,
        count(*) as eligible_activity_count
    from {{ ref('stg_hubspot__partner_portal_activity') }} as activity
    left join {{ ref('solutions_activity_types') }} as activity_types
        on activity_types.activity_type = lower(activity.activity_type)
    where coalesce(activity_types.is_eligible, true)
        and activity.occurred_on is not null
        and activity.partner_id is not null
        and activity.portal_id is not null
    group by activity.partner_id, activity.portal_id, {{ month_of('activity.occurred_on') }}
),

managed as (
    select
        eligible_activity.partner_id,
        eligible_activity.portal_id,
        eligible_activity.month,
        eligible_activity.eligible_activity_count,
        count(*) over (partition by eligible_activity.portal_id, eligible_activity.month) as managing_partner_count
    from eligible_activity
    inner join {{ ref('int_solutions__mrr_months') }} as months
        on months.month = eligible_activity.month
),

managed_portal_months as (
    select distinct portal_id, month
    from managed
),

portal_mrr as (
    -- D3: portal_mrr, read only for the portal-months someone manages
    select portal_mrr_lines.portal_id, portal_mrr_lines.month, sum(portal_mrr_lines.mrr_usd) as portal_mrr_usd
    from {{ ref('stg_hubspot__portal_mrr_monthly') }} as portal_mrr_lines
    inner join managed_portal_months
        on managed_portal_months.portal_id = portal_mrr_lines.portal_id
        and managed_portal_months.month = portal_mrr_lines.month
    left join {{ ref('solutions_product_lines') }} as product_lines
        on product_lines.product_line = portal_mrr_lines.product_line
    where coalesce(product_lines.in_portal_mrr, true)
    group by portal_mrr_lines.portal_id, portal_mrr_lines.month
)

select
    managed.partner_id,
    managed.portal_id,
    managed.month,
    managed.eligible_activity_count,
    managed.managing_partner_count,
    cast(coalesce(portal_mrr.portal_mrr_usd, 0) as decimal(18, 2)) as portal_mrr_usd,
    {% if flag_var('solutions_managed_mrr_split_evenly', true) == 'true' -%}
    -- split evenly among the partners managing the portal this month, kept at 10 decimals: a fixed
    -- scale makes the partner-month sum exact and independent of thread order (a DOUBLE sum was not,
    -- so identical builds could differ by a cent); the total is rounded once, in the mart.
    cast(coalesce(portal_mrr.portal_mrr_usd, 0) / managed.managing_partner_count as decimal(38, 10))
        as managed_mrr_share_usd
    {%- else -%}
    -- switch `solutions_managed_mrr_split_evenly` = false: every managing partner gets it in full
    cast(coalesce(portal_mrr.portal_mrr_usd, 0) as decimal(38, 10)) as managed_mrr_share_usd
    {%- endif %}
from managed
left join portal_mrr
    on portal_mrr.portal_id = managed.portal_id
    and portal_mrr.month = managed.month
