"""issue 19 item 1: no DuckDB-only spelling in what the dbt project sends to Spark.

The project is compiled for the `spark` target (no Spark session starts: compiling renders Jinja
only) and every compiled model, test and contract type is scanned for spellings DuckDB accepts and
Spark refuses or reads differently. The end-to-end proof that the SQL runs on Spark is the
differential test (tests/test_spark_engine.py); this one names the offending file in seconds.
Runs in the Spark stage of `make test` (`pytest -m spark`, needs the `.[spark]` extra).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration import settings
from tests.support.spark import only_in_the_spark_stage  # noqa: F401 (autouse)

pytestmark = pytest.mark.spark

# DuckDB spelling -> why Spark cannot take it (../shared/stack-notes.md "Apache Spark").
FORBIDDEN: dict[str, str] = {
    r"\bvarchar\b(?!\s*\()": "Spark wants varchar(n) or string: use {{ dbt.type_string() }}",
    r"::\s*[a-z]": "`::` casts are DuckDB/Postgres only: use cast(... as ...)",
    r"\b(string_agg|listagg|group_concat)\s*\(": "Spark has no ordered string aggregate: use ordered_listagg()",
    r"\barray_join\s*\(\s*collect_list\b": "collect_list's order changes with partitioning: use ordered_listagg()",
    r"\b(strftime|strptime|epoch_ms|struct_pack|regexp_matches|generate_series)\s*\(": "DuckDB-only function",
    r"\blist_[a-z_]+\s*\(": "DuckDB list function: use an adapter-dispatched macro",
    r"(?<!left )\bsemi\s+join\b": "Spark spells it `left semi join`: use semi_join()",
    r"\*\s*exclude\s*\(": "DuckDB's SELECT * EXCLUDE: name the columns",
    r"\bdate_diff\s*\(\s*'": "DuckDB's date_diff('part', ...): use dbt.datediff()",
}


def spelling_problems(sql: str) -> list[str]:
    """Each forbidden spelling found in `sql` (comments removed), with the reason."""
    code = re.sub(r"--[^\n]*|/\*.*?\*/", "", sql, flags=re.S).lower()
    return [f"{m.group(0).strip()!r}: {why}" for pattern, why in FORBIDDEN.items() for m in re.finditer(pattern, code)]


@pytest.mark.parametrize(
    "sql",
    [
        "select cast(x as varchar) as y",
        "select x::date",
        "select string_agg(x, ', ' order by x)",
        "select strftime(d, '%Y')",
        "select list_sort(xs)",
        "select * from a semi join b on a.k = b.k",
        "select * exclude (x) from t",
        "select date_diff('day', a, b)",
        "select array_join(collect_list(x), ', ')",
    ],
)
def test_the_lint_finds_each_duckdb_spelling(sql: str) -> None:
    assert len(spelling_problems(sql)) == 1


def test_the_lint_accepts_the_portable_spellings() -> None:
    sql = """select cast(x as string), cast(y as varchar(20)), array_join(array_sort(collect_list(z)), ', ')
             from a left semi join b on a.k = b.k -- a comment saying varchar is fine"""
    assert spelling_problems(sql) == []


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`dbt compile --target spark` into a fresh target directory; the exchange directory is left
    unset so the Spark hooks render nothing and no session starts."""
    tmp = tmp_path_factory.mktemp("spark-compile")
    env = {**os.environ, **settings.spark_settings(tmp / "wh.duckdb")}
    env.pop("PARTNER_WAREHOUSE_SPARK_EXCHANGE_DIR")
    dbt = Path(sys.executable).with_name("dbt")
    target = tmp / "target"
    done = subprocess.run(
        [str(dbt), "compile", "--target", "spark", "--no-populate-cache", "--quiet", "--target-path", str(target),
         "--project-dir", str(settings.DBT_PROJECT_DIR), "--profiles-dir", str(settings.DBT_PROJECT_DIR)],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return target


def test_every_compiled_model_and_test_is_spark_sql(compiled: Path) -> None:
    files = sorted((compiled / "compiled").rglob("*.sql"))
    assert len(files) > 150  # 65 models and their data tests
    problems = [f"{p.relative_to(compiled)}: {x}" for p in files for x in spelling_problems(p.read_text())]
    assert problems == []


def test_every_contract_and_seed_type_renders_for_spark(compiled: Path) -> None:
    manifest = json.loads((compiled / "manifest.json").read_text())
    types = []
    for node in manifest["nodes"].values():
        types += [(node["name"], c, t) for c, t in (node["config"].get("column_types") or {}).items()]
        types += [(node["name"], c["name"], c.get("data_type")) for c in node["columns"].values()]
    declared = [(n, c, t) for n, c, t in types if t]
    assert len(declared) > 200  # every mart contract column and every seed column type
    assert [(n, c, t) for n, c, t in declared if spelling_problems(f"cast(x as {t})")] == []
