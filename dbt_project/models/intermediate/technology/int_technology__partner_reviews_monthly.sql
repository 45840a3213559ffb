-- rules.md A3 "reviews", "average rating", D1: per partner and month, the published reviews of the
-- partner's apps submitted in a month the app is listed. rating_sum lets every window weight each
-- review equally (not the mean of per-app means).
select
    listed.partner_id,
    listed.month,
    cast(count(*) as integer) as review_count,
    cast(sum(reviews.rating) as bigint) as rating_sum
from {{ ref('stg_hubspot__marketplace_reviews') }} as reviews
inner join {{ ref('int_technology__app_listed_months') }} as listed
    on listed.app_id = reviews.app_id
    and listed.month = {{ month_of('reviews.submitted_on') }}
where reviews.status = 'published'
group by listed.partner_id, listed.month
