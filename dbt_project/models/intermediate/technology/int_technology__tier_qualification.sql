-- rules.md A7, A5, D10, D11: per technology partner, E and tier, whether the partner qualifies:
--  qualifies                   every requirement of the tier passes (nothing blocking)       -> X
--  qualifies_on_performance    every requirement except the POC-form ones passes            -> X_perf
--  uses_exception              one of its requirements passes only through the A5 exception
--  requires_poc_form           the tier has a required POC-form requirement (leading, premier: D11
--                              activation, A10 benefits locked until the form is complete)
--  form_complete               the POC form names every contact the tier requires and, where
--                              required, a passing data-sharing method (D10 "complete for tier t")
select
    partner_id,
    evaluation_date,
    tier,
    tier_rank,
    min(case when is_blocking then 0 else 1 end) = 1 as qualifies,
    min(case when is_blocking and not is_poc_form_requirement then 0 else 1 end) = 1 as qualifies_on_performance,
    max(case when passed_by_exception and not is_blocking then 1 else 0 end) = 1 as uses_exception,
    max(case when is_poc_form_requirement and level = 'required' then 1 else 0 end) = 1 as requires_poc_form,
    min(case when is_poc_form_requirement and level = 'required' and not would_pass then 0 else 1 end) = 1
        as form_complete,
    cast(sum(case when is_blocking then 1 else 0 end) as integer) as blocking_requirement_count
from {{ ref('int_technology__requirement_results') }}
group by partner_id, evaluation_date, tier, tier_rank
