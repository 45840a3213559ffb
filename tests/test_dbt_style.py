"""The house dbt style (dbt_project/README.md) checked on the manifest, the way dbt-labs'
dbt-project-evaluator checks a project (its package cannot be installed offline, so its documented
rules are applied here): naming and folders by layer, DAG direction, key tests, documentation.

Each test is one evaluator rule (`fct_<rule>` in its docs); a finding names the model and says what to
do. Exceptions are listed once, in `ALLOWED`, each with its reason (also in dbt_project/README.md).
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath

import duckdb
import jinja2
import pytest

from orchestration import settings
from orchestration.defs.dbt.resources import ensure_manifest

LAYERS = ("staging", "intermediate", "marts")
# Naming by layer (README "Names"): stg_<source>__<entity>, int_<program>__<concept>, fct_/dim_/rpt_ marts.
NAME_PATTERNS = {
    "staging": re.compile(r"^stg_(?P<source>[a-z0-9]+)__[a-z0-9_]+$"),
    "intermediate": re.compile(r"^int_(?P<program>[a-z0-9]+)__[a-z0-9_]+$"),
    "marts": re.compile(r"^(fct|dim|rpt)_[a-z0-9_]+$"),
}
# The evaluator's fct_chained_views_dependencies threshold: at most this many views in a row.
MAX_CHAINED_VIEWS = 4

# Rule -> {model: why}. Every exception says why; dbt_project/README.md ("Exceptions") says the same.
GATE_KEY = "large feed: its key is checked once, on raw, by the quality gate's key_unique (docs/quality.md)"
NO_KEY = "event feed without a key in feeds.md: two identical rows are two events"
ALLOWED: dict[str, dict[str, str]] = {
    "key_test": {
        "stg_hubspot__portal_mrr_monthly": GATE_KEY,
        "stg_hubspot__app_usage_monthly": GATE_KEY,
        "stg_hubspot__app_installs": GATE_KEY,
        "stg_hubspot__app_certifications": NO_KEY,
        "stg_hubspot__partner_portal_activity": NO_KEY,
        "int_technology__portal_mrr_monthly": "largest intermediate table; unique per portal and month by its group by "
        "(a test would rescan it on every run, docs/benchmarks.md)",
        "int_technology__partner_active_portals_monthly": "a view over the usage feed; a test would recompute the D4 "
        "join over every usage row; unique per partner, portal and month by its group by",
    },
    "rejoin": {
        "int_solutions__deal_best_partner": "reads the deal list from int_solutions__deal_lines and the POIs per deal "
        "and partner from int_solutions__deal_partner_pois (B4, D16: its own unit tests)",
        "int_solutions__deal_line_outcomes": "joins each line to its deal's best partner (B6) and its line history "
        "(D15, D17): two rules, each a model with its own unit tests",
        "dim_partners": "counts each partner's apps from dim_apps, a public dimension of the analysts' snapshot "
        "(not an intermediate step), and its name from the partners feed (issue 16)",
    },
}


@pytest.fixture(scope="module")
def manifest() -> dict:
    """The project's manifest, re-parsed when a model, macro, test or seed changed since it was made."""
    return json.loads(ensure_manifest().read_text())


def _models(manifest: dict) -> dict[str, dict]:
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["package_name"] == "partner_warehouse"
    }


def _layer(node: dict) -> str:
    return PurePosixPath(node["original_file_path"]).parts[1]


def _parents(manifest: dict, unique_id: str) -> list[str]:
    return manifest["parent_map"].get(unique_id, [])


def _assert_none(findings: list[str], what: str) -> None:
    assert not findings, f"{len(findings)} {what}:\n" + "\n".join(sorted(findings))


def test_every_model_sits_in_a_layer_folder_and_is_named_for_it(manifest: dict) -> None:
    """fct_model_naming_conventions, fct_model_directories: the prefix says the layer, the folder agrees;
    a staging model sits in the folder of the source it reads, an intermediate one in its program's."""
    findings = []
    for name, node in _models(manifest).items():
        path = PurePosixPath(node["original_file_path"])
        layer = _layer(node)
        if layer not in LAYERS:
            findings.append(f"{path}: move it under models/staging, models/intermediate or models/marts")
            continue
        match = NAME_PATTERNS[layer].match(name)
        if not match:
            findings.append(f"{path}: rename {name} to the {layer} pattern {NAME_PATTERNS[layer].pattern}")
            continue
        folder = path.parts[2] if len(path.parts) > 3 else ""
        expected = match.groupdict().get("source") or match.groupdict().get("program")
        if expected and folder != expected:
            findings.append(f"{path}: {name} belongs in models/{layer}/{expected}/")
    _assert_none(findings, "models named or placed against the layer convention")


def test_staging_models_read_only_their_own_source(manifest: dict) -> None:
    """fct_staging_dependent_on_staging, fct_staging_dependent_on_marts_or_intermediate,
    fct_multiple_sources_joined: a staging model selects from exactly one source table, named for it."""
    findings = []
    for name, node in _models(manifest).items():
        if _layer(node) != "staging":
            continue
        parents = _parents(manifest, node["unique_id"])
        sources = [p for p in parents if p.startswith("source.")]
        others = [p for p in parents if not p.startswith("source.")]
        if len(sources) != 1 or others:
            findings.append(f"{name}: reads {parents}; a staging model reads one source table and nothing else")
            continue
        source = manifest["sources"][sources[0]]
        if not name.startswith(f"stg_{source['source_name']}__"):
            findings.append(f"{name}: reads source {source['source_name']}; name it stg_{source['source_name']}__...")
    _assert_none(findings, "staging models against the staging rules")


def test_sources_are_read_by_staging_only_and_once(manifest: dict) -> None:
    """fct_marts_or_intermediate_dependent_on_source, fct_direct_join_to_source, fct_source_fanout,
    fct_unused_sources: only staging reads a source, each source table has exactly one staging model."""
    models = _models(manifest)
    children: dict[str, list[str]] = {sid: [] for sid in manifest["sources"]}
    findings = []
    for name, node in models.items():
        for parent in _parents(manifest, node["unique_id"]):
            if parent.startswith("source."):
                children.setdefault(parent, []).append(name)
                if _layer(node) != "staging":
                    findings.append(f"{name}: reads {parent} directly; read its staging model (ref) instead")
    for source, readers in children.items():
        if len(readers) != 1:
            findings.append(f"{source}: read by {readers or 'no model'}; give it exactly one staging model")
    _assert_none(findings, "source reads against the DAG rules")


def test_the_dag_flows_from_staging_to_marts(manifest: dict) -> None:
    """fct_staging_dependent_on_marts_or_intermediate and the evaluator's layer order: a model reads
    models of its own layer or an earlier one, never a later one (intermediate never reads a mart)."""
    models = _models(manifest)
    by_id = {node["unique_id"]: node for node in models.values()}
    findings = []
    for name, node in models.items():
        rank = LAYERS.index(_layer(node)) if _layer(node) in LAYERS else -1
        for parent in _parents(manifest, node["unique_id"]):
            if parent in by_id and LAYERS.index(_layer(by_id[parent])) > rank:
                findings.append(f"{name} ({_layer(node)}) reads {by_id[parent]['name']} ({_layer(by_id[parent])})")
    _assert_none(findings, "references against the layer order")


def _rejoins(manifest: dict) -> dict[str, list[str]]:
    """child model -> how it rejoins: it reads A directly and through B, and B has no other reader."""
    models = _models(manifest)
    ids = {node["unique_id"] for node in models.values()}
    child_map = {uid: [c for c in manifest["child_map"].get(uid, []) if c in ids] for uid in ids}
    name = {uid: manifest["nodes"][uid]["name"] for uid in ids}
    found: dict[str, list[str]] = {}
    for child in ids:
        parents = [p for p in _parents(manifest, child) if p in ids]
        for parent in (p for p in parents if child_map[p] == [child]):
            for grandparent in (g for g in _parents(manifest, parent) if g in parents):
                found.setdefault(name[child], []).append(
                    f"{name[child]} reads {name[grandparent]} both directly and through {name[parent]}, its only reader"
                )
    return found


def test_no_model_is_rejoined_through_a_single_child(manifest: dict) -> None:
    """fct_rejoining_of_upstream_concepts: when A feeds B and C, and B feeds only C, B is a CTE of C in
    disguise (or C should not read A again)."""
    findings = [f for child, how in _rejoins(manifest).items() if child not in ALLOWED["rejoin"] for f in how]
    _assert_none(findings, "rejoined upstream concepts")


def test_no_long_chain_of_views(manifest: dict) -> None:
    """fct_chained_views_dependencies: more than MAX_CHAINED_VIEWS views in a row recompute a long
    query on every read; materialise one of them."""
    models = _models(manifest)
    views = {n["unique_id"] for n in models.values() if n["config"]["materialized"] == "view"}
    depth: dict[str, int] = {}

    def chain(uid: str) -> int:
        if uid not in depth:
            depth[uid] = 1 + max((chain(p) for p in _parents(manifest, uid) if p in views), default=0)
        return depth[uid]

    findings = [
        f"{manifest['nodes'][v]['name']}: {chain(v)} views in a row" for v in views if chain(v) > MAX_CHAINED_VIEWS
    ]
    _assert_none(findings, "chains of views")


def _key_tests(manifest: dict) -> dict[str, set[str]]:
    """model unique_id -> the kinds of key test on it: unique / not_null per column, unique_combination."""
    found: dict[str, set[str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or not node.get("test_metadata"):
            continue
        kind = node["test_metadata"]["name"]
        model = node.get("attached_node") or next(iter(node["depends_on"]["nodes"]), None)
        if kind in ("unique", "not_null"):
            found.setdefault(model, set()).add(f"{kind}:{node.get('column_name')}")
        elif kind == "unique_combination":
            found.setdefault(model, set()).add("unique_combination")
    for uid, node in manifest["nodes"].items():
        for column, spec in node.get("columns", {}).items():
            if any(c.get("type") == "not_null" for c in spec.get("constraints") or []):
                found.setdefault(uid, set()).add(f"not_null:{column}")  # enforced by the contract
    return found


def test_every_model_has_a_key_test(manifest: dict) -> None:
    """fct_missing_primary_key_tests (house style "Keys"): unique and not_null on one key column, or
    the unique_combination test (unique, and no key column null) on a composite key."""
    tests = _key_tests(manifest)
    findings = []
    for name, node in _models(manifest).items():
        kinds = tests.get(node["unique_id"], set())
        columns = {k.split(":", 1)[1] for k in kinds if k.startswith("unique:")}
        single = any(f"not_null:{c}" in kinds for c in columns)
        if not (single or "unique_combination" in kinds) and name not in ALLOWED["key_test"]:
            findings.append(
                f"{node['original_file_path']}: {name} has no key test; add unique + not_null on its key column "
                "or unique_combination on its key columns (or record why not in ALLOWED and the README)"
            )
    _assert_none(findings, "models without a key test")


def test_allowed_exceptions_are_still_needed(manifest: dict) -> None:
    """An exception outlives its reason silently: every model in ALLOWED exists and still breaks the rule."""
    models = _models(manifest)
    tests = _key_tests(manifest)
    stale = [name for rule in ALLOWED.values() for name in rule if name not in models]
    stale += [name for name in ALLOWED["key_test"] if name in models and tests.get(models[name]["unique_id"])]
    stale += [name for name in ALLOWED["rejoin"] if name in models and name not in _rejoins(manifest)]
    assert not stale, f"remove from ALLOWED (the model is gone, or no longer breaks the rule): {stale}"


def test_every_model_and_mart_column_is_described(manifest: dict) -> None:
    """fct_undocumented_models, fct_documentation_coverage: every model says what a row is; every mart
    column (the public interface, product.md) says what it holds."""
    findings = []
    for name, node in _models(manifest).items():
        if not (node.get("description") or "").strip():
            findings.append(f"{node['original_file_path']}: describe {name} in its yml")
        if _layer(node) == "marts":
            findings += [
                f"{name}.{column}: describe the column in the mart's yml"
                for column, spec in node["columns"].items()
                if not (spec.get("description") or "").strip()
            ]
    _assert_none(findings, "undocumented models or mart columns")


def test_sources_are_described(manifest: dict) -> None:
    """fct_undocumented_sources, fct_undocumented_source_tables."""
    findings = [
        f"{src['original_file_path']}: describe source table {src['source_name']}.{src['name']}"
        for src in manifest["sources"].values()
        if not (src.get("description") or "").strip()
    ]
    _assert_none(findings, "undocumented source tables")


def test_every_mart_has_an_enforced_contract(manifest: dict) -> None:
    """fct_public_models_without_contract: the marts are the public interface (product.md)."""
    findings = [
        f"{name}: enforce its contract (config: contract: enforced: true, every column typed)"
        for name, node in _models(manifest).items()
        if _layer(node) == "marts" and not node["config"].get("contract", {}).get("enforced")
    ]
    _assert_none(findings, "marts without an enforced contract")


def test_unit_tests_sit_beside_the_model_they_test(manifest: dict) -> None:
    """fct_test_directories (house style "Unit tests"): a unit test lives in <model>.yml beside <model>.sql."""
    findings = []
    models = _models(manifest)
    for test in manifest.get("unit_tests", {}).values():
        node = models[test["model"]]
        expected = str(PurePosixPath(node["original_file_path"]).with_suffix(".yml"))
        if test["original_file_path"] != expected:
            findings.append(f"{test['name']}: in {test['original_file_path']}; move it to {expected}")
    _assert_none(findings, "unit tests away from their model")


def test_no_hard_coded_relation_names(manifest: dict) -> None:
    """fct_hard_coded_references: a model reads other relations through ref() or source(), never
    schema.table (the schema names differ per target and dbt would not see the dependency)."""
    pattern = re.compile(r"\b(?:from|join)\s+([a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)\b", re.IGNORECASE)
    findings = []
    for name, node in _models(manifest).items():
        code = re.sub(r"--[^\n]*", "", node["raw_code"])
        findings += [f"{name}: reads {m} directly; use ref() or source()" for m in pattern.findall(code)]
    _assert_none(findings, "hard-coded relation names")


def _key_test_sql(columns: list[str]) -> str:
    """The unique_combination generic test rendered as dbt renders it (its {% test %} block is a macro)."""
    source = (settings.DBT_PROJECT_DIR / "tests" / "generic" / "unique_combination.sql").read_text()
    source = source.replace("{% test unique_combination(", "{% macro unique_combination(").replace(
        "endtest", "endmacro"
    )
    return jinja2.Environment().from_string(source).module.unique_combination(model="t", columns=columns)


@pytest.mark.parametrize(
    ("rows", "failing"),
    [
        ([("p1", "2027-01-15"), ("p2", "2027-01-15"), ("p1", "2027-04-15")], 0),
        ([("p1", "2027-01-15"), ("p1", "2027-01-15"), ("p2", "2027-01-15")], 1),
        ([("p1", "2027-01-15"), (None, "2027-01-15"), ("p2", None)], 2),
    ],
    ids=["unique_and_complete", "duplicate_key", "null_key_columns"],
)
def test_unique_combination_fails_on_a_duplicate_or_a_null_key_column(rows: list[tuple], failing: int) -> None:
    """House style "Keys": unique_combination is unique + not_null of a composite key in one scan."""
    con = duckdb.connect()
    con.execute("create table t (partner_id varchar, evaluation_date date)")
    con.executemany("insert into t values (?, ?)", rows)
    sql = _key_test_sql(["partner_id", "evaluation_date"])
    assert len(con.execute(sql).fetchall()) == failing
