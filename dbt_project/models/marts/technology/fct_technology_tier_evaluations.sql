-- rules.md A7, A8, A9, A10, D10, D11, D12, D13: the tier decision of every technology partner for
-- every reported evaluation date: C, X_perf, X, tier_after, action, pending tier, flags, and the next
-- tier's gap.
-- A9 (issue 12 item 4): a published decision is a fact that recomputation does not rewrite. For a date
-- with a current published version, tier_after and action are the published ones (source =
-- 'published', published_version); the decision recomputed from today's inputs stays beside them in
-- recomputed_tier_after / recomputed_action, and differs_from_published flags a pending correction
-- (it becomes the record only through a new version). The other columns (qualified tiers, pending
-- tier, next tier and its gap) explain the recomputed decision.
with

tiers as (
    select tier, tier_rank, next_tier from {{ ref('int_technology__tiers') }}
),

published as (
    select partner_id, evaluation_date, version, tier_after, action
    from {{ ref('stg_publication__published_technology_tiers') }}
    where is_current
),

next_tier_gaps as (
    select
        partner_id,
        evaluation_date,
        cast(count(*) as integer) as next_tier_blocking_count,
        {{ ordered_listagg('requirement', "', '") }} as next_tier_blocking_requirements
    from {{ ref('int_technology__next_tier_gaps') }}
    where is_blocking
    group by partner_id, evaluation_date
)

select
    cast(chain.partner_id as {{ dbt.type_string() }}) as partner_id,
    cast(chain.evaluation_date as date) as evaluation_date,
    cast(tier_before.tier as {{ dbt.type_string() }}) as tier_before,
    cast(chain.tier_before_source as {{ dbt.type_string() }}) as tier_before_source,
    cast(qualified.qualified_tier_on_performance as {{ dbt.type_string() }}) as qualified_tier_on_performance,
    cast(qualified.qualified_tier as {{ dbt.type_string() }}) as qualified_tier,
    cast(
        case when published.partner_id is not null then published.tier_after else tier_after.tier end
        as {{ dbt.type_string() }}
    ) as tier_after,
    cast(
        case when published.partner_id is not null then published.action else chain.action end
        as {{ dbt.type_string() }}
    ) as action,
    cast(pending.tier as {{ dbt.type_string() }}) as pending_tier,
    cast(qualified.premier_exception_used as boolean) as premier_exception_used,
    cast(standing.in_good_standing as boolean) as in_good_standing,
    cast(standing.responsible_escalation_count as integer) as responsible_escalation_count,
    -- issue 15 item 4: which escalations hold an upgrade (A9 row 4), since when, and when D12 clears them
    cast(standing.breaking_escalation_ids as {{ dbt.type_string() }}) as breaking_escalation_ids,
    cast(standing.breaking_escalations_since as date) as breaking_escalations_since,
    cast(standing.breaking_escalations_unresolved as integer) as breaking_escalations_unresolved,
    cast(standing.good_standing_restored_on as date) as good_standing_restored_on,
    -- A8/D12: a partner not in good standing is flagged for partner-manager review
    cast(not standing.in_good_standing as boolean) as needs_review,
    cast(chain.at_risk as boolean) as at_risk,
    cast(listing.has_live_listing as boolean) as has_live_listing,
    cast(forms.poc_form_id as {{ dbt.type_string() }}) as poc_form_id,
    cast(forms.poc_form_submitted_on as date) as poc_form_submitted_on,
    cast(dates.poc_form_deadline as date) as poc_form_deadline,
    cast(qualified.form_complete_for_tier as {{ dbt.type_string() }}) as form_complete_for_tier,
    cast(coalesce(after_qualification.form_complete, true) as boolean) as form_complete_for_tier_after,
    cast(chain.tier_after_rank <> chain.tier_before_rank as boolean) as tier_changed,
    cast(tier_after.next_tier as {{ dbt.type_string() }}) as next_tier,
    cast(coalesce(next_tier_gaps.next_tier_blocking_count, 0) as integer) as next_tier_blocking_count,
    cast(next_tier_gaps.next_tier_blocking_requirements as {{ dbt.type_string() }}) as next_tier_blocking_requirements,
    cast(dates.run_date as date) as run_date,
    cast(
        case when published.partner_id is not null then 'published' else 'computed' end as {{ dbt.type_string() }}
    ) as source,
    cast(published.version as integer) as published_version,
    cast(tier_after.tier as {{ dbt.type_string() }}) as recomputed_tier_after,
    cast(chain.action as {{ dbt.type_string() }}) as recomputed_action,
    cast(
        coalesce(published.tier_after <> tier_after.tier or published.action <> chain.action, false) as boolean
    ) as differs_from_published
from {{ ref('int_technology__tier_chain') }} as chain
inner join {{ ref('int_technology__evaluation_dates') }} as dates
    on dates.evaluation_date = chain.evaluation_date
inner join {{ ref('int_technology__qualified_tiers') }} as qualified
    on qualified.partner_id = chain.partner_id
    and qualified.evaluation_date = chain.evaluation_date
inner join {{ ref('int_technology__good_standing') }} as standing
    on standing.partner_id = chain.partner_id
    and standing.evaluation_date = chain.evaluation_date
inner join {{ ref('int_technology__partner_listing_status') }} as listing
    on listing.partner_id = chain.partner_id
    and listing.evaluation_date = chain.evaluation_date
inner join {{ ref('int_technology__poc_form_status') }} as forms
    on forms.partner_id = chain.partner_id
    and forms.evaluation_date = chain.evaluation_date
left join {{ ref('int_technology__tier_qualification') }} as after_qualification
    on after_qualification.partner_id = chain.partner_id
    and after_qualification.evaluation_date = chain.evaluation_date
    and after_qualification.tier_rank = chain.tier_after_rank
left join tiers as tier_before on tier_before.tier_rank = chain.tier_before_rank
left join tiers as tier_after on tier_after.tier_rank = chain.tier_after_rank
left join tiers as pending on pending.tier_rank = chain.pending_rank
left join published
    on published.partner_id = chain.partner_id
    and published.evaluation_date = chain.evaluation_date
left join next_tier_gaps
    on next_tier_gaps.partner_id = chain.partner_id
    and next_tier_gaps.evaluation_date = chain.evaluation_date
where dates.is_reported
