-- rules.md G4, A2: the calendar months the data covers, from the first to the last month of
-- portal_mrr_monthly. Evaluation windows must lie within them; D1 listed months are built on them.
with

bounds as (
    select
        {{ month_of('min(mrr.month)') }} as first_month,
        {{ month_of('max(mrr.month)') }} as last_month
    from {{ ref('stg_hubspot__portal_mrr_monthly') }} as mrr
),

numbers as (
    {{ integers(3) }}
),

spine as (
    select
        {{ add_months('bounds.first_month', 'numbers.n') }} as month,
        bounds.last_month
    from bounds
    cross join numbers
    where bounds.first_month is not null
)

select
    spine.month,
    {{ add_days(add_months('spine.month', 1), -1) }} as month_end
from spine
where spine.month <= spine.last_month
