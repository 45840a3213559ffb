-- rules.md A1: the technology partners — the population every technology model is computed for
-- (solutions partners are another program, rules.md Part B). One home for the list the good-standing,
-- listing, POC-form, metric-date and metric models all start from.
select partner_id
from {{ ref('stg_hubspot__partners') }}
where program = 'technology'
