"""How dbt nodes appear in Dagster: sources are the raw assets; groups follow the dbt layers; every dbt
test is an asset check with a description a reader can act on (issue 14 item 4)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings


class WarehouseTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_source_tests_as_checks=False))

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: Any) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["sources"].get(unique_id) if unique_id.startswith("source.") else None
        if node is not None:
            schema = node["schema"]  # raw.<feed> are the loader's assets
            return spec.replace_attributes(key=dg.AssetKey([schema, node["name"]]))
        props = manifest["nodes"].get(unique_id, {})
        fqn = props.get("fqn", [])
        group = "seeds" if props.get("resource_type") == "seed" else (fqn[1] if len(fqn) > 2 else "dbt")
        return spec.replace_attributes(group_name=group)

    def get_asset_check_spec(
        self, asset_spec: dg.AssetSpec, manifest: Mapping[str, Any], unique_id: str, project: Any
    ) -> dg.AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        return spec._replace(description=check_description(manifest["nodes"][unique_id]))


def check_description(test: Mapping[str, Any]) -> str:
    """What a dbt test asserts, in words, for a test without a yml `description`: its own description,
    else the generic test with its column and arguments, else (a singular test) its file's path."""
    if test.get("description"):
        return test["description"]
    metadata = test.get("test_metadata") or {}
    severity = (test.get("config") or {}).get("severity", "error").lower()
    blocks = "blocking" if severity == "error" else "warning only"
    if metadata:
        kwargs = {k: v for k, v in (metadata.get("kwargs") or {}).items() if k not in ("model", "column_name")}
        column = test.get("column_name") or (metadata.get("kwargs") or {}).get("column_name")
        what = metadata.get("name", "test") + (f" on {column}" if column else "")
        args = ", ".join(f"{k}={v}" for k, v in kwargs.items())
        return f"dbt test {what}" + (f" ({args})" if args else "") + f"; {blocks}"
    return f"dbt singular test {test.get('original_file_path', test.get('name'))}; {blocks}"
