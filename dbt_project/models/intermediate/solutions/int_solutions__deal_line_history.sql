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
        l.deal_id,
        l.portal_id,
        l.product_line,
        l.close_month,
        -- D17: the lag is counted from the close month, or from the first covered month
        case when l.close_month > cv.first_covered_month then l.close_month else cv.first_covered_month end
            as lag_start_month,
        cv.last_covered_month
    from {{ ref('int_solutions__deal_lines') }} as l
    cross join coverage as cv
    where l.close_month is not null
      and not l.is_overage
),

grid as (
    select
        l.deal_id,
        l.product_line,
        l.close_month,
        l.last_covered_month,
        {{ dbt.datediff('l.lag_start_month', 'mo.month', 'month') }} as lag_offset,
        l.lag_start_month,
        mo.month,
        h.edition,
        coalesce(h.mrr_usd, 0) as mrr_usd
    from lines as l
    cross join {{ ref('int_solutions__mrr_months') }} as mo
    left join {{ ref('int_solutions__deal_line_mrr_monthly') }} as h
        on h.portal_id = l.portal_id
        and h.product_line = l.product_line
        and h.month = mo.month
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
    s.deal_id,
    s.product_line,
    s.paid_months_before > 0 as paid_before,
    s.paid_months_before > 0 and s.non_starter_paid_months_before = 0 as all_starter_before,
    s.last_paid_month_before,
    g.edition as last_paid_edition_before,
    s.first_paid_month,
    case
        when s.first_paid_lag_offset = 0 then s.zero_after_0
        when s.first_paid_lag_offset = 1 then s.zero_after_1
        when s.first_paid_lag_offset = 2 then s.zero_after_2
        when {{ add_months('s.lag_start_month', 2) }} <= s.last_covered_month
            then {{ add_months('s.lag_start_month', 3) }}
    end as end_month
from summary as s
left join grid as g
    on g.deal_id = s.deal_id
    and g.product_line = s.product_line
    and g.month = s.last_paid_month_before
