-- rules.md A9: the tier history of every technology partner over the reported evaluation dates: the
-- tier before and after each date, where the tier before came from (published / computed / baseline /
-- default_partner / none), the current published version of the date if any, the tier in force after
-- the date (published when published, else computed) and since when the computed tier has held.
with

tiers as (
    select tier, tier_rank from {{ ref('technology_tiers') }}
),

published as (
    select partner_id, evaluation_date, version, tier_after, published_at
    from {{ ref('stg_publication__published_technology_tiers') }}
    where is_current
),

history as (
    select
        chain.partner_id,
        chain.evaluation_date,
        chain.chain_index,
        dates.prev_evaluation_date,
        tier_before.tier as tier_before,
        chain.tier_before_source,
        tier_after.tier as tier_after,
        chain.action,
        chain.tier_after_rank <> coalesce(chain.tier_before_rank, -1) as tier_changed,
        dates.is_reported
    from {{ ref('int_technology__tier_chain') }} as chain
    inner join {{ ref('int_technology__evaluation_dates') }} as dates
        on dates.evaluation_date = chain.evaluation_date
    left join tiers as tier_before on tier_before.tier_rank = chain.tier_before_rank
    left join tiers as tier_after on tier_after.tier_rank = chain.tier_after_rank
),

with_since as (
    select
        history.*,
        max(case when history.tier_changed then history.evaluation_date end) over (
            partition by history.partner_id
            order by history.evaluation_date
            rows between unbounded preceding and current row
        ) as tier_after_since
    from history
)

select
    cast(with_since.partner_id as varchar) as partner_id,
    cast(with_since.evaluation_date as date) as evaluation_date,
    cast(with_since.chain_index as integer) as chain_index,
    cast(with_since.prev_evaluation_date as date) as prev_evaluation_date,
    cast(with_since.tier_before as varchar) as tier_before,
    cast(with_since.tier_before_source as varchar) as tier_before_source,
    cast(with_since.tier_after as varchar) as tier_after,
    cast(with_since.action as varchar) as action,
    cast(with_since.tier_changed as boolean) as tier_changed,
    cast(with_since.tier_after_since as date) as tier_after_since,
    cast(published.version as integer) as published_version,
    cast(published.tier_after as varchar) as published_tier_after,
    cast(published.published_at as timestamp) as published_at,
    cast(coalesce(published.tier_after, with_since.tier_after) as varchar) as tier_in_force_after,
    cast(published.tier_after is not null and published.tier_after <> with_since.tier_after as boolean)
        as differs_from_publication
from with_since
left join published
    on published.partner_id = with_since.partner_id
    and published.evaluation_date = with_since.evaluation_date
where with_since.is_reported
