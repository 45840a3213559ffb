-- rules.md A2, D2, G3: the evaluation dates E of the tier chain and their windows.
-- Candidates are the calendar dates (technology_evaluation_calendar) of every year the data touches.
-- A chain date satisfies E <= run date (G3), E <= evaluation_to, and its whole window W(E) lies within
-- the months of portal_mrr_monthly (A2 "--all"). The chain (A9) runs over every chain date from the
-- first; `is_reported` marks the dates at or after evaluation_from, which the marts hold.
with

months as (
    select month from {{ ref('int_technology__months') }}
),

bounds as (
    select min(month) as first_month, max(month) as last_month from months
),

settings as (
    select * from {{ ref('technology_program_settings') }}
),

years as (
    -- every year from the first month's to the year after the last month's
    select {{ add_years('cast(' ~ dbt.date_trunc('year', 'bounds.first_month') ~ ' as date)', 'numbers.n') }}
        as year_start
    from bounds
    cross join ({{ integers(2) }}) as numbers
    where bounds.first_month is not null
        and numbers.n <= {{ dbt.datediff('bounds.first_month', 'bounds.last_month', 'year') }} + 1
),

candidates as (
    select
        {{ add_days(
            add_months('years.year_start', 'calendar.month_of_year - 1'),
            'calendar.day_of_month - 1'
        ) }} as evaluation_date,
        calendar.downgrade_window
    from years
    cross join {{ ref('technology_evaluation_calendar') }} as calendar
),

windows as (
    -- D2: W(E) = the window_months complete calendar months ending the day before E's quarter starts.
    select
        candidates.evaluation_date,
        lag(candidates.evaluation_date) over (order by candidates.evaluation_date) as prev_evaluation_date,
        candidates.downgrade_window,
        cast({{ dbt.date_trunc('quarter', 'candidates.evaluation_date') }} as date) as quarter_start
    from candidates
),

chain_dates as (
    select
        windows.evaluation_date,
        windows.prev_evaluation_date,
        windows.downgrade_window,
        {{ add_months('windows.quarter_start', '-settings.window_months') }} as window_start,
        {{ add_days('windows.quarter_start', -1) }} as window_end,
        settings.window_months,
        settings.poc_form_window_days,
        settings.good_standing_lookback_days,
        settings.downgrades_from
    from windows
    cross join settings
    cross join bounds
    where windows.evaluation_date <= {{ run_date() }}
        and windows.evaluation_date <= {{ evaluation_to() }}
        and {{ add_months('windows.quarter_start', '-settings.window_months') }} >= bounds.first_month
        and {{ add_months('windows.quarter_start', -1) }} <= bounds.last_month
)

select
    evaluation_date,
    cast(row_number() over (order by evaluation_date) as integer) as chain_index,
    prev_evaluation_date,
    window_start,
    window_end,
    window_months,
    downgrade_window,
    -- A9 rows 8/9: no downgrade before downgrades_from (2027-01-01)
    evaluation_date >= downgrades_from as downgrades_in_force,
    {{ run_date() }} as run_date,
    -- A7, D10: the POC form must arrive by E + poc_form_window_days; G3: forms after the run date do not exist
    {{ add_days('evaluation_date', 'poc_form_window_days') }} as poc_form_deadline,
    case
        when {{ run_date() }} < {{ add_days('evaluation_date', 'poc_form_window_days') }}
            then {{ run_date() }}
        else {{ add_days('evaluation_date', 'poc_form_window_days') }}
    end as poc_form_cutoff,
    -- A9 rows 6/7: the form window is still open while run date <= E + 14 days
    {{ run_date() }} <= {{ add_days('evaluation_date', 'poc_form_window_days') }} as poc_form_window_open,
    -- A8, D12: escalations resolved on or after this date break good standing on E
    {{ add_days('evaluation_date', '-good_standing_lookback_days') }} as good_standing_from,
    evaluation_date >= {{ evaluation_from() }} as is_reported
from chain_dates
