-- rules.md A9, D11, D13: the tier chain. For every technology partner, from the first chain date to the
-- last: C (tier before) -> the first matching row of the A9 table -> action and tier_after, which is the
-- C of the next date unless that date's predecessor has a current published tier (published tiers are
-- facts that recomputation does not rewrite).
-- A date whose metrics are not computed (int_technology__metric_dates: settled, before the first reported
-- date, so every partner has a current published tier there) takes its tier after from the publication
-- (action taken_from_publication); such dates are never reported.
-- Portability: a recursive CTE (WITH RECURSIVE: DuckDB, Postgres, Trino — mind Trino's
-- max_recursion_depth, default 10 — and Spark 4.1, tested; 3.5 refuses it, 4.0 untried). The A9
-- decision is inlined by macros (no subquery around the recursive reference) so the recursive member
-- stays within what each engine allows.
with recursive

inputs as (
    select * from {{ ref('int_technology__tier_chain_inputs') }}
),

chain as (
    select
        inputs.partner_id,
        inputs.evaluation_date,
        inputs.chain_index,
        cast(coalesce(inputs.published_prev_rank, inputs.initial_rank) as integer) as tier_before_rank,
        cast(
            case when inputs.published_prev_rank is not null then 'published' else inputs.initial_source end
            as {{ dbt.type_string() }}
        ) as tier_before_source,
        {{ technology_chain_step('coalesce(inputs.published_prev_rank, inputs.initial_rank)', 'inputs') }}
    from inputs
    where inputs.chain_index = 1

    union all

    select
        inputs.partner_id,
        inputs.evaluation_date,
        inputs.chain_index,
        cast(coalesce(inputs.published_prev_rank, prev.tier_after_rank) as integer) as tier_before_rank,
        cast(
            case when inputs.published_prev_rank is not null then 'published' else 'computed' end
            as {{ dbt.type_string() }}
        ) as tier_before_source,
        {{ technology_chain_step('coalesce(inputs.published_prev_rank, prev.tier_after_rank)', 'inputs') }}
    from chain as prev
    inner join inputs
        on inputs.partner_id = prev.partner_id
        and inputs.chain_index = prev.chain_index + 1
)

select
    chain.partner_id,
    chain.evaluation_date,
    chain.chain_index,
    chain.tier_before_rank,
    chain.tier_before_source,
    chain.action,
    chain.tier_after_rank,
    -- D11: the upgrade waiting for (or lacking) the POC form is reported as pending_tier = X_perf
    {{ technology_a9_pending_rank('chain.action', 'inputs') }} as pending_rank,
    -- D13: rows 9 and 10 keep a tier the partner no longer qualifies for
    {{ technology_a9_at_risk('chain.action') }} as at_risk
from chain
inner join inputs
    on inputs.partner_id = chain.partner_id
    and inputs.evaluation_date = chain.evaluation_date
