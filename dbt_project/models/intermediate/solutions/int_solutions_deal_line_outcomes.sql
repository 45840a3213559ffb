-- rules.md B6 (outcome list), B2, D14, B5, D15, D17: the outcome of every line item of every
-- closed-won deal — the first that applies, in this order:
--   credit_overage, not_eligible_starter_only, starter_not_bundled, no_valid_poi,
--   needs_manual_decision, manual_decision_invalid, line_held_by_other_partner,
--   pro_to_enterprise_upgrade, already_owned, credited.
-- Only `credited` rows name a credited partner.
--
-- Order dependence (B5), solved set-based. Whether a line item is held by another partner depends on
-- the associations that EARLIER credited items created on the same (portal, line). The first six
-- outcomes and the best partner are deal-level and do not depend on associations; nor does D15
-- (MRR history only). What remains is a per-(portal, line) chain, which needs no recursion because:
--   an association started in month M ends in E(M) = the first month >= M with MRR 0 (D17), a
--   function of the MRR history only. Two candidates whose close months M1 <= M2 share a zero-free
--   run (M2 < E(M1)) have E(M2) = E(M1), and a candidate in a later run closes after E(M1).
-- So the candidates of a (portal, line) split into runs keyed by E (null = still paid at the last
-- covered month). Inside a run, ordered by (closed_on, deal_id):
--   * the first candidate that may create a new credit (never paid before, or D15's starter ->
--     pro/enterprise upgrade of an all-starter history) is `credited` and creates the association,
--     held by its partner from its close month until E;
--   * candidates before it find no holder: `pro_to_enterprise_upgrade` or `already_owned` (D15);
--   * candidates after it find the holder: `credited` to the holder when the deal's best partner
--     is the holder (B6: a deal by the holder on a line it holds; the association simply carries
--     the new MRR, B5/D15), else `line_held_by_other_partner`.
-- A candidate closing in a month where the line already pays 0 (E = M) opens an empty run: no holder
-- can be active then, and it is credited (empty association) only if it may create a new credit.
-- Window functions over (portal, line, E) replace a row-by-row replay; see docs/rules-part-b.md.
with lines as (
    select
        l.*,
        b.best_partner_rule,
        b.best_partner_id,
        b.best_partner_has_valid_poi,
        b.decision_partner_id,
        coalesce(h.paid_before, false) as paid_before,
        coalesce(h.all_starter_before, false) as all_starter_before,
        h.last_paid_edition_before,
        h.end_month,
        case
            when l.is_overage then 'credit_overage'
            when not l.deal_is_eligible then 'not_eligible_starter_only'
            when l.is_starter_item and not l.deal_has_pro_ent_hub then 'starter_not_bundled'
            when b.best_partner_rule in ('no_valid_poi', 'needs_manual_decision', 'manual_decision_invalid')
                then b.best_partner_rule
            when b.best_partner_id is null then 'no_valid_poi'
        end as deal_level_outcome
    from {{ ref('int_solutions_deal_lines') }} as l
    left join {{ ref('int_solutions_deal_best_partner') }} as b
        on b.deal_id = l.deal_id
    left join {{ ref('int_solutions_deal_line_history') }} as h
        on h.deal_id = l.deal_id
        and h.product_line = l.product_line
),

candidates as (
    select
        deal_id,
        product_line,
        portal_id,
        closed_on,
        close_month,
        best_partner_id,
        end_month,
        -- D15: a new credit is possible on a line never paid before, or on a starter ->
        -- professional/enterprise upgrade of a line whose every earlier paid month was starter
        (not paid_before) or (all_starter_before and edition in ('professional', 'enterprise')) as may_create,
        -- D15: professional -> enterprise upgrade (the latest earlier paid month was professional)
        paid_before and edition = 'enterprise' and coalesce(last_paid_edition_before, '') = 'professional'
            as is_pro_to_enterprise,
        coalesce(end_month, cast('9999-12-01' as date)) as run_key,
        end_month is null or close_month < end_month as opens_run
    from lines
    where deal_level_outcome is null
),

sequenced as (
    select
        c.*,
        row_number() over (
            partition by portal_id, product_line, run_key
            order by closed_on, deal_id
        ) as seq_in_run
    from candidates as c
    where opens_run
),

run_creators as (
    select portal_id, product_line, run_key, min(seq_in_run) as creator_seq
    from sequenced
    where may_create
    group by portal_id, product_line, run_key
),

run_holders as (
    select
        s.portal_id,
        s.product_line,
        s.run_key,
        s.seq_in_run as creator_seq,
        s.best_partner_id as holder_partner_id,
        s.deal_id as holder_deal_id
    from sequenced as s
    inner join run_creators as rc
        on rc.portal_id = s.portal_id
        and rc.product_line = s.product_line
        and rc.run_key = s.run_key
        and rc.creator_seq = s.seq_in_run
),

candidate_outcomes as (
    select
        s.deal_id,
        s.product_line,
        case
            when rh.creator_seq is null or s.seq_in_run < rh.creator_seq then
                case when s.is_pro_to_enterprise then 'pro_to_enterprise_upgrade' else 'already_owned' end
            when s.seq_in_run = rh.creator_seq then 'credited'
            when s.best_partner_id = rh.holder_partner_id then 'credited'
            else 'line_held_by_other_partner'
        end as outcome,
        case when s.seq_in_run > rh.creator_seq then rh.holder_partner_id end as holder_partner_id,
        case when s.seq_in_run > rh.creator_seq then rh.holder_deal_id end as holder_deal_id,
        coalesce(s.seq_in_run = rh.creator_seq, false) as creates_association
    from sequenced as s
    left join run_holders as rh
        on rh.portal_id = s.portal_id
        and rh.product_line = s.product_line
        and rh.run_key = s.run_key

    union all

    -- closes in a month the line pays 0: no association can be active (see above)
    select
        deal_id,
        product_line,
        case
            when may_create then 'credited'
            when is_pro_to_enterprise then 'pro_to_enterprise_upgrade'
            else 'already_owned'
        end as outcome,
        cast(null as {{ dbt.type_string() }}) as holder_partner_id,
        cast(null as {{ dbt.type_string() }}) as holder_deal_id,
        may_create as creates_association
    from candidates
    where not opens_run
)

select
    l.deal_id,
    l.product_line,
    l.portal_id,
    l.collaboration_type,
    l.closed_on,
    l.close_month,
    l.edition,
    l.line_mrr_usd,
    l.line_kind,
    l.is_commissioned_line,
    l.is_pro_ent_item,
    l.deal_pro_ent_mrr_usd,
    l.best_partner_rule,
    l.best_partner_id,
    l.best_partner_has_valid_poi,
    l.decision_partner_id,
    l.paid_before,
    l.all_starter_before,
    l.last_paid_edition_before,
    l.end_month,
    coalesce(l.deal_level_outcome, co.outcome) as outcome,
    case when coalesce(l.deal_level_outcome, co.outcome) = 'credited' then l.best_partner_id end
        as credited_partner_id,
    co.holder_partner_id,
    co.holder_deal_id,
    coalesce(co.creates_association, false) as creates_association
from lines as l
left join candidate_outcomes as co
    on co.deal_id = l.deal_id
    and co.product_line = l.product_line
