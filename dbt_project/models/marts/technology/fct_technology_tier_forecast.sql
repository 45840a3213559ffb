-- issue 17 item 2 (docs/forecast.md): per technology partner, run date (a reported evaluation date taken as
-- the day the forecast is made) and target date (the next evaluation date E'): the projected metrics at E'
-- (carry-forward, trend and the band between them), the projected tier and action by the rules that decide
-- the real tier (int_technology__forecast_decisions), a confidence (the band's ends give the same tier) and
-- an outlook. For a target already evaluated, the decision actually computed stands beside it (backtest).
with

forecasts as (
    select * from {{ ref('int_technology__forecast_decisions') }}
),

tiers as (
    select tier, tier_rank from {{ ref('technology_tiers') }}
),

pivoted as (
    select
        partner_id,
        origin_date,
        evaluation_date as target_date,
        max(tier_before_rank) as tier_before_rank,
        max(projected_months) as projected_months,
        max(case when method = 'carry_forward' then attached_mrr_mean end) as attached_mrr_carry,
        max(case when method = 'trend' then attached_mrr_mean end) as attached_mrr_trend,
        max(case when method = 'band_low' then attached_mrr_mean end) as attached_mrr_low,
        max(case when method = 'band_high' then attached_mrr_mean end) as attached_mrr_high,
        max(case when method = 'carry_forward' then influenced_deals_mrr end) as influenced_deals_mrr_carry,
        max(case when method = 'trend' then influenced_deals_mrr end) as influenced_deals_mrr_trend,
        max(case when method = 'carry_forward' then review_count end) as review_count_carry,
        max(case when method = 'trend' then review_count end) as review_count_trend,
        max(case when method = 'carry_forward' then avg_rating end) as avg_rating_carry,
        max(case when method = 'trend' then avg_rating end) as avg_rating_trend,
        max(install_90d_mrr) as install_90d_mrr,
        max(case when method = 'carry_forward' then tier_after_rank end) as tier_after_carry_rank,
        max(case when method = 'carry_forward' then action end) as action_carry,
        max(case when method = 'trend' then tier_after_rank end) as tier_after_trend_rank,
        max(case when method = 'trend' then action end) as action_trend,
        max(case when method = 'band_low' then tier_after_rank end) as tier_after_low_rank,
        max(case when method = 'band_high' then tier_after_rank end) as tier_after_high_rank,
        max(case when method = 'carry_forward' then attached_mrr_observed end) as attached_mrr_observed,
        max(case when method = 'carry_forward' then window_months end) as window_months,
        max(case when method = 'carry_forward' then next_tier_attached_threshold end) as next_tier_attached_threshold
    from forecasts
    group by partner_id, origin_date, evaluation_date
)

select
    cast(pivoted.partner_id as {{ dbt.type_string() }}) as partner_id,
    cast(pivoted.origin_date as date) as run_date,
    cast(pivoted.target_date as date) as target_date,
    cast(tier_before.tier as {{ dbt.type_string() }}) as tier_before,
    cast(pivoted.projected_months as integer) as projected_months,
    -- product.md: amounts DECIMAL(18,2); the decision used the unrounded projection
    cast(pivoted.attached_mrr_carry as decimal(18, 2)) as projected_attached_mrr,
    cast(round(pivoted.attached_mrr_trend, 6) as double) as projected_attached_mrr_trend,
    cast(round(pivoted.attached_mrr_low, 6) as double) as attached_mrr_band_low,
    cast(round(pivoted.attached_mrr_high, 6) as double) as attached_mrr_band_high,
    cast(pivoted.influenced_deals_mrr_carry as decimal(18, 2)) as projected_influenced_deals_mrr,
    cast(round(pivoted.influenced_deals_mrr_trend, 6) as double) as projected_influenced_deals_mrr_trend,
    cast(pivoted.review_count_carry as integer) as projected_review_count,
    cast(pivoted.review_count_trend as integer) as projected_review_count_trend,
    cast(round(pivoted.avg_rating_carry, 6) as double) as projected_avg_rating,
    cast(round(pivoted.avg_rating_trend, 6) as double) as projected_avg_rating_trend,
    cast(pivoted.install_90d_mrr as decimal(18, 2)) as carried_install_90d_mrr,
    cast(after_carry.tier as {{ dbt.type_string() }}) as projected_tier_after,
    cast(pivoted.action_carry as {{ dbt.type_string() }}) as projected_action,
    cast(after_trend.tier as {{ dbt.type_string() }}) as projected_tier_after_trend,
    cast(pivoted.action_trend as {{ dbt.type_string() }}) as projected_action_trend,
    cast(after_low.tier as {{ dbt.type_string() }}) as band_low_tier_after,
    cast(after_high.tier as {{ dbt.type_string() }}) as band_high_tier_after,
    -- high: both ends of the band give the same tier; low: the tier depends on which way the months go
    cast(
        case when pivoted.tier_after_low_rank = pivoted.tier_after_high_rank then 'high' else 'low' end
        as {{ dbt.type_string() }}
    ) as confidence,
    cast(case
        when pivoted.action_carry in ('upgrade', 'upgrade_pending_poc_form') then 'on_track_for_upgrade'
        when pivoted.action_carry = 'upgrade_held_compliance' then 'upgrade_held'
        when pivoted.action_carry = 'downgrade' then 'at_risk_of_downgrade'
        when pivoted.action_carry in ('downgrade_waived_2026', 'downgrade_not_in_window') then 'below_its_tier'
        when pivoted.action_carry in ('not_in_program', 'left_program') then 'out_of_program'
        else 'steady'
    end as {{ dbt.type_string() }}) as outlook,
    -- the attached MRR the remaining months must add, each, above the carry-forward projection to meet the
    -- tier above C (0 when the projection meets it; null at premier)
    -- (doubles at 6 decimals: the engines sum floating points in different orders, issue 19)
    cast(round(case
        when pivoted.next_tier_attached_threshold is null or pivoted.projected_months = 0 then null
        when pivoted.attached_mrr_carry * pivoted.window_months
            >= pivoted.next_tier_attached_threshold * pivoted.window_months then 0
        else (pivoted.next_tier_attached_threshold - pivoted.attached_mrr_carry) * pivoted.window_months
            / pivoted.projected_months
    end, 6) as double) as attached_mrr_needed_per_remaining_month,
    cast(evaluations.tier_after as {{ dbt.type_string() }}) as actual_tier_after,
    cast(evaluations.action as {{ dbt.type_string() }}) as actual_action
from pivoted
inner join {{ ref('int_technology__evaluation_dates') }} as dates
    on dates.evaluation_date = pivoted.origin_date
left join tiers as tier_before on tier_before.tier_rank = pivoted.tier_before_rank
left join tiers as after_carry on after_carry.tier_rank = pivoted.tier_after_carry_rank
left join tiers as after_trend on after_trend.tier_rank = pivoted.tier_after_trend_rank
left join tiers as after_low on after_low.tier_rank = pivoted.tier_after_low_rank
left join tiers as after_high on after_high.tier_rank = pivoted.tier_after_high_rank
left join {{ ref('fct_technology_tier_evaluations') }} as evaluations
    on evaluations.partner_id = pivoted.partner_id
    and evaluations.evaluation_date = pivoted.target_date
where dates.is_reported
