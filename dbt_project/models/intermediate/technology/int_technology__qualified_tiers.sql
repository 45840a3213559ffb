-- rules.md A7, A5: per technology partner and E, X = the highest tier all of whose requirements pass
-- and X_perf = the highest tier all of whose requirements other than the POC-form ones pass
-- (technical_contact, partnership_manager, executive_sponsor, data_sharing); X <= X_perf. "Highest":
-- tiers are not climbed one by one (a Premier exception partner may qualify for premier and not leading).
-- Rank 0 (not_in_program) when no tier qualifies. premier_exception_used (A5): X is premier and
-- premier passes only through the exception — "the standard Premier path fails and the exception makes
-- the partner qualify for Premier"; qualifying includes every other mandatory requirement, the POC-form
-- contacts and data sharing among them, so a partner pending its form has not used the exception.
-- form_complete_for_tier: the highest tier requiring a POC form (leading, premier) for which the form
-- is complete (D10); null when the form is complete for none of them.
with

tiers as (
    select tier, tier_rank from {{ ref('technology_tiers') }}
),

not_in_program as (
    select min(tier_rank) as rank_value from tiers
),

ranks as (
    select
        partner_id,
        evaluation_date,
        max(case when qualifies then tier_rank end) as qualified_rank,
        max(case when qualifies_on_performance then tier_rank end) as qualified_on_performance_rank,
        max(case when form_complete and requires_poc_form then tier_rank end) as form_complete_rank
    from {{ ref('int_technology__tier_qualification') }}
    group by partner_id, evaluation_date
),

ranked as (
    select
        ranks.partner_id,
        ranks.evaluation_date,
        coalesce(ranks.qualified_rank, not_in_program.rank_value) as qualified_rank,
        coalesce(ranks.qualified_on_performance_rank, not_in_program.rank_value) as qualified_on_performance_rank,
        ranks.form_complete_rank
    from ranks
    cross join not_in_program
)

select
    ranked.partner_id,
    ranked.evaluation_date,
    cast(ranked.qualified_rank as integer) as qualified_rank,
    tiers.tier as qualified_tier,
    cast(ranked.qualified_on_performance_rank as integer) as qualified_on_performance_rank,
    x_perf.tier as qualified_tier_on_performance,
    cast(ranked.form_complete_rank as integer) as form_complete_rank,
    form_tier.tier as form_complete_for_tier,
    coalesce(x_tier.uses_exception, false) as premier_exception_used
from ranked
left join tiers on tiers.tier_rank = ranked.qualified_rank
left join tiers as x_perf on x_perf.tier_rank = ranked.qualified_on_performance_rank
left join tiers as form_tier on form_tier.tier_rank = ranked.form_complete_rank
left join {{ ref('int_technology__tier_qualification') }} as x_tier
    on x_tier.partner_id = ranked.partner_id
    and x_tier.evaluation_date = ranked.evaluation_date
    and x_tier.tier_rank = ranked.qualified_rank
