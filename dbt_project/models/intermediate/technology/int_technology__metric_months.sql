-- rules.md D2, A3 (pruning, docs/benchmarks.md): the calendar months inside the window W(E) of at least
-- one chain date whose metrics are computed (int_technology__metric_dates). The monthly aggregates over
-- the big feeds (listed months, active portals, attached MRR, reviews, installs) are built on these
-- months only; the windows of the other dates are never read.
select
    months.month,
    months.month_end
from {{ ref('int_technology__months') }} as months
where exists (
        select 1
        from {{ ref('int_technology__metric_dates') }} as dates
        where dates.metrics_computed
            and months.month between dates.window_start and dates.window_end
    )
