-- issue 17 item 2: the decision at E' for every forecast row of int_technology__forecast_inputs, by the
-- macros that decide the real tier (macros/technology_decision.sql): requirement rows, X, X_perf,
-- the A9 action and tier after, per method. Also, per row, the attached-MRR threshold of the tier above C
-- (for "needs $N more attached MRR per remaining month").
{% set keys = ['method', 'origin_date', 'partner_id', 'evaluation_date'] %}
with

requirements as (
    {{ technology_decision_requirements(ref('technology_tier_requirements'), ref('technology_tiers')) }}
),

tiers as (
    select tier, tier_rank from {{ ref('technology_tiers') }}
),

inputs as (
    select * from {{ ref('int_technology__forecast_inputs') }}
),

{{ technology_decision_ctes('inputs', 'requirements', 'tiers', keys) }},

next_tier_attached as (
    -- the attached_mrr requirement of the tier just above C
    select
        {{ technology_decision_keys(keys, 'results') }},
        results.threshold as next_tier_attached_threshold,
        results.status as next_tier_attached_status
    from results
    inner join inputs
        on {{ technology_decision_keys_match(keys, 'inputs', 'results') }}
    where results.requirement = 'attached_mrr'
        and results.tier_rank = inputs.tier_before_rank + 1
)

select
    -- every projected input beside its decision (the mart picks its columns)
    inputs.*,  -- noqa: AM04
    decisions.qualified_rank,
    decisions.qualified_on_performance_rank,
    decisions.action,
    decisions.tier_after_rank,
    decisions.pending_rank,
    decisions.at_risk,
    next_tier_attached.next_tier_attached_threshold,
    next_tier_attached.next_tier_attached_status
from inputs
inner join decisions
    on {{ technology_decision_keys_match(keys, 'decisions', 'inputs') }}
left join next_tier_attached
    on {{ technology_decision_keys_match(keys, 'next_tier_attached', 'inputs') }}
