-- rules.md A7, D10, G3: per technology partner and E, the latest POC form submitted on or before
-- min(run date, E + poc_form_window_days) (latest by submitted_at, then form_id), and what it names.
-- A contact is named when its email is not null (nor blank); data sharing passes with a method of
-- technology_data_sharing_methods marked passes (crossbeam, other_approved); none or null fails.
with

partners as (
    select partner_id from {{ ref('int_technology__partners') }}
),

dates as (
    select evaluation_date, poc_form_cutoff from {{ ref('int_technology__evaluation_dates') }}
),

ranked as (
    select
        dates.evaluation_date,
        forms.partner_id,
        forms.form_id,
        forms.submitted_on,
        forms.technical_contact_email,
        forms.partnership_manager_email,
        forms.executive_sponsor_email,
        forms.co_sell_contact_email,
        forms.data_sharing,
        row_number() over (
            partition by forms.partner_id, dates.evaluation_date
            order by forms.submitted_at desc, forms.form_id desc
        ) as recency
    from dates
    inner join {{ ref('stg_hubspot__partner_poc_forms') }} as forms
        on forms.submitted_on <= dates.poc_form_cutoff
)

select
    partners.partner_id,
    dates.evaluation_date,
    ranked.form_id as poc_form_id,
    ranked.submitted_on as poc_form_submitted_on,
    coalesce(trim(ranked.technical_contact_email), '') <> '' as has_technical_contact,
    coalesce(trim(ranked.partnership_manager_email), '') <> '' as has_partnership_manager,
    coalesce(trim(ranked.executive_sponsor_email), '') <> '' as has_executive_sponsor,
    coalesce(trim(ranked.co_sell_contact_email), '') <> '' as has_co_sell_contact,
    ranked.data_sharing,
    coalesce(methods.passes, false) as data_sharing_passes
from partners
cross join dates
left join ranked
    on ranked.partner_id = partners.partner_id
    and ranked.evaluation_date = dates.evaluation_date
    and ranked.recency = 1
left join {{ ref('technology_data_sharing_methods') }} as methods
    on methods.data_sharing = ranked.data_sharing
