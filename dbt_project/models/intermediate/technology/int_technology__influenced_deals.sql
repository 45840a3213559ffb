-- rules.md A3 "influenced-deals MRR", D6: per (partner_id, deal_id) the latest approved submission
-- (by submitted_at, then submission_id). influenced_deal and referral submissions both count;
-- pending and rejected submissions never count. Windows keep the deals whose closed_on is in W.
with

approved as (
    select
        submissions.partner_id,
        submissions.deal_id,
        submissions.submission_id,
        submissions.submission_type,
        submissions.mrr_usd,
        submissions.closed_on,
        row_number() over (
            partition by submissions.partner_id, submissions.deal_id
            order by submissions.submitted_at desc, submissions.submission_id desc
        ) as recency
    from {{ ref('stg_hubspot__influenced_revenue_submissions') }} as submissions
    where submissions.review_status = 'approved'
)

select
    partner_id,
    deal_id,
    submission_id,
    submission_type,
    mrr_usd,
    closed_on
from approved
where recency = 1
