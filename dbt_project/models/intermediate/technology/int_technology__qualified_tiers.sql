-- rules.md A7, A5: per technology partner and E, X = the highest tier all of whose requirements pass,
-- X_perf = the highest tier all of whose requirements other than the POC-form ones pass,
-- premier_exception_used and form_complete_for_tier (D10). The rules are the macro
-- technology_qualified_tiers (macros/technology_decision.sql), which the what-if simulator
-- runs too (issue 17).
with

tiers as (
    select tier, tier_rank from {{ ref('technology_tiers') }}
)

{{ technology_qualified_tiers(ref('int_technology__tier_qualification'), 'tiers') }}
