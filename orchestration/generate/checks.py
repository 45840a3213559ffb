"""Sanity SQL over a loaded landing zone (raw schema): contract-level validity and a rough estimate
of the technology tier mix. Used by tests/test_generate.py and to calibrate the generator; the real
rules engine lives in the dbt project, this is only a cross-check of the generated distributions.
"""

from __future__ import annotations

from datetime import date

import duckdb

from orchestration.calendar import window_months
from orchestration.defs.ingest.contract import EDITIONS, FEEDS, PRODUCT_LINES, TIERS
from orchestration.defs.ingest.references import REFERENCES, Reference
from orchestration.program import PROGRAM


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def violation_queries() -> dict[str, str]:
    """name -> SQL returning the number of violating rows (0 = the check passes)."""
    q: dict[str, str] = {}
    for feed in FEEDS:
        if feed.primary_key:
            key = ", ".join(feed.primary_key)
            q[f"pk {feed.name}"] = f"SELECT count(*) - count(DISTINCT ({key})) FROM raw.{feed.name}"
            nulls = " OR ".join(f"{c} IS NULL" for c in feed.primary_key)
            q[f"pk not null {feed.name}"] = f"SELECT count(*) FROM raw.{feed.name} WHERE {nulls}"
    lines, eds = _in(PRODUCT_LINES), _in(EDITIONS)
    enums = {
        "partners program": "SELECT count(*) FROM raw.partners WHERE program NOT IN ('technology', 'solutions')",
        "partners solutions fields": f"""SELECT count(*) FROM raw.partners WHERE
            (program = 'solutions' AND (solutions_type NOT IN ('partner', 'provider')
                OR solutions_tier NOT IN {_in(PROGRAM.solutions_tiers)}
                OR solutions_type IS NULL OR (solutions_tier IS NULL AND solutions_type = 'partner')))
            OR (program = 'technology' AND (solutions_type IS NOT NULL OR solutions_tier IS NOT NULL))""",
        "partners region": f"SELECT count(*) FROM raw.partners WHERE region NOT IN {_in(PROGRAM.regions)}",
        "mrr enums": f"SELECT count(*) FROM raw.portal_mrr_monthly WHERE product_line NOT IN {lines}"
        f" OR edition NOT IN {eds} OR mrr_usd < 0 OR mrr_usd IS NULL",
        "mrr month is first day": "SELECT count(*) FROM raw.portal_mrr_monthly WHERE day(month) <> 1",
        "usage month is first day": "SELECT count(*) FROM raw.app_usage_monthly WHERE day(month) <> 1",
        "usage calls": "SELECT count(*) FROM raw.app_usage_monthly WHERE api_calls < 0 OR api_calls IS NULL",
        "certification status": "SELECT count(*) FROM raw.app_certifications"
        " WHERE status NOT IN ('certified', 'revoked')",
        "review rating/status": "SELECT count(*) FROM raw.marketplace_reviews WHERE rating NOT BETWEEN 1 AND 5"
        " OR status NOT IN ('published', 'removed')",
        "submission enums": """SELECT count(*) FROM raw.influenced_revenue_submissions WHERE
            submission_type NOT IN ('influenced_deal', 'referral')
            OR review_status NOT IN ('approved', 'pending', 'rejected')
            OR mrr_usd < 0""",
        "poc data sharing": "SELECT count(*) FROM raw.partner_poc_forms WHERE data_sharing NOT IN"
        f" {_in(PROGRAM.data_sharing_methods)}",
        "baseline tier": f"SELECT count(*) FROM raw.technology_tier_baseline WHERE tier NOT IN {_in(TIERS)}",
        "deal enums": """SELECT count(*) FROM raw.deals WHERE
            collaboration_type NOT IN ('partner_collaboration', 'hubspot_collaboration')
            OR stage NOT IN ('open', 'closed_won', 'closed_lost')""",
        "deal role": "SELECT count(*) FROM raw.deal_partners WHERE role NOT IN"
        " ('originator', 'invited', 'recommended_by_originator')",
        "line item enums": f"SELECT count(*) FROM raw.deal_line_items WHERE product_line NOT IN {lines}"
        f" OR edition NOT IN {eds} OR mrr_usd < 0",
        "poi status": "SELECT count(*) FROM raw.proof_of_involvement"
        " WHERE status NOT IN ('sent', 'signed', 'rejected')",
        "poi onboarding lines": f"""SELECT count(*) FROM (SELECT unnest(string_split(onboarding_product_lines, ';')) l
            FROM raw.proof_of_involvement WHERE onboarding_product_lines IS NOT NULL) WHERE l NOT IN {lines}""",
    }
    q.update(enums)
    # feeds.md's arrows, from the one list the gate checks too; the program condition is part of the reference
    # (plus one that is not an arrow of feeds.md, so the gate does not check it: the generator's
    # credit decisions name real partners)
    decision_partner = Reference("credit_decisions", "partner_id", "partners", "partner_id")
    for r in (*REFERENCES, decision_partner):
        q[f"ref {r.feed} {r.name}"] = f"SELECT count(*) {r.dangling()}"
    order = {
        "apps delisted after listed": "SELECT count(*) FROM raw.apps WHERE delisted_on < listed_on",
        "certification expires after": "SELECT count(*) FROM raw.app_certifications WHERE expires_on <= certified_on",
        "uninstall after install": "SELECT count(*) FROM raw.app_installs WHERE uninstalled_at < installed_at",
        "escalation resolved after opened": "SELECT count(*) FROM raw.compliance_escalations"
        " WHERE resolved_on < opened_on",
        "deal closed after registered": "SELECT count(*) FROM raw.deals WHERE closed_on < registered_on",
        "deal closed iff not open": """SELECT count(*) FROM raw.deals
            WHERE (stage = 'open') <> (closed_on IS NULL)""",
        "poi signed_at iff signed": """SELECT count(*) FROM raw.proof_of_involvement
            WHERE (status = 'signed') <> (signed_at IS NOT NULL)""",
    }
    q.update(order)
    for feed in ("portal_mrr_monthly", "app_usage_monthly"):
        q[f"months contiguous {feed}"] = f"""SELECT CASE WHEN count(DISTINCT month) = 36
            AND date_diff('month', min(month), max(month)) = 35 THEN 0 ELSE 1 END FROM raw.{feed}"""
    return q


def contract_violations(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Every check with its number of violating rows."""
    return {name: int(con.execute(sql).fetchone()[0]) for name, sql in violation_queries().items()}


def tier_estimate_sql(evaluation_date: date) -> str:
    """Per technology partner: the A3 metrics over W(E) and the highest tier passed on
    performance (X_perf, rules.md A4/A5; reviews, rating and certification counted as passing
    before 2027, D9). A rough SQL estimate, not the rules engine."""
    e = evaluation_date
    q_start = date(e.year, (e.month - 1) // 3 * 3 + 1, 1)
    w_from = window_months(q_start)[0]  # rules.md D2, the seed's window_months
    enforced = "true" if e >= date(2027, 1, 1) else "false"
    return f"""
    WITH params AS (SELECT DATE '{e}' AS e, DATE '{w_from}' AS w_from,
                           DATE '{q_start}' - INTERVAL 1 DAY AS w_to, {enforced} AS enforced),
    months AS (SELECT CAST(unnest(generate_series(w_from, w_to, INTERVAL 1 MONTH)) AS DATE) AS month FROM params),
    portal_mrr AS (
        SELECT portal_id, month, sum(mrr_usd) AS mrr FROM raw.portal_mrr_monthly
        WHERE product_line <> 'credit_overage'
          AND month BETWEEN (SELECT w_from FROM params) AND (SELECT w_to FROM params)
        GROUP BY ALL),
    app_month AS (  -- D1: listed in the month
        SELECT a.app_id, a.partner_id, m.month FROM raw.apps a, months m
        WHERE a.listed_on <= last_day(m.month) AND (a.delisted_on IS NULL OR a.delisted_on > m.month)),
    active AS (  -- D4
        SELECT DISTINCT am.partner_id, u.portal_id, u.month
        FROM raw.app_usage_monthly u
        JOIN app_month am ON am.app_id = u.app_id AND am.month = u.month
        JOIN raw.app_installs i ON i.app_id = u.app_id AND i.portal_id = u.portal_id
          AND CAST(i.installed_at AS DATE) <= last_day(u.month)
          AND (i.uninstalled_at IS NULL OR CAST(i.uninstalled_at AS DATE) >= u.month)
        WHERE u.api_calls > 0),
    attached AS (
        SELECT a.partner_id, sum(coalesce(pm.mrr, 0)) / {PROGRAM.window_months}.0 AS attached_mrr
        FROM active a LEFT JOIN portal_mrr pm USING (portal_id, month) GROUP BY ALL),
    first90 AS (  -- A3 90-day install MRR, D5
        SELECT ap.partner_id, i.portal_id, min(CAST(i.installed_at AS DATE)) AS d
        FROM raw.app_installs i JOIN raw.apps ap USING (app_id) JOIN raw.portals p USING (portal_id), params
        WHERE CAST(i.installed_at AS DATE) BETWEEN w_from AND w_to
          AND CAST(i.installed_at AS DATE) BETWEEN p.first_purchase_on
            AND p.first_purchase_on + {PROGRAM.install_window_days}
        GROUP BY ALL),
    install90 AS (
        SELECT f.partner_id, sum(coalesce(pm.mrr, 0)) AS install_90d_mrr FROM first90 f
        LEFT JOIN portal_mrr pm ON pm.portal_id = f.portal_id AND pm.month = date_trunc('month', f.d)
        GROUP BY ALL),
    infl AS (  -- D6
        SELECT partner_id, sum(mrr_usd) AS influenced_mrr FROM (
            SELECT *, row_number() OVER (PARTITION BY partner_id, deal_id
                                         ORDER BY submitted_at DESC, submission_id DESC) AS rn
            FROM raw.influenced_revenue_submissions WHERE review_status = 'approved'), params
        WHERE rn = 1 AND closed_on BETWEEN w_from AND w_to GROUP BY ALL),
    rev AS (
        SELECT ap.partner_id, count(*) AS review_count, avg(rating) AS avg_rating
        FROM raw.marketplace_reviews r JOIN raw.apps ap USING (app_id), params
        WHERE r.status = 'published' AND CAST(r.submitted_at AS DATE) BETWEEN w_from AND w_to GROUP BY ALL),
    live AS (
        SELECT DISTINCT partner_id FROM raw.apps, params
        WHERE listed_on <= e AND (delisted_on IS NULL OR delisted_on > e)),
    m AS (
        SELECT l.partner_id, coalesce(attached_mrr, 0) AS attached_mrr, coalesce(install_90d_mrr, 0) AS install_90d_mrr,
               coalesce(influenced_mrr, 0) AS influenced_mrr, coalesce(review_count, 0) AS review_count, avg_rating
        FROM live l LEFT JOIN attached USING (partner_id) LEFT JOIN install90 USING (partner_id)
        LEFT JOIN infl USING (partner_id) LEFT JOIN rev USING (partner_id)),
    passes AS (
        SELECT m.*,
          attached_mrr >= 400000 AND (influenced_mrr >= 1000 OR install_90d_mrr >= 5000)
            AND (NOT enforced OR (review_count >= 5 AND avg_rating >= 3.5)) AS pass_rising,
          attached_mrr >= 1000000 AND (influenced_mrr >= 5000 OR install_90d_mrr >= 30000)
            AND (NOT enforced OR (review_count >= 5 AND avg_rating >= 4.0)) AS pass_leading,
          ((attached_mrr >= 7000000 AND (influenced_mrr >= 30000 OR install_90d_mrr >= 100000))
            OR influenced_mrr >= 100000)
            AND (NOT enforced OR (review_count >= 10 AND avg_rating >= 4.0)) AS pass_premier,
          influenced_mrr >= 100000 AND NOT (attached_mrr >= 7000000
            AND (influenced_mrr >= 30000 OR install_90d_mrr >= 100000)) AS premier_by_exception
        FROM m, params)
    SELECT *, CASE WHEN pass_premier THEN 'premier' WHEN pass_leading THEN 'leading' WHEN pass_rising THEN 'rising'
                   ELSE 'partner' END AS x_perf
    FROM passes ORDER BY attached_mrr DESC
    """


def tier_mix(con: duckdb.DuckDBPyConnection, evaluation_date: date) -> dict[str, int]:
    rows = con.execute(f"SELECT x_perf, count(*) FROM ({tier_estimate_sql(evaluation_date)}) GROUP BY 1").fetchall()
    mix = dict.fromkeys(TIERS, 0)
    mix.update({t: int(n) for t, n in rows})
    return mix


def scenario_queries() -> dict[str, str]:
    """name -> SQL counting the rows of a case the rules must handle (rules.md Part A and B);
    a realistic landing zone has every one of them."""
    won_lines = """(SELECT d.deal_id, d.portal_id, d.closed_on, d.collaboration_type, li.product_line, li.edition,
                    li.mrr_usd FROM raw.deals d JOIN raw.deal_line_items li USING (deal_id)
                    WHERE d.stage = 'closed_won')"""
    deal_kinds = f"""(SELECT deal_id,
            bool_or(product_line IN ('marketing_hub', 'sales_hub', 'service_hub', 'content_hub', 'data_hub',
                                     'commerce_hub') AND edition <> 'starter') AS has_pro_hub,
            bool_or(edition = 'starter' AND product_line IN ('marketing_hub', 'sales_hub', 'service_hub',
                    'content_hub', 'data_hub', 'commerce_hub')) AS has_starter_hub,
            bool_or(product_line = 'credit_capacity_pack') AS has_pack,
            bool_and(edition = 'starter' OR product_line = 'credit_overage') AS starter_only
        FROM {won_lines} GROUP BY deal_id)"""
    prior = f"""(SELECT w.deal_id, w.product_line, w.edition,
            max(CASE WHEN m.edition = 'starter' THEN 1 WHEN m.edition = 'professional' THEN 2 ELSE 3 END)
              AS prior_rank
        FROM {won_lines} w JOIN raw.portal_mrr_monthly m ON m.portal_id = w.portal_id
          AND m.product_line = w.product_line AND m.month < date_trunc('month', w.closed_on) AND m.mrr_usd > 0
        GROUP BY ALL)"""
    valid_poi = """(SELECT DISTINCT p.deal_id, p.partner_id FROM raw.proof_of_involvement p
        JOIN raw.deals d USING (deal_id)
        WHERE p.status = 'signed' AND CAST(p.signed_at AS DATE) <= d.closed_on)"""
    return {
        # Part A
        "partners with two or more apps": "SELECT count(*) FROM (SELECT partner_id FROM raw.apps GROUP BY 1"
        " HAVING count(*) > 1)",
        "delisted apps": "SELECT count(*) FROM raw.apps WHERE delisted_on IS NOT NULL",
        "apps listed during the data": "SELECT count(*) FROM raw.apps"
        " WHERE listed_on > (SELECT min(month) FROM raw.portal_mrr_monthly)",
        "revoked certifications": "SELECT count(*) FROM raw.app_certifications WHERE status = 'revoked'",
        "certifications with default expiry": "SELECT count(*) FROM raw.app_certifications WHERE expires_on IS NULL",
        "expired certifications": "SELECT count(*) FROM raw.app_certifications"
        " WHERE coalesce(expires_on, certified_on + INTERVAL 2 YEAR) < (SELECT max(month) FROM raw.portal_mrr_monthly)",
        "installs before first purchase": """SELECT count(*) FROM raw.app_installs i JOIN raw.portals p
            USING (portal_id) WHERE CAST(i.installed_at AS DATE) < p.first_purchase_on""",
        "installs within 90 days of first purchase": """SELECT count(*) FROM raw.app_installs i JOIN raw.portals p
            USING (portal_id) WHERE CAST(i.installed_at AS DATE) BETWEEN p.first_purchase_on
            AND p.first_purchase_on + 90""",
        "uninstalled installs": "SELECT count(*) FROM raw.app_installs WHERE uninstalled_at IS NOT NULL",
        "usage months with 0 calls": "SELECT count(*) FROM raw.app_usage_monthly WHERE api_calls = 0",
        "usage without a live install": """SELECT count(*) FROM raw.app_usage_monthly u JOIN raw.app_installs i
            USING (app_id, portal_id) WHERE CAST(i.uninstalled_at AS DATE) < u.month""",
        "portals never paid": "SELECT count(*) FROM raw.portals WHERE first_purchase_on IS NULL",
        "credit_overage mrr rows": "SELECT count(*) FROM raw.portal_mrr_monthly WHERE product_line = 'credit_overage'",
        "removed reviews": "SELECT count(*) FROM raw.marketplace_reviews WHERE status = 'removed'",
        "low ratings (1-2)": "SELECT count(*) FROM raw.marketplace_reviews WHERE rating <= 2",
        "pending submissions": "SELECT count(*) FROM raw.influenced_revenue_submissions"
        " WHERE review_status = 'pending'",
        "rejected submissions": "SELECT count(*) FROM raw.influenced_revenue_submissions"
        " WHERE review_status = 'rejected'",
        "repeated (partner, deal) submissions": """SELECT count(*) FROM (SELECT partner_id, deal_id
            FROM raw.influenced_revenue_submissions GROUP BY ALL HAVING count(*) > 1)""",
        "referral submissions": "SELECT count(*) FROM raw.influenced_revenue_submissions"
        " WHERE submission_type = 'referral'",
        "poc forms without executive sponsor": "SELECT count(*) FROM raw.partner_poc_forms"
        " WHERE executive_sponsor_email IS NULL",
        "poc forms with data sharing none": "SELECT count(*) FROM raw.partner_poc_forms WHERE data_sharing = 'none'",
        "technology partners without a poc form": """SELECT count(*) FROM raw.partners p
            WHERE program = 'technology' AND NOT EXISTS (SELECT 1 FROM raw.partner_poc_forms f
            WHERE f.partner_id = p.partner_id)""",
        "responsible escalations": "SELECT count(*) FROM raw.compliance_escalations WHERE responsible",
        "open escalations": "SELECT count(*) FROM raw.compliance_escalations WHERE resolved_on IS NULL",
        "baseline tiers above partner": "SELECT count(*) FROM raw.technology_tier_baseline WHERE tier <> 'partner'",
        # Part B
        "multi-partner deals": """SELECT count(*) FROM (SELECT deal_id FROM raw.deal_partners GROUP BY 1
            HAVING count(*) > 1)""",
        "recommended_by_originator roles": "SELECT count(*) FROM raw.deal_partners"
        " WHERE role = 'recommended_by_originator'",
        "hubspot_collaboration deals": "SELECT count(*) FROM raw.deals"
        " WHERE collaboration_type = 'hubspot_collaboration' AND stage = 'closed_won'",
        "pois signed before close": """SELECT count(*) FROM raw.proof_of_involvement p JOIN raw.deals d USING (deal_id)
            WHERE CAST(p.signed_at AS DATE) < d.closed_on""",
        "pois signed on the close date": """SELECT count(*) FROM raw.proof_of_involvement p
            JOIN raw.deals d USING (deal_id) WHERE CAST(p.signed_at AS DATE) = d.closed_on""",
        "pois signed after close": """SELECT count(*) FROM raw.proof_of_involvement p JOIN raw.deals d USING (deal_id)
            WHERE CAST(p.signed_at AS DATE) > d.closed_on""",
        "pois rejected": "SELECT count(*) FROM raw.proof_of_involvement WHERE status = 'rejected'",
        "pois sent, unsigned": "SELECT count(*) FROM raw.proof_of_involvement WHERE status = 'sent'",
        "won deal partners without any poi": """SELECT count(*) FROM raw.deal_partners dp JOIN raw.deals d
            USING (deal_id) WHERE d.stage = 'closed_won' AND NOT EXISTS (SELECT 1 FROM raw.proof_of_involvement p
            WHERE p.deal_id = dp.deal_id AND p.partner_id = dp.partner_id)""",
        "multi-partner won deals with 2+ valid pois": f"""SELECT count(*) FROM (SELECT deal_id FROM {valid_poi}
            JOIN raw.deals USING (deal_id) WHERE stage = 'closed_won' GROUP BY 1 HAVING count(*) > 1)""",
        "pois with onboarding coverage": "SELECT count(*) FROM raw.proof_of_involvement"
        " WHERE onboarding_product_lines IS NOT NULL",
        "provider partners on won deals": """SELECT count(*) FROM raw.deal_partners dp JOIN raw.partners p
            USING (partner_id) JOIN raw.deals d USING (deal_id)
            WHERE p.solutions_type = 'provider' AND d.stage = 'closed_won'""",
        "starter-only won deals": f"SELECT count(*) FROM {deal_kinds} WHERE starter_only",
        # rules.md D14 (revised): starter-edition add-on items are Starter products too
        "starter-edition add-on items on won deals": f"""SELECT count(*) FROM {won_lines}
            WHERE edition = 'starter' AND product_line IN ('credit_capacity_pack', 'reporting_addon', 'core_seats',
            'other')""",
        # rules.md D17 (revised): billing lags and lines never billed
        "won deal lines billed from the month after the close": f"""SELECT count(*) FROM {_won_line_billing()}
            WHERE close_mrr IS NULL AND next_mrr > 0""",
        "won deal lines never billed": f"SELECT count(*) FROM {_won_line_billing()} WHERE NOT ever_paid",
        "solutions providers without a tier": "SELECT count(*) FROM raw.partners"
        " WHERE solutions_type = 'provider' AND solutions_tier IS NULL",
        "starter + pro/ent hub bundles": f"SELECT count(*) FROM {deal_kinds} WHERE has_starter_hub AND has_pro_hub",
        "starter + credit pack without pro hub": f"""SELECT count(*) FROM {deal_kinds}
            WHERE has_starter_hub AND has_pack AND NOT has_pro_hub""",
        "won deals without line items": """SELECT count(*) FROM raw.deals d WHERE stage = 'closed_won'
            AND NOT EXISTS (SELECT 1 FROM raw.deal_line_items li WHERE li.deal_id = d.deal_id)""",
        "credit_overage line items": "SELECT count(*) FROM raw.deal_line_items WHERE product_line = 'credit_overage'",
        "upgrades starter -> pro/ent": f"""SELECT count(*) FROM {prior}
            WHERE prior_rank = 1 AND edition IN ('professional', 'enterprise')""",
        "upgrades pro -> enterprise": f"SELECT count(*) FROM {prior} WHERE prior_rank = 2 AND edition = 'enterprise'",
        "lines already owned at the same edition": f"""SELECT count(*) FROM {prior}
            WHERE prior_rank = CASE edition WHEN 'starter' THEN 1 WHEN 'professional' THEN 2 ELSE 3 END""",
        "later deals by another partner on a portal line": f"""SELECT count(*) FROM (
            SELECT w.portal_id, w.product_line, count(DISTINCT dp.partner_id) AS n FROM {won_lines} w
            JOIN raw.deal_partners dp USING (deal_id) GROUP BY ALL HAVING count(DISTINCT w.deal_id) > 1 AND n > 1)""",
        "hubspot deals >= 3000 pro/ent with a platinum+ accredited valid poi": f"""SELECT count(DISTINCT w.deal_id)
            FROM (SELECT deal_id, sum(mrr_usd) AS m FROM {won_lines} WHERE edition <> 'starter'
                  AND collaboration_type = 'hubspot_collaboration' GROUP BY 1 HAVING sum(mrr_usd) >= 3000) w
            JOIN {valid_poi} v USING (deal_id) JOIN raw.partners p USING (partner_id)
            WHERE p.crm_accredited AND p.solutions_tier IN ('platinum', 'diamond', 'elite')""",
        "credit decisions": "SELECT count(*) FROM raw.credit_decisions",
        "credit decisions naming a partner without a valid poi": f"""SELECT count(*) FROM raw.credit_decisions c
            WHERE NOT EXISTS (SELECT 1 FROM {valid_poi} v
                              WHERE v.deal_id = c.deal_id AND v.partner_id = c.partner_id)""",
        "eligible activity rows": "SELECT count(*) FROM raw.partner_portal_activity"
        " WHERE activity_type NOT IN ('login', 'logout', 'view')",
        "partner-portal-months with logins/views only": """SELECT count(*) FROM (
            SELECT partner_id, portal_id, date_trunc('month', occurred_at) FROM raw.partner_portal_activity
            GROUP BY ALL HAVING bool_and(activity_type IN ('login', 'logout', 'view')))""",
        "portal-months managed by several partners": """SELECT count(*) FROM (
            SELECT portal_id, date_trunc('month', occurred_at) FROM raw.partner_portal_activity
            WHERE activity_type NOT IN ('login', 'logout', 'view')
            GROUP BY ALL HAVING count(DISTINCT partner_id) > 1)""",
        "distinct solutions tiers": "SELECT count(DISTINCT solutions_tier) FROM raw.partners"
        " WHERE program = 'solutions'",
    }


def mismatched_deal_lines_sql() -> str:
    """Won-deal line items (new lines, upgrades and overages) whose edition or MRR differs from the
    portal's portal_mrr_monthly row of the close month - or, for a line billed from the month after
    the close (a billing lag, rules.md D17), of that month: should be none. A line the portal never
    pays (never billed, D17) is no mismatch."""
    return f"""SELECT count(*) FROM {_won_line_billing()}
        WHERE coalesce(close_mrr, next_mrr) IS NOT NULL
          AND (coalesce(close_mrr, next_mrr) <> mrr_usd OR coalesce(close_edition, next_edition) <> edition)
           OR (close_mrr IS NULL AND next_mrr IS NULL AND ever_paid)"""


def _won_line_billing() -> str:
    """Won-deal line items with the line's MRR row in the close month and the month after, and
    whether the portal ever pays the line."""
    return """(SELECT d.deal_id, li.product_line, li.edition, li.mrr_usd,
            m0.mrr_usd AS close_mrr, m0.edition AS close_edition, m1.mrr_usd AS next_mrr, m1.edition AS next_edition,
            EXISTS (SELECT 1 FROM raw.portal_mrr_monthly m WHERE m.portal_id = d.portal_id
                    AND m.product_line = li.product_line AND m.mrr_usd > 0) AS ever_paid
        FROM raw.deals d JOIN raw.deal_line_items li USING (deal_id)
        LEFT JOIN raw.portal_mrr_monthly m0 ON m0.portal_id = d.portal_id AND m0.product_line = li.product_line
          AND m0.month = date_trunc('month', d.closed_on)
        LEFT JOIN raw.portal_mrr_monthly m1 ON m1.portal_id = d.portal_id AND m1.product_line = li.product_line
          AND m1.month = date_trunc('month', d.closed_on) + INTERVAL 1 MONTH
        WHERE d.stage = 'closed_won')"""


def scenario_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {name: int(con.execute(sql).fetchone()[0]) for name, sql in scenario_queries().items()}
