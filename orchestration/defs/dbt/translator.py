"""How dbt nodes appear in Dagster: sources are the raw assets; groups follow the dbt layers."""

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
