-- rules.md A10: the benefits of tier_after (technology_tier_benefits, the guide's grids; benefits the
-- grid marks — are left out). A tier whose requirements include a required POC-form item (leading,
-- premier) has its benefits inactive until the form is complete for that tier ("requis pour
-- débloquer les avantages").
with

tiers as (
    select tier, tier_rank from {{ ref('technology_tiers') }}
)

select
    cast(chain.partner_id as {{ dbt.type_string() }}) as partner_id,
    cast(chain.evaluation_date as date) as evaluation_date,
    cast(tiers.tier as {{ dbt.type_string() }}) as tier_after,
    cast(benefits.benefit_id as {{ dbt.type_string() }}) as benefit_id,
    cast(benefits.category as {{ dbt.type_string() }}) as category,
    cast(benefits.category_label as {{ dbt.type_string() }}) as category_label,
    cast(benefits.benefit as {{ dbt.type_string() }}) as benefit,
    cast(benefits.level as {{ dbt.type_string() }}) as level,
    cast(benefits.qualifier as {{ dbt.type_string() }}) as qualifier,
    cast(qualification.requires_poc_form as boolean) as requires_poc_form,
    cast(not qualification.requires_poc_form or qualification.form_complete as boolean) as is_active
from {{ ref('int_technology__tier_chain') }} as chain
inner join {{ ref('int_technology__evaluation_dates') }} as dates
    on dates.evaluation_date = chain.evaluation_date
inner join tiers
    on tiers.tier_rank = chain.tier_after_rank
inner join {{ ref('technology_tier_benefits') }} as benefits
    on benefits.tier = tiers.tier
inner join {{ ref('int_technology__tier_qualification') }} as qualification
    on qualification.partner_id = chain.partner_id
    and qualification.evaluation_date = chain.evaluation_date
    and qualification.tier_rank = chain.tier_after_rank
where dates.is_reported
    and benefits.level <> '—'
