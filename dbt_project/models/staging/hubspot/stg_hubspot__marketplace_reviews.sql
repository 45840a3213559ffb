-- Staging for the `marketplace_reviews` feed: cast only (../shared/spec/feeds.md).
select
    cast(review_id as {{ dbt.type_string() }}) as review_id,
    cast(app_id as {{ dbt.type_string() }}) as app_id,
    cast(portal_id as {{ dbt.type_string() }}) as portal_id,
    cast(rating as bigint) as rating,
    cast(submitted_at as timestamp) as submitted_at,
    -- rules.md G1: timestamps are compared by their UTC calendar date
    cast(submitted_at as date) as submitted_on,
    cast(status as {{ dbt.type_string() }}) as status
from {{ source('hubspot', 'marketplace_reviews') }}
