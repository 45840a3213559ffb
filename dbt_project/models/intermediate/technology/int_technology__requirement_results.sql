-- rules.md A4, A5, A6/D9, D7, D8, A7, G2: every requirement of every tier (level required or preferred
-- in technology_tier_requirements) for every technology partner and E, with its value, threshold and
-- status. The requirement ids are code (how each is measured); levels, thresholds, the Premier
-- exception and the phase-in dates are configuration (the seed).
--  * G2: amounts compare unrounded: the 12-month mean attached MRR passes when the window total
--    >= threshold x window_months; the average rating when rating_sum >= threshold x review_count.
--  * A4: influenced_mrr is one requirement passed by either threshold (OR). An undefined rating fails.
--  * A5: influenced-deals MRR >= exception_deals_threshold satisfies the requirement (Premier's
--    attached_mrr and influenced_mrr); status pass with passed_by_exception when only the exception holds.
--  * A6/D9: before enforced_from the status is not_enforced (never blocking); would_pass keeps the result.
--  * preferred: pass or preferred_missing, never blocking.
with

requirements as (
    select requirements.*, tiers.tier_rank
    from {{ ref('technology_tier_requirements') }} as requirements
    inner join {{ ref('technology_tiers') }} as tiers
        on tiers.tier = requirements.tier
    where requirements.level in ('required', 'preferred')
),

partner_dates as (
    select
        metrics.partner_id,
        metrics.evaluation_date,
        metrics.window_months,
        metrics.attached_mrr_total,
        metrics.attached_mrr_mean,
        metrics.install_90d_mrr,
        metrics.influenced_deals_mrr,
        metrics.review_count,
        metrics.rating_sum,
        metrics.avg_rating,
        listing.live_app_count,
        listing.certified_live_app_count,
        forms.has_technical_contact,
        forms.has_partnership_manager,
        forms.has_executive_sponsor,
        forms.data_sharing_passes
    from {{ ref('int_technology__partner_metrics') }} as metrics
    inner join {{ ref('int_technology__partner_listing_status') }} as listing
        on listing.partner_id = metrics.partner_id
        and listing.evaluation_date = metrics.evaluation_date
    inner join {{ ref('int_technology__poc_form_status') }} as forms
        on forms.partner_id = metrics.partner_id
        and forms.evaluation_date = metrics.evaluation_date
),

measured as (
    select
        partner_dates.partner_id,
        partner_dates.evaluation_date,
        requirements.tier,
        requirements.tier_rank,
        requirements.requirement,
        requirements.level,
        requirements.is_poc_form_requirement,
        requirements.enforced_from,
        case requirements.requirement
            when 'attached_mrr' then partner_dates.attached_mrr_mean
            when 'influenced_mrr' then cast(partner_dates.influenced_deals_mrr as double)
            when 'review_count' then cast(partner_dates.review_count as double)
            when 'avg_rating' then partner_dates.avg_rating
            when 'live_listing' then case when partner_dates.live_app_count > 0 then 1.0 else 0.0 end
            when 'app_certification' then case when partner_dates.certified_live_app_count > 0 then 1.0 else 0.0 end
            when 'technical_contact' then case when partner_dates.has_technical_contact then 1.0 else 0.0 end
            when 'partnership_manager' then case when partner_dates.has_partnership_manager then 1.0 else 0.0 end
            when 'executive_sponsor' then case when partner_dates.has_executive_sponsor then 1.0 else 0.0 end
            when 'data_sharing' then case when partner_dates.data_sharing_passes then 1.0 else 0.0 end
        end as value,
        cast(requirements.threshold as double) as threshold,
        case
            when requirements.requirement = 'influenced_mrr'
                then cast(partner_dates.install_90d_mrr as double)
        end as install_90d_value,
        cast(requirements.install_90d_threshold as double) as install_90d_threshold,
        cast(requirements.exception_deals_threshold as double) as exception_deals_threshold,
        cast(partner_dates.influenced_deals_mrr as double) as influenced_deals_value,
        -- the standard path, on exact (unrounded) decimals (G2)
        coalesce(case requirements.requirement
            when 'attached_mrr'
                then partner_dates.attached_mrr_total >= requirements.threshold * partner_dates.window_months
            when 'influenced_mrr'
                then coalesce(partner_dates.influenced_deals_mrr >= requirements.threshold, false)
                    or coalesce(partner_dates.install_90d_mrr >= requirements.install_90d_threshold, false)
            when 'review_count' then partner_dates.review_count >= requirements.threshold
            when 'avg_rating'
                then partner_dates.review_count > 0
                    and partner_dates.rating_sum >= requirements.threshold * partner_dates.review_count
            when 'live_listing'
                then (case when partner_dates.live_app_count > 0 then 1 else 0 end) >= requirements.threshold
            when 'app_certification'
                then (case when partner_dates.certified_live_app_count > 0 then 1 else 0 end) >= requirements.threshold
            when 'technical_contact'
                then (case when partner_dates.has_technical_contact then 1 else 0 end) >= requirements.threshold
            when 'partnership_manager'
                then (case when partner_dates.has_partnership_manager then 1 else 0 end) >= requirements.threshold
            when 'executive_sponsor'
                then (case when partner_dates.has_executive_sponsor then 1 else 0 end) >= requirements.threshold
            when 'data_sharing'
                then (case when partner_dates.data_sharing_passes then 1 else 0 end) >= requirements.threshold
        end, false) as meets_standard,
        -- A5: the Premier exception path
        coalesce(partner_dates.influenced_deals_mrr >= requirements.exception_deals_threshold, false) as meets_exception
    from partner_dates
    cross join requirements
),

judged as (
    select
        measured.*,
        measured.meets_standard or measured.meets_exception as would_pass,
        not measured.meets_standard and measured.meets_exception as passed_by_exception,
        coalesce(measured.evaluation_date < measured.enforced_from, false) as is_phased_in
    from measured
)

select
    partner_id,
    evaluation_date,
    tier,
    tier_rank,
    requirement,
    level,
    is_poc_form_requirement,
    enforced_from,
    value,
    threshold,
    install_90d_value,
    install_90d_threshold,
    exception_deals_threshold,
    influenced_deals_value,
    meets_standard,
    meets_exception,
    would_pass,
    passed_by_exception,
    case
        when is_phased_in then 'not_enforced'
        when would_pass then 'pass'
        when level = 'preferred' then 'preferred_missing'
        else 'fail'
    end as status,
    -- does the result block the tier? Only a failing required, enforced requirement does.
    not is_phased_in and level = 'required' and not would_pass as is_blocking
from judged
