-- rules.md A9: the tier history of every technology partner over the reported evaluation dates: the
-- tier before and after each date, where the tier before came from (published / computed / baseline /
-- default_partner / none), the current published version of the date if any, the tier in force after
-- the date (published when published, else computed: published tiers are facts) and since when it holds.
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
        published.version as published_version,
        published.tier_after as published_tier_after,
        published.published_at,
        coalesce(published.tier_after, tier_after.tier) as tier_in_force_after,
        dates.is_reported
    from {{ ref('int_technology__tier_chain') }} as chain
    inner join {{ ref('int_technology__evaluation_dates') }} as dates
        on dates.evaluation_date = chain.evaluation_date
    left join tiers as tier_before on tier_before.tier_rank = chain.tier_before_rank
    left join tiers as tier_after on tier_after.tier_rank = chain.tier_after_rank
    left join published
        on published.partner_id = chain.partner_id
        and published.evaluation_date = chain.evaluation_date
),

changes as (
    -- over the whole chain (also dates before evaluation_from): the tier in force changes at E when it
    -- differs from the one in force after the previous date (for the first date: from C)
    select
        history.*,
        history.tier_in_force_after <> coalesce(
            lag(history.tier_in_force_after) over (partition by history.partner_id order by history.evaluation_date),
            history.tier_before,
            ''
        ) as tier_in_force_changed
    from history
),

with_since as (
    select
        changes.*,
        max(case when changes.tier_in_force_changed then changes.evaluation_date end) over (
            partition by changes.partner_id
            order by changes.evaluation_date
            rows between unbounded preceding and current row
        ) as tier_in_force_since
    from changes
)

select
    cast(partner_id as {{ dbt.type_string() }}) as partner_id,
    cast(evaluation_date as date) as evaluation_date,
    cast(chain_index as integer) as chain_index,
    cast(prev_evaluation_date as date) as prev_evaluation_date,
    cast(tier_before as {{ dbt.type_string() }}) as tier_before,
    cast(tier_before_source as {{ dbt.type_string() }}) as tier_before_source,
    cast(tier_after as {{ dbt.type_string() }}) as tier_after,
    cast(action as {{ dbt.type_string() }}) as action,
    cast(tier_changed as boolean) as tier_changed,
    cast(published_version as integer) as published_version,
    cast(published_tier_after as {{ dbt.type_string() }}) as published_tier_after,
    cast(published_at as timestamp) as published_at,
    cast(tier_in_force_after as {{ dbt.type_string() }}) as tier_in_force_after,
    cast(tier_in_force_since as date) as tier_in_force_since,
    cast(published_tier_after is not null and published_tier_after <> tier_after as boolean)
        as differs_from_publication
from with_since
where is_reported
