{# rules.md A4-A9: the tier decision as macros over relations, so the dbt models that decide the real
   tier and the what-if simulator (orchestration/whatif.py, through rpt_technology_what_if_sql) run
   the same SQL (issue 17 item 1). `keys` are the columns that identify one decision: partner_id and
   evaluation_date in the models; the simulator adds scenario_id to answer several scenarios at once.
   Every macro returns one SELECT with its sub-steps as derived tables (no WITH), so it can stand as a
   model body or inside a CTE. #}

{% macro technology_decision_keys(keys, alias) -%}
    {% for key in keys %}{{ alias }}.{{ key }}{% if not loop.last %}, {% endif %}{% endfor %}
{%- endmacro %}

{% macro technology_decision_keys_match(keys, left, right) -%}
    {% for key in keys %}{{ left }}.{{ key }} = {{ right }}.{{ key }}{% if not loop.last %} and {% endif %}{% endfor %}
{%- endmacro %}

{# rules.md A3, A4, A7, D8: per technology partner and computed E, every input of the requirement
   evaluation: the metrics over W(E), live and certified apps, what the POC form names. #}
{% macro technology_requirement_inputs(metrics, listing, forms) -%}
    select
        metrics.partner_id,
        metrics.evaluation_date,
        metrics.window_months,
        metrics.attached_mrr_total,
        metrics.attached_mrr_mean,
        metrics.install_90d_mrr,
        metrics.influenced_deals_mrr,
        metrics.review_count,
        metrics.rating_sum,
        metrics.avg_rating,
        listing.live_app_count,
        listing.certified_live_app_count,
        forms.has_technical_contact,
        forms.has_partnership_manager,
        forms.has_executive_sponsor,
        forms.data_sharing_passes
    from {{ metrics }} as metrics
    inner join {{ listing }} as listing
        on listing.partner_id = metrics.partner_id
        and listing.evaluation_date = metrics.evaluation_date
    inner join {{ forms }} as forms
        on forms.partner_id = metrics.partner_id
        and forms.evaluation_date = metrics.evaluation_date
{%- endmacro %}

{# A4: the requirement rows that count (level required or preferred), with their tier's rank. #}
{% macro technology_decision_requirements(requirements, tiers) -%}
    select requirements.*, tiers.tier_rank
    from {{ requirements }} as requirements
    inner join {{ tiers }} as tiers
        on tiers.tier = requirements.tier
    where requirements.level in ('required', 'preferred')
{%- endmacro %}

{# rules.md A4, A5, A6/D9, D7, D8, A7, G2: every requirement of every tier for every row of `inputs`,
   with its value, threshold and status. `inputs` holds per decision: window_months,
   attached_mrr_total, attached_mrr_mean, install_90d_mrr, influenced_deals_mrr, review_count,
   rating_sum, avg_rating, live_app_count, certified_live_app_count, has_technical_contact,
   has_partnership_manager, has_executive_sponsor, data_sharing_passes.
    * G2: amounts compare unrounded: the 12-month mean attached MRR passes when the window total
      >= threshold x window_months; the average rating when rating_sum >= threshold x review_count.
    * A4: influenced_mrr is one requirement passed by either threshold (OR). An undefined rating fails.
    * A5: influenced-deals MRR >= exception_deals_threshold satisfies the requirement (Premier's
      attached_mrr and influenced_mrr); status pass with passed_by_exception when only the exception holds.
    * A6/D9: before enforced_from the status is not_enforced (never blocking); would_pass keeps the result.
    * preferred: pass or preferred_missing, never blocking. #}
{% macro technology_requirement_results(inputs, requirements, keys=['partner_id', 'evaluation_date']) -%}
select
    {{ technology_decision_keys(keys, 'judged') }},
    judged.tier,
    judged.tier_rank,
    judged.requirement,
    judged.level,
    judged.is_poc_form_requirement,
    judged.enforced_from,
    judged.value,
    judged.threshold,
    judged.install_90d_value,
    judged.install_90d_threshold,
    judged.exception_deals_threshold,
    judged.influenced_deals_value,
    judged.meets_standard,
    judged.meets_exception,
    judged.would_pass,
    judged.passed_by_exception,
    case
        when judged.is_phased_in then 'not_enforced'
        when judged.would_pass then 'pass'
        when judged.level = 'preferred' then 'preferred_missing'
        else 'fail'
    end as status,
    -- does the result block the tier? Only a failing required, enforced requirement does.
    not judged.is_phased_in and judged.level = 'required' and not judged.would_pass as is_blocking
from (
    select
        measured.*,
        measured.meets_standard or measured.meets_exception as would_pass,
        not measured.meets_standard and measured.meets_exception as passed_by_exception,
        coalesce(measured.evaluation_date < measured.enforced_from, false) as is_phased_in
    from (
        select
            {{ technology_decision_keys(keys, 'partner_dates') }},
            requirements.tier,
            requirements.tier_rank,
            requirements.requirement,
            requirements.level,
            requirements.is_poc_form_requirement,
            requirements.enforced_from,
            case requirements.requirement
                when 'attached_mrr' then partner_dates.attached_mrr_mean
                when 'influenced_mrr' then cast(partner_dates.influenced_deals_mrr as double)
                when 'review_count' then cast(partner_dates.review_count as double)
                when 'avg_rating' then partner_dates.avg_rating
                when 'live_listing' then case when partner_dates.live_app_count > 0 then 1.0 else 0.0 end
                when 'app_certification'
                    then case when partner_dates.certified_live_app_count > 0 then 1.0 else 0.0 end
                when 'technical_contact' then case when partner_dates.has_technical_contact then 1.0 else 0.0 end
                when 'partnership_manager'
                    then case when partner_dates.has_partnership_manager then 1.0 else 0.0 end
                when 'executive_sponsor' then case when partner_dates.has_executive_sponsor then 1.0 else 0.0 end
                when 'data_sharing' then case when partner_dates.data_sharing_passes then 1.0 else 0.0 end
            end as value,
            cast(requirements.threshold as double) as threshold,
            case
                when requirements.requirement = 'influenced_mrr'
                    then cast(partner_dates.install_90d_mrr as double)
            end as install_90d_value,
            cast(requirements.install_90d_threshold as double) as install_90d_threshold,
            cast(requirements.exception_deals_threshold as double) as exception_deals_threshold,
            cast(partner_dates.influenced_deals_mrr as double) as influenced_deals_value,
            -- the standard path, on exact (unrounded) decimals (G2)
            coalesce(case requirements.requirement
                when 'attached_mrr'
                    then partner_dates.attached_mrr_total >= requirements.threshold * partner_dates.window_months
                when 'influenced_mrr'
                    then coalesce(partner_dates.influenced_deals_mrr >= requirements.threshold, false)
                        or coalesce(partner_dates.install_90d_mrr >= requirements.install_90d_threshold, false)
                when 'review_count' then partner_dates.review_count >= requirements.threshold
                when 'avg_rating'
                    then partner_dates.review_count > 0
                        and partner_dates.rating_sum >= requirements.threshold * partner_dates.review_count
                when 'live_listing'
                    then (case when partner_dates.live_app_count > 0 then 1 else 0 end) >= requirements.threshold
                when 'app_certification'
                    then (case when partner_dates.certified_live_app_count > 0 then 1 else 0 end)
                        >= requirements.threshold
                when 'technical_contact'
                    then (case when partner_dates.has_technical_contact then 1 else 0 end) >= requirements.threshold
                when 'partnership_manager'
                    then (case when partner_dates.has_partnership_manager then 1 else 0 end) >= requirements.threshold
                when 'executive_sponsor'
                    then (case when partner_dates.has_executive_sponsor then 1 else 0 end) >= requirements.threshold
                when 'data_sharing'
                    then (case when partner_dates.data_sharing_passes then 1 else 0 end) >= requirements.threshold
            end, false) as meets_standard,
            -- A5: the Premier exception path
            coalesce(partner_dates.influenced_deals_mrr >= requirements.exception_deals_threshold, false)
                as meets_exception
        from {{ inputs }} as partner_dates
        cross join {{ requirements }} as requirements
    ) as measured
) as judged
{%- endmacro %}

{# rules.md A7, A5, D10, D11: per decision and tier, whether it qualifies:
    qualifies                   every requirement of the tier passes (nothing blocking)       -> X
    qualifies_on_performance    every requirement except the POC-form ones passes            -> X_perf
    uses_exception              one of its requirements passes only through the A5 exception
    requires_poc_form           the tier has a required POC-form requirement (leading, premier: D11
                                activation, A10 benefits locked until the form is complete)
    form_complete               the POC form names every contact the tier requires and, where
                                required, a passing data-sharing method (D10 "complete for tier t") #}
{% macro technology_tier_qualification(results, keys=['partner_id', 'evaluation_date']) -%}
select
    {{ technology_decision_keys(keys, 'results') }},
    results.tier,
    results.tier_rank,
    min(case when results.is_blocking then 0 else 1 end) = 1 as qualifies,
    min(case when results.is_blocking and not results.is_poc_form_requirement then 0 else 1 end) = 1
        as qualifies_on_performance,
    max(case when results.passed_by_exception and not results.is_blocking then 1 else 0 end) = 1 as uses_exception,
    max(case when results.is_poc_form_requirement and results.level = 'required' then 1 else 0 end) = 1
        as requires_poc_form,
    min(
        case when results.is_poc_form_requirement and results.level = 'required' and not results.would_pass
            then 0 else 1 end
    ) = 1 as form_complete,
    cast(sum(case when results.is_blocking then 1 else 0 end) as integer) as blocking_requirement_count
from {{ results }} as results
group by {{ technology_decision_keys(keys, 'results') }}, results.tier, results.tier_rank
{%- endmacro %}

{# rules.md A7, A5: per decision, X = the highest tier all of whose requirements pass and X_perf = the
   highest tier all of whose requirements other than the POC-form ones pass (technical_contact,
   partnership_manager, executive_sponsor, data_sharing); X <= X_perf. "Highest": tiers are not climbed
   one by one (a Premier exception partner may qualify for premier and not leading). Rank 0
   (not_in_program) when no tier qualifies. premier_exception_used (A5): X is premier and premier passes
   only through the exception — "the standard Premier path fails and the exception makes the partner
   qualify for Premier"; qualifying includes every other mandatory requirement, the POC-form contacts and
   data sharing among them, so a partner pending its form has not used the exception.
   form_complete_for_tier: the highest tier requiring a POC form (leading, premier) for which the form
   is complete (D10); null when the form is complete for none of them. #}
{% macro technology_qualified_tiers(qualification, tiers, keys=['partner_id', 'evaluation_date']) -%}
select
    {{ technology_decision_keys(keys, 'ranked') }},
    cast(ranked.qualified_rank as integer) as qualified_rank,
    x.tier as qualified_tier,
    cast(ranked.qualified_on_performance_rank as integer) as qualified_on_performance_rank,
    x_perf.tier as qualified_tier_on_performance,
    cast(ranked.form_complete_rank as integer) as form_complete_rank,
    form_tier.tier as form_complete_for_tier,
    coalesce(x_tier.uses_exception, false) as premier_exception_used
from (
    select
        {{ technology_decision_keys(keys, 'ranks') }},
        coalesce(ranks.qualified_rank, not_in_program.rank_value) as qualified_rank,
        coalesce(ranks.qualified_on_performance_rank, not_in_program.rank_value) as qualified_on_performance_rank,
        ranks.form_complete_rank
    from (
        select
            {{ technology_decision_keys(keys, 'qualification') }},
            max(case when qualification.qualifies then qualification.tier_rank end) as qualified_rank,
            max(case when qualification.qualifies_on_performance then qualification.tier_rank end)
                as qualified_on_performance_rank,
            max(case when qualification.form_complete and qualification.requires_poc_form
                then qualification.tier_rank end) as form_complete_rank
        from {{ qualification }} as qualification
        group by {{ technology_decision_keys(keys, 'qualification') }}
    ) as ranks
    cross join (select min(tier_rank) as rank_value from {{ tiers }}) as not_in_program
) as ranked
left join {{ tiers }} as x on x.tier_rank = ranked.qualified_rank
left join {{ tiers }} as x_perf on x_perf.tier_rank = ranked.qualified_on_performance_rank
left join {{ tiers }} as form_tier on form_tier.tier_rank = ranked.form_complete_rank
left join {{ qualification }} as x_tier
    on {{ technology_decision_keys_match(keys, 'x_tier', 'ranked') }}
    and x_tier.tier_rank = ranked.qualified_rank
{%- endmacro %}

{# rules.md A9, D11, D13: the tier change for every row of `inputs` from its C (tier_before_rank), with X
   and X_perf from `qualified` — the A9 macros of tier_change.sql, which the tier chain
   inlines in its recursion. Used by the what-if simulator, where C is the one the real chain used.
   `inputs` holds per decision, besides the requirement inputs: tier_before_rank, has_live_listing,
   in_good_standing, form_window_open, downgrade_window, downgrades_in_force, not_in_program_rank,
   partner_rank. #}
{% macro technology_tier_decision(inputs, qualified, keys=['partner_id', 'evaluation_date']) -%}
select
    {{ technology_decision_keys(keys, 'decided') }},
    decided.tier_before_rank,
    decided.qualified_rank,
    decided.qualified_on_performance_rank,
    decided.premier_exception_used,
    decided.form_complete_for_tier,
    decided.action,
    cast({{ technology_a9_tier_after('decided.action', 'decided.tier_before_rank', 'decided') }} as integer)
        as tier_after_rank,
    {{ technology_a9_pending_rank('decided.action', 'decided') }} as pending_rank,
    {{ technology_a9_at_risk('decided.action') }} as at_risk
from (
    select
        combined.*,
        {{ technology_a9_action('combined.tier_before_rank', 'combined') }} as action
    from (
        select
            inputs.*,
            qualified.qualified_rank,
            qualified.qualified_on_performance_rank,
            qualified.premier_exception_used,
            qualified.form_complete_for_tier
        from {{ inputs }} as inputs
        inner join {{ qualified }} as qualified
            on {{ technology_decision_keys_match(keys, 'qualified', 'inputs') }}
    ) as combined
) as decided
{%- endmacro %}

{# The whole decision as a list of CTEs (no leading WITH, no trailing comma) named <prefix>results,
   <prefix>qualification, <prefix>qualified and <prefix>decisions, over `inputs` and the requirement
   rows `requirements`; `tiers` holds tier and tier_rank. #}
{% macro technology_decision_ctes(inputs, requirements, tiers, keys, prefix='') -%}
{{ prefix }}results as (
    {{ technology_requirement_results(inputs, requirements, keys) }}
),

{{ prefix }}qualification as (
    {{ technology_tier_qualification(prefix ~ 'results', keys) }}
),

{{ prefix }}qualified as (
    {{ technology_qualified_tiers(prefix ~ 'qualification', tiers, keys) }}
),

{{ prefix }}decisions as (
    {{ technology_tier_decision(inputs, prefix ~ 'qualified', keys) }}
)
{%- endmacro %}
