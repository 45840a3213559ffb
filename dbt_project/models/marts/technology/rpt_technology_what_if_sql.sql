-- issue 17 (what-if): the tier decision's SQL, rendered from the same macros the models use
-- (macros/technology_decision.sql, tier_change.sql), stored beside the marts it
-- decided so a simulator reading this warehouse, or the analytics snapshot copied from it, runs exactly
-- the rules that built them — never a copy in Python, never newer code over older marts. One row: a list
-- of CTEs (no leading WITH) reading the relations the simulator defines first:
--   what_if_requirement_seed (config.technology_tier_requirements), what_if_tier_seed (tier, tier_rank of
--   config.technology_tiers), what_if_inputs (rows shaped like fct_technology_decision_inputs plus
--   scenario_id)
-- and defining what_if_requirements, what_if_results (requirement rows), what_if_qualification,
-- what_if_qualified (X, X_perf) and what_if_decisions (action, tier_after, pending).
{%- set keys = ['scenario_id', 'partner_id', 'evaluation_date'] %}
{%- set decision_ctes %}
what_if_requirements as (
    {{ technology_decision_requirements('what_if_requirement_seed', 'what_if_tier_seed') }}
),

{{ technology_decision_ctes('what_if_inputs', 'what_if_requirements', 'what_if_tier_seed', keys, 'what_if_') }}
{%- endset %}
select
    cast('technology_decision' as {{ dbt.type_string() }}) as query_name,
    cast('{{ decision_ctes | replace("'", "''") }}' as {{ dbt.type_string() }}) as sql_text
