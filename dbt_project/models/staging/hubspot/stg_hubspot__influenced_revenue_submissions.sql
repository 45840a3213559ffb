-- Staging for the `influenced_revenue_submissions` feed: cast only (../shared/spec/feeds.md).
select
    cast(submission_id as {{ dbt.type_string() }}) as submission_id,
    cast(partner_id as {{ dbt.type_string() }}) as partner_id,
    cast(deal_id as {{ dbt.type_string() }}) as deal_id,
    cast(portal_id as {{ dbt.type_string() }}) as portal_id,
    cast(submission_type as {{ dbt.type_string() }}) as submission_type,
    cast(mrr_usd as decimal(18,2)) as mrr_usd,
    cast(closed_on as date) as closed_on,
    cast(submitted_at as timestamp) as submitted_at,
    -- rules.md G1: timestamps are compared by their UTC calendar date
    cast(submitted_at as date) as submitted_on,
    cast(review_status as {{ dbt.type_string() }}) as review_status
from {{ source('hubspot', 'influenced_revenue_submissions') }}
