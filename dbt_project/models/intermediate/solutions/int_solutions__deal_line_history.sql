-- rules.md D15 (already owned), D17 (association end): for every line item of a closed-won deal
-- (overage excluded), what the portal paid for that product line before the deal's close month,
-- and the month an association created by this deal would end (exclusive, never resuming).
--   * D15 paid = MRR > 0 in a month before the close month. `all_starter_before` is true when every
--     such month was starter; `last_paid_edition_before` is the edition of the latest such month.
--   * D17 (revised 2026-12-04) a billing lag is not a cancellation. `first_paid_month` = the first
--     month >= close month with MRR > 0. When it falls in the close month or the two months after,
--     `end_month` = the first month after it with no row or MRR 0 (null when the line is paid up to
--     the last covered month). When the line is paid in none of those three months, `end_month` =
--     the third month after the close month (never paid) - known once the second month after the
--     close is covered; before that it is null (the lag may still end in a payment).
-- Only the months covered by portal_mrr_monthly are read; months before the first covered month
-- are unknown and count as not paid, so the lag is counted from the first covered month when the
-- deal closed before it.
with coverage as (
    select min(month) as first_covered_month, max(month) as last_covered_month
    from {{ ref('int_solutions__mrr_months') }}
),

lines as (
    select
        deal_lines.deal_id,
        deal_lines.portal_id,
        deal_lines.product_line,
        deal_lines.close_month,
        -- D17: the lag is counted from the close month, or from the first covered month
        case
            when deal_lines.close_month > coverage.first_covered_month then deal_lines.close_month
            else coverage.first_covered_month
        end
            as lag_start_month,
        coverage.last_covered_month
    from {{ ref('int_solutions__deal_lines') }} as deal_lines
    cross join coverage
    where deal_lines.close_month is not null
        and not deal_lines.is_overage
),

grid as (
    select
        lines.deal_id,
        lines.product_line,
        lines.close_month,
        lines.last_covered_month,
        -- LT05 measures the rendered line, and dbt.datediff renders long on DuckDB
        {{ dbt.datediff('lines.lag_start_month', 'months.month', 'month') }} as lag_offset,  -- noqa: LT05
        lines.lag_start_month,
        months.month,
        line_mrr.edition,
        coalesce(line_mrr.mrr_usd, 0) as mrr_usd
    from lines
    cross join {{ ref('int_solutions__mrr_months') }} as months
    left join {{ ref('int_solutions__deal_line_mrr_monthly') }} as line_mrr
        on line_mrr.portal_id = lines.portal_id
        and line_mrr.product_line = lines.product_line
        and line_mrr.month = months.month
),

-- One pass over the grid (no window): the paid run that starts the association's paid life begins
-- at lag offset 0, 1 or 2 when the line is paid in one of those months; its end is the first zero
-- month after that offset (`zero_after_k`).
summary as (
    select
        deal_id,
        product_line,
        lag_start_month,
        last_covered_month,
        max(case when month < close_month and mrr_usd > 0 then month end) as last_paid_month_before,
        sum(case when month < close_month and mrr_usd > 0 then 1 else 0 end) as paid_months_before,
        sum(
            case when month < close_month and mrr_usd > 0 and coalesce(edition, '') <> 'starter' then 1 else 0 end
        ) as non_starter_paid_months_before,
        min(case when month >= close_month and mrr_usd > 0 then month end) as first_paid_month,
        min(case when lag_offset between 0 and 2 and mrr_usd > 0 then lag_offset end) as first_paid_lag_offset,
        min(case when lag_offset > 0 and mrr_usd = 0 then month end) as zero_after_0,
        min(case when lag_offset > 1 and mrr_usd = 0 then month end) as zero_after_1,
        min(case when lag_offset > 2 and mrr_usd = 0 then month end) as zero_after_2
    from grid
    group by deal_id, product_line, lag_start_month, last_covered_month
)

select
    summary.deal_id,
    summary.product_line,
    summary.paid_months_before > 0 as paid_before,
    summary.paid_months_before > 0 and summary.non_starter_paid_months_before = 0 as all_starter_before,
    summary.last_paid_month_before,
    grid.edition as last_paid_edition_before,
    summary.first_paid_month,
    case
        when summary.first_paid_lag_offset = 0 then summary.zero_after_0
        when summary.first_paid_lag_offset = 1 then summary.zero_after_1
        when summary.first_paid_lag_offset = 2 then summary.zero_after_2
        when {{ add_months('summary.lag_start_month', 2) }} <= summary.last_covered_month
            then {{ add_months('summary.lag_start_month', 3) }}
    end as end_month
from summary
left join grid
    on grid.deal_id = summary.deal_id
    and grid.product_line = summary.product_line
    and grid.month = summary.last_paid_month_before
