-- rules.md A10: the gap to the next tier above tier_after — every requirement of that tier the partner
-- does not meet (would_pass false: failing, preferred_missing, or failing but not yet enforced), with
-- value, threshold and shortfall (threshold - value, null when the value is undefined). For the
-- influenced pair both shortfalls (deals and 90-day install MRR). Where the tier has the A5 exception
-- (premier), the exception threshold, its shortfall and whether the exception path would pass (the
-- influenced-deals MRR reaches it, so attached_mrr and influenced_mrr would be satisfied that way).
with

tiers as (
    select tier, tier_rank, next_tier from {{ ref('int_technology__tiers') }}
),

next_tiers as (
    select
        chain.partner_id,
        chain.evaluation_date,
        tier_after.tier as tier_after,
        tier_after.next_tier
    from {{ ref('int_technology__tier_chain') }} as chain
    inner join tiers as tier_after
        on tier_after.tier_rank = chain.tier_after_rank
    where tier_after.next_tier is not null
),

exception_paths as (
    select
        partner_id,
        evaluation_date,
        tier,
        max(exception_deals_threshold) as exception_deals_threshold,
        max(case when meets_exception then 1 else 0 end) = 1 as exception_path_would_pass
    from {{ ref('int_technology__requirement_results') }}
    where exception_deals_threshold is not null
    group by partner_id, evaluation_date, tier
)

select
    next_tiers.partner_id,
    next_tiers.evaluation_date,
    next_tiers.tier_after,
    next_tiers.next_tier,
    results.requirement,
    results.level,
    results.status,
    results.is_blocking,
    results.value,
    results.threshold,
    case when results.value < results.threshold then results.threshold - results.value end as shortfall,
    results.install_90d_value,
    results.install_90d_threshold,
    case
        when results.install_90d_value < results.install_90d_threshold
            then results.install_90d_threshold - results.install_90d_value
    end as install_90d_shortfall,
    results.influenced_deals_value,
    exception_paths.exception_deals_threshold,
    case
        when results.influenced_deals_value < exception_paths.exception_deals_threshold
            then exception_paths.exception_deals_threshold - results.influenced_deals_value
    end as exception_shortfall,
    exception_paths.exception_path_would_pass
from next_tiers
inner join {{ ref('int_technology__requirement_results') }} as results
    on results.partner_id = next_tiers.partner_id
    and results.evaluation_date = next_tiers.evaluation_date
    and results.tier = next_tiers.next_tier
left join exception_paths
    on exception_paths.partner_id = next_tiers.partner_id
    and exception_paths.evaluation_date = next_tiers.evaluation_date
    and exception_paths.tier = next_tiers.next_tier
where not results.would_pass
