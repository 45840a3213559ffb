-- issue 17 item 2 (forecast; docs/forecast.md): for every technology partner and every chain date taken
-- as the forecast's origin O (the run date of a forecast made on that day), the decision inputs of the
-- next calendar evaluation date E' as projected from the data of the months before O's month.
-- The months of W(E') before O's month are facts (the monthly aggregates); the others (O's quarter:
-- three months) are projected per method:
--   carry_forward  every projected month repeats the last observed month;
--   trend          a least-squares line through the last trend_months observed months (months with no
--                  activity count as 0), floored at 0;
--   band_low / band_high  per projected month the lower / higher of the two: the band.
-- Projected: attached MRR (monthly), reviews and their rating sum (monthly), influenced-deals MRR (by
-- close month). Carried from O: 90-day install MRR (its W(O) value: the windows share 9 months), live and
-- certified apps, the POC form, good standing. The tier before E' is O's tier after (C of the chain); the
-- form window is taken as open (a forecast speaks of E' itself). One row per method, partner, O and E',
-- shaped for the decision macros (technology_requirement_results, technology_tier_decision).
{% set trend_months = 6 %}
with

origins as (
    select
        dates.evaluation_date as origin_date,
        {{ month_of('dates.evaluation_date') }} as origin_month,
        dates.window_months
    from {{ ref('int_technology__metric_dates') }} as dates
    where dates.metrics_computed
),

years as (
    select 0 as n
    union all
    select 1 as n
),

calendar_dates as (
    -- the calendar's dates of O's year and the next (technology_evaluation_calendar)
    select
        origins.origin_date,
        {{ add_days(
            add_months(
                'cast(' ~ dbt.date_trunc('year', 'origins.origin_date') ~ ' as date)',
                'calendar.month_of_year - 1 + 12 * years.n'
            ),
            'calendar.day_of_month - 1'
        ) }} as target_date,
        calendar.downgrade_window
    from origins
    cross join {{ ref('technology_evaluation_calendar') }} as calendar
    cross join years
),

next_dates as (
    select
        calendar_dates.origin_date,
        calendar_dates.target_date,
        calendar_dates.downgrade_window,
        row_number() over (
            partition by calendar_dates.origin_date order by calendar_dates.target_date
        ) as rank_after
    from calendar_dates
    where calendar_dates.target_date > calendar_dates.origin_date
),

targets as (
    select
        origins.origin_date,
        origins.origin_month,
        origins.window_months,
        next_dates.target_date,
        next_dates.downgrade_window,
        -- D2: W(E') ends the day before E''s quarter starts
        {{ add_months(
            month_of(dbt.date_trunc('quarter', 'next_dates.target_date')), '-origins.window_months'
        ) }} as window_start,
        {{ add_days(month_of(dbt.date_trunc('quarter', 'next_dates.target_date')), -1) }}
            as window_end
    from origins
    inner join next_dates
        on next_dates.origin_date = origins.origin_date
        and next_dates.rank_after = 1
),

months as (
    select month from {{ ref('int_technology__months') }}
),

partners as (
    select partner_id
    from {{ ref('stg_hubspot__partners') }}
    where program = 'technology'
),

influenced_monthly as (
    select
        partner_id,
        {{ month_of('closed_on') }} as month,
        sum(mrr_usd) as influenced_mrr
    from {{ ref('int_technology__influenced_deals') }}
    group by partner_id, {{ month_of('closed_on') }}
),

-- partner x month: the three monthly series, every month present (0 where nothing happened)
monthly as (
    select
        partners.partner_id,
        months.month,
        coalesce(attached.attached_mrr, 0) as attached_mrr,
        coalesce(reviews.review_count, 0) as review_count,
        coalesce(reviews.rating_sum, 0) as rating_sum,
        coalesce(deals.influenced_mrr, 0) as influenced_mrr
    from partners
    cross join months
    left join {{ ref('int_technology__partner_attached_mrr_monthly') }} as attached
        on attached.partner_id = partners.partner_id and attached.month = months.month
    left join {{ ref('int_technology__partner_reviews_monthly') }} as reviews
        on reviews.partner_id = partners.partner_id and reviews.month = months.month
    left join influenced_monthly as deals
        on deals.partner_id = partners.partner_id and deals.month = months.month
),

-- facts: the months of W(E') before O's month
observed as (
    select
        monthly.partner_id,
        targets.origin_date,
        sum(monthly.attached_mrr) as attached_mrr,
        sum(monthly.review_count) as review_count,
        sum(monthly.rating_sum) as rating_sum,
        sum(monthly.influenced_mrr) as influenced_mrr
    from targets
    inner join monthly
        on monthly.month between targets.window_start and targets.window_end
        and monthly.month < targets.origin_month
    group by monthly.partner_id, targets.origin_date
),

-- the last trend_months observed months, indexed -trend_months .. -1 (O's month is 0)
recent as (
    select
        monthly.*,
        targets.origin_date,
        -- dbt's cross-database datediff renders past the line length
        {{ dbt.datediff('targets.origin_month', 'monthly.month', 'month') }} as month_index  -- noqa: LT05
    from targets
    inner join monthly
        on monthly.month < targets.origin_month
        and monthly.month >= {{ add_months('targets.origin_month', -trend_months) }}
),

lines as (
    -- the loop's rendered lines keep the indent of the template, not the one LT02 derives
    -- noqa: disable=LT02
    select
        partner_id,
        origin_date,
        {% for series in ['attached_mrr', 'review_count', 'rating_sum', 'influenced_mrr'] %}
        max(case when month_index = -1 then {{ series }} end) as {{ series }}_last,
        coalesce(regr_slope({{ series }}, month_index), 0) as {{ series }}_slope,
        coalesce(
            regr_intercept({{ series }}, month_index),
            max(case when month_index = -1 then {{ series }} end)
        ) as {{ series }}_intercept{% if not loop.last %},{% endif %}
        {% endfor %}
    from recent
    group by partner_id, origin_date
    -- noqa: enable=LT02
),

numbers as (
    {{ integers(1) }}
),

-- months beyond the data (a forecast of the future): up to 6 after the last month of the data
future_months as (
    select {{ add_months('max(months.month)', 'numbers.n') }} as month
    from months
    cross join numbers
    where numbers.n between 1 and 6
    group by numbers.n
),

all_months as (
    select month from months
    union all
    select month from future_months
),

-- projected: the months of W(E') from O's month on, per method
projected_months as (
    select
        targets.origin_date,
        all_months.month,
        -- dbt's cross-database datediff renders past the line length
        {{ dbt.datediff('targets.origin_month', 'all_months.month', 'month') }} as month_index  -- noqa: LT05
    from targets
    inner join all_months
        on all_months.month between targets.origin_month and targets.window_end
),

methods as (
    select 'carry_forward' as method
    union all
    select 'trend' as method
    union all
    select 'band_low' as method
    union all
    select 'band_high' as method
),

projected as (
    select
        methods.method,
        lines.partner_id,
        lines.origin_date,
        count(*) as projected_months,
        {% for series in ['attached_mrr', 'review_count', 'rating_sum', 'influenced_mrr'] %}
        {% set carry = 'coalesce(lines.' ~ series ~ '_last, 0)' %}
        {% set line = 'lines.' ~ series ~ '_intercept + lines.' ~ series ~ '_slope * projected_months.month_index' %}
        {% set trend = 'case when ' ~ line ~ ' > 0 then ' ~ line ~ ' else 0 end' %}
        sum(case methods.method
            when 'carry_forward' then {{ carry }}
            when 'trend' then {{ trend }}
            when 'band_low' then case when {{ carry }} < {{ trend }} then {{ carry }} else {{ trend }} end
            else case when {{ carry }} > {{ trend }} then {{ carry }} else {{ trend }} end
        end) as {{ series }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from lines
    inner join projected_months
        on projected_months.origin_date = lines.origin_date
    cross join methods
    group by methods.method, lines.partner_id, lines.origin_date
),

tiers as (
    select
        min(tier_rank) as not_in_program_rank,
        max(case when tier = 'partner' then tier_rank end) as partner_rank
    from {{ ref('technology_tiers') }}
),

settings as (
    select downgrades_from from {{ ref('technology_program_settings') }}
)

select
    projected.method,
    projected.partner_id,
    projected.origin_date,
    targets.target_date as evaluation_date,
    targets.window_months,
    cast(projected.projected_months as integer) as projected_months,
    coalesce(observed.attached_mrr, 0) + projected.attached_mrr as attached_mrr_total,
    cast(coalesce(observed.attached_mrr, 0) + projected.attached_mrr as double) / targets.window_months
        as attached_mrr_mean,
    coalesce(observed.attached_mrr, 0) as attached_mrr_observed,
    origin_metrics.install_90d_mrr,
    coalesce(observed.influenced_mrr, 0) + projected.influenced_mrr as influenced_deals_mrr,
    cast(round(coalesce(observed.review_count, 0) + projected.review_count) as integer) as review_count,
    coalesce(observed.rating_sum, 0) + projected.rating_sum as rating_sum,
    case
        when round(coalesce(observed.review_count, 0) + projected.review_count) > 0
            then (coalesce(observed.rating_sum, 0) + projected.rating_sum)
                / round(coalesce(observed.review_count, 0) + projected.review_count)
    end as avg_rating,
    listing.live_app_count,
    listing.certified_live_app_count,
    forms.has_technical_contact,
    forms.has_partnership_manager,
    forms.has_executive_sponsor,
    forms.data_sharing_passes,
    listing.has_live_listing,
    standing.in_good_standing,
    true as form_window_open,
    targets.downgrade_window,
    targets.target_date >= settings.downgrades_from as downgrades_in_force,
    tiers.not_in_program_rank,
    tiers.partner_rank,
    chain.tier_after_rank as tier_before_rank
from projected
inner join targets
    on targets.origin_date = projected.origin_date
left join observed
    on observed.partner_id = projected.partner_id
    and observed.origin_date = projected.origin_date
inner join {{ ref('int_technology__partner_metrics') }} as origin_metrics
    on origin_metrics.partner_id = projected.partner_id
    and origin_metrics.evaluation_date = projected.origin_date
inner join {{ ref('int_technology__partner_listing_status') }} as listing
    on listing.partner_id = projected.partner_id
    and listing.evaluation_date = projected.origin_date
inner join {{ ref('int_technology__poc_form_status') }} as forms
    on forms.partner_id = projected.partner_id
    and forms.evaluation_date = projected.origin_date
inner join {{ ref('int_technology__good_standing') }} as standing
    on standing.partner_id = projected.partner_id
    and standing.evaluation_date = projected.origin_date
inner join {{ ref('int_technology__tier_chain') }} as chain
    on chain.partner_id = projected.partner_id
    and chain.evaluation_date = projected.origin_date
cross join tiers
cross join settings
