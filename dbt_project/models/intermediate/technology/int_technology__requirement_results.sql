-- rules.md A4, A5, A6/D9, D7, D8, A7, G2: every requirement of every tier (level required or preferred
-- in technology_tier_requirements) for every technology partner and E, with its value, threshold and
-- status. The requirement ids are code (how each is measured); levels, thresholds, the Premier
-- exception and the phase-in dates are configuration (the seed). The rules themselves are the macro
-- technology_requirement_results (macros/technology_decision.sql), which the what-if
-- simulator runs too (issue 17).
with

requirements as (
    {{ technology_decision_requirements(ref('technology_tier_requirements'), ref('technology_tiers')) }}
),

partner_dates as (
    {{ technology_requirement_inputs(
        ref('int_technology__partner_metrics'),
        ref('int_technology__partner_listing_status'),
        ref('int_technology__poc_form_status')
    ) }}
)

{{ technology_requirement_results('partner_dates', 'requirements') }}
