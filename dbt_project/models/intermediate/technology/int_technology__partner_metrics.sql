-- rules.md A1, A3, D2, D5, D6: the metrics of every technology partner over W(E) for every chain date,
-- derived from the partner x month aggregates (one pass over the big feeds, every date at once).
--  attached MRR: the window total of monthly attached MRR; the mean divides by window_months (a month
--    with no active portal counts as 0). Requirements compare the exact total (G2), never the rounded mean.
--  90-day install MRR (D5): per portal the earliest qualifying install dated in W, valued at the portal's
--    MRR in that install's month; a portal counts once per partner per window.
--  influenced-deals MRR (D6): the kept submissions whose closed_on is in W.
--  reviews / average rating: published reviews in W, each review weighted equally; undefined with none.
with

partners as (
    select partner_id
    from {{ ref('stg_hubspot__partners') }}
    where program = 'technology'
),

dates as (
    -- only the dates whose metrics are used (int_technology__metric_dates: earlier settled dates take
    -- their tier from the publication); the monthly aggregates hold only these dates' months
    select evaluation_date, window_start, window_end, window_months
    from {{ ref('int_technology__metric_dates') }}
    where metrics_computed
),

attached as (
    select
        dates.evaluation_date,
        monthly.partner_id,
        sum(monthly.attached_mrr) as attached_mrr_total,
        count(*) as months_with_active_use
    from dates
    inner join {{ ref('int_technology__partner_attached_mrr_monthly') }} as monthly
        on monthly.month between dates.window_start and dates.window_end
    group by dates.evaluation_date, monthly.partner_id
),

reviews as (
    select
        dates.evaluation_date,
        monthly.partner_id,
        sum(monthly.review_count) as review_count,
        sum(monthly.rating_sum) as rating_sum
    from dates
    inner join {{ ref('int_technology__partner_reviews_monthly') }} as monthly
        on monthly.month between dates.window_start and dates.window_end
    group by dates.evaluation_date, monthly.partner_id
),

influenced as (
    select
        dates.evaluation_date,
        deals.partner_id,
        sum(deals.mrr_usd) as influenced_deals_mrr,
        count(*) as influenced_deal_count
    from dates
    inner join {{ ref('int_technology__influenced_deals') }} as deals
        on deals.closed_on between dates.window_start and dates.window_end
    group by dates.evaluation_date, deals.partner_id
),

first_installs as (
    select
        dates.evaluation_date,
        candidates.partner_id,
        candidates.portal_id,
        min(candidates.installed_on) as first_install_on
    from dates
    inner join {{ ref('int_technology__install_90d_candidates') }} as candidates
        on candidates.installed_on between dates.window_start and dates.window_end
    group by dates.evaluation_date, candidates.partner_id, candidates.portal_id
),

install_90d as (
    select
        first_installs.evaluation_date,
        first_installs.partner_id,
        coalesce(sum(mrr.portal_mrr), 0) as install_90d_mrr,
        count(*) as install_90d_portal_count
    from first_installs
    left join {{ ref('int_technology__portal_mrr_monthly') }} as mrr
        on mrr.portal_id = first_installs.portal_id
        and mrr.month = {{ month_of('first_installs.first_install_on') }}
    group by first_installs.evaluation_date, first_installs.partner_id
)

select
    partners.partner_id,
    dates.evaluation_date,
    dates.window_start,
    dates.window_end,
    dates.window_months,
    cast(coalesce(attached.attached_mrr_total, 0) as decimal(18, 2)) as attached_mrr_total,
    cast(coalesce(attached.attached_mrr_total, 0) as double) / dates.window_months as attached_mrr_mean,
    cast(coalesce(attached.months_with_active_use, 0) as integer) as months_with_active_use,
    cast(coalesce(install_90d.install_90d_mrr, 0) as decimal(18, 2)) as install_90d_mrr,
    cast(coalesce(install_90d.install_90d_portal_count, 0) as integer) as install_90d_portal_count,
    cast(coalesce(influenced.influenced_deals_mrr, 0) as decimal(18, 2)) as influenced_deals_mrr,
    cast(coalesce(influenced.influenced_deal_count, 0) as integer) as influenced_deal_count,
    cast(coalesce(reviews.review_count, 0) as integer) as review_count,
    cast(coalesce(reviews.rating_sum, 0) as bigint) as rating_sum,
    case
        when coalesce(reviews.review_count, 0) > 0
            then cast(reviews.rating_sum as double) / reviews.review_count
    end as avg_rating
from partners
cross join dates
left join attached
    on attached.partner_id = partners.partner_id and attached.evaluation_date = dates.evaluation_date
left join reviews
    on reviews.partner_id = partners.partner_id and reviews.evaluation_date = dates.evaluation_date
left join influenced
    on influenced.partner_id = partners.partner_id and influenced.evaluation_date = dates.evaluation_date
left join install_90d
    on install_90d.partner_id = partners.partner_id and install_90d.evaluation_date = dates.evaluation_date
