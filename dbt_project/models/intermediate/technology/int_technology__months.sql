-- rules.md G4, A2: the calendar months the data covers, from the first to the last month of
-- portal_mrr_monthly. Evaluation windows must lie within them; D1 listed months are built on them.
with

bounds as (
    select
        {{ technology_month_of('min(mrr.month)') }} as first_month,
        {{ technology_month_of('max(mrr.month)') }} as last_month
    from {{ ref('stg_hubspot__portal_mrr_monthly') }} as mrr
),

numbers as (
    {{ technology_integers(3) }}
),

spine as (
    select
        {{ technology_add_months('numbers.n', 'bounds.first_month') }} as month,
        bounds.last_month
    from bounds
    cross join numbers
    where bounds.first_month is not null
)

select
    spine.month,
    {{ technology_add_days(-1, technology_add_months(1, 'spine.month')) }} as month_end
from spine
where spine.month <= spine.last_month
