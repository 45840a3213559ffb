-- rules.md A9, A3, D2 (pruning, docs/benchmarks.md): which chain dates need their metrics computed.
-- The tier before E (C) is the current published tier of the previous date when one exists (A9:
-- published tiers are facts). A chain date is *settled* when every technology partner has a current
-- published tier for it. When every chain date before the first reported one is settled, the chain
-- from the first reported date on takes its C from the publication for every partner, so the metrics
-- (and requirement results) of those earlier dates are never used: they are not computed, and the big
-- monthly aggregates are built for the months of the remaining windows only
-- (int_technology__metric_months). A quarter evaluated after the earlier ones were published reads
-- 12 months of usage instead of all of them. Without publications every date is computed, as before.
with

dates as (
    select * from {{ ref('int_technology__evaluation_dates') }}
),

partners as (
    select partner_id from {{ ref('int_technology__partners') }}
),

published_partners as (
    select
        published.evaluation_date,
        count(distinct published.partner_id) as published_partner_count
    from {{ ref('stg_publication__published_technology_tiers') }} as published
    inner join partners
        on partners.partner_id = published.partner_id
    where published.is_current
    group by published.evaluation_date
),

settled as (
    select
        dates.evaluation_date,
        dates.is_reported,
        coalesce(published_partners.published_partner_count, 0) = (select count(*) from partners) as is_settled
    from dates
    left join published_partners
        on published_partners.evaluation_date = dates.evaluation_date
),

first_computed as (
    -- the first chain date that is reported or not settled: every date before it is settled
    select min(evaluation_date) as evaluation_date
    from settled
    where is_reported or not is_settled
)

select
    -- every column of int_technology__evaluation_dates, then the pruning flags (AM04 cannot see a ref's columns)
    dates.*,  -- noqa: AM04
    settled.is_settled,
    dates.evaluation_date >= first_computed.evaluation_date as metrics_computed
from dates
inner join settled
    on settled.evaluation_date = dates.evaluation_date
cross join first_computed
