-- rules.md A9, A8, D11, D12: everything the tier change at E needs, per technology partner and chain date.
-- The tier in force before E (C) is the tier_after of the previous evaluation date taken from its
-- current published version when one exists (published_prev_rank), else from the computed chain.
-- Before the first chain date: the published tier of the previous calendar date if any, else the
-- technology_tier_baseline feed, else partner for a partner with a live listing on the first date and
-- no baseline row, else none (initial_rank / initial_source, set on the first chain date only).
-- Chain dates whose metrics are not computed (int_technology__metric_dates: settled dates before the
-- first reported one) have no qualification; their tier after is the published one (published_rank).
with

tiers as (
    select tier, tier_rank from {{ ref('technology_tiers') }}
),

tier_constants as (
    select
        min(tier_rank) as not_in_program_rank,
        max(case when tier = 'partner' then tier_rank end) as partner_rank
    from tiers
),

published as (
    select
        published.partner_id,
        published.evaluation_date,
        tiers.tier_rank
    from {{ ref('stg_publication__published_technology_tiers') }} as published
    inner join tiers
        on tiers.tier = published.tier_after
    where published.is_current
),

dates as (
    select * from {{ ref('int_technology__metric_dates') }}
)

select
    listing.partner_id,
    listing.evaluation_date,
    dates.chain_index,
    dates.prev_evaluation_date,
    listing.has_live_listing,
    qualified.qualified_rank,
    qualified.qualified_on_performance_rank,
    standing.in_good_standing,
    dates.poc_form_window_open as form_window_open,
    dates.downgrade_window,
    dates.downgrades_in_force,
    tier_constants.not_in_program_rank,
    tier_constants.partner_rank,
    published.tier_rank as published_prev_rank,
    dates.metrics_computed,
    published_here.tier_rank as published_rank,
    case
        when dates.chain_index = 1 and baseline_tier.tier_rank is not null then baseline_tier.tier_rank
        when dates.chain_index = 1 and listing.has_live_listing then tier_constants.partner_rank
    end as initial_rank,
    case
        when dates.chain_index = 1 and baseline_tier.tier_rank is not null then 'baseline'
        when dates.chain_index = 1 and listing.has_live_listing then 'default_partner'
        when dates.chain_index = 1 then 'none'
    end as initial_source
from {{ ref('int_technology__partner_listing_status') }} as listing
inner join dates
    on dates.evaluation_date = listing.evaluation_date
inner join {{ ref('int_technology__good_standing') }} as standing
    on standing.partner_id = listing.partner_id
    and standing.evaluation_date = listing.evaluation_date
-- every technology partner on every date whose metrics are computed; none on the other dates
left join {{ ref('int_technology__qualified_tiers') }} as qualified
    on qualified.partner_id = listing.partner_id
    and qualified.evaluation_date = listing.evaluation_date
cross join tier_constants
left join published
    on published.partner_id = listing.partner_id
    and published.evaluation_date = dates.prev_evaluation_date
left join published as published_here
    on published_here.partner_id = listing.partner_id
    and published_here.evaluation_date = dates.evaluation_date
left join {{ ref('stg_hubspot__technology_tier_baseline') }} as baseline
    on baseline.partner_id = listing.partner_id
left join tiers as baseline_tier
    on baseline_tier.tier = baseline.tier
