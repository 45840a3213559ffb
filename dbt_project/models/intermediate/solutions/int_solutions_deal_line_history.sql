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
with lines as (
    select deal_id, portal_id, product_line, close_month
    from {{ ref('int_solutions_deal_lines') }}
    where close_month is not null
      and not is_overage
),

grid as (
    select
        l.deal_id,
        l.product_line,
        l.close_month,
        mo.month,
        h.edition,
        coalesce(h.mrr_usd, 0) as mrr_usd
    from lines as l
    cross join {{ ref('int_solutions_mrr_months') }} as mo
    left join {{ ref('int_solutions_deal_line_mrr_monthly') }} as h
        on h.portal_id = l.portal_id
        and h.product_line = l.product_line
        and h.month = mo.month
),

coverage as (
    select min(month) as first_covered_month, max(month) as last_covered_month
    from {{ ref('int_solutions_mrr_months') }}
),

grid_with_first_paid as (
    select
        g.*,
        min(case when g.month >= g.close_month and g.mrr_usd > 0 then g.month end)
            over (partition by g.deal_id, g.product_line) as first_paid_month
    from grid as g
),

summary as (
    select
        deal_id,
        product_line,
        close_month,
        first_paid_month,
        max(case when month < close_month and mrr_usd > 0 then month end) as last_paid_month_before,
        sum(case when month < close_month and mrr_usd > 0 then 1 else 0 end) as paid_months_before,
        sum(
            case when month < close_month and mrr_usd > 0 and coalesce(edition, '') <> 'starter' then 1 else 0 end
        ) as non_starter_paid_months_before,
        -- D17: the end of the paid run that starts the association's paid life
        min(case when month > first_paid_month and mrr_usd = 0 then month end) as paid_run_end_month
    from grid_with_first_paid
    group by deal_id, product_line, close_month, first_paid_month
),

lag_windows as (
    select
        s.*,
        {{ solutions_add_months(
            'case when s.close_month > cv.first_covered_month then s.close_month else cv.first_covered_month end', 2
        ) }} as last_lag_month,
        cv.last_covered_month
    from summary as s
    cross join coverage as cv
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
        when s.first_paid_month <= s.last_lag_month then s.paid_run_end_month
        when s.last_lag_month <= s.last_covered_month then {{ solutions_add_months('s.last_lag_month', 1) }}
    end as end_month
from lag_windows as s
left join grid as g
    on g.deal_id = s.deal_id
    and g.product_line = s.product_line
    and g.month = s.last_paid_month_before
