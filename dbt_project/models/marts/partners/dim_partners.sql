-- Issue 16 item 2: one row per partner of both programs, with its name, so analysts join names
-- without reading the published extracts. The tier is the program's own: a technology partner's tier
-- after its latest reported evaluation date (the published one when that date is published, A9), a
-- solutions partner's tier as the partners feed delivers it (D21, no history).
with

latest_evaluation as (
    select partner_id, max(evaluation_date) as evaluation_date
    from {{ ref('fct_technology_tier_evaluations') }}
    group by partner_id
),

latest_technology_tier as (
    select evaluations.partner_id, evaluations.evaluation_date, evaluations.tier_after, evaluations.source
    from {{ ref('fct_technology_tier_evaluations') }} as evaluations
    inner join latest_evaluation
        on latest_evaluation.partner_id = evaluations.partner_id
        and latest_evaluation.evaluation_date = evaluations.evaluation_date
),

apps as (
    select
        partner_id,
        count(*) as app_count,
        sum(case when is_live then 1 else 0 end) as live_app_count
    from {{ ref('dim_apps') }}
    group by partner_id
)

select
    cast(partners.partner_id as {{ dbt.type_string() }}) as partner_id,
    cast(partners.partner_name as {{ dbt.type_string() }}) as partner_name,
    cast(partners.program as {{ dbt.type_string() }}) as program,
    cast(
        case when partners.program = 'technology' then 'technology' else partners.solutions_type end
        as {{ dbt.type_string() }}
    ) as partner_type,
    cast(
        case when partners.program = 'technology' then tiers.tier_after else partners.solutions_tier end
        as {{ dbt.type_string() }}
    ) as tier,
    cast(tiers.evaluation_date as date) as tier_evaluation_date,
    cast(
        case when partners.program = 'technology' then tiers.source else 'partners_feed' end
        as {{ dbt.type_string() }}
    ) as tier_source,
    cast(partners.region as {{ dbt.type_string() }}) as region,
    cast(partners.joined_on as date) as joined_on,
    cast(coalesce(partners.crm_accredited, false) as boolean) as crm_accredited,
    cast(coalesce(apps.app_count, 0) as integer) as app_count,
    cast(coalesce(apps.live_app_count, 0) as integer) as live_app_count,
    cast({{ run_date() }} as date) as run_date
from {{ ref('stg_hubspot__partners') }} as partners
left join latest_technology_tier as tiers
    on tiers.partner_id = partners.partner_id
left join apps
    on apps.partner_id = partners.partner_id
