"""Mart column descriptions read in plain words first, the rule id after (issue 16 item 3): an
analyst meets "Tier in force before this date ... (A9)", not "C (A9): ..."."""

from __future__ import annotations

import re

import yaml

from orchestration import settings

# A description that opens with a rule id ("A3: ...", "A8/D12: ...") or a formula symbol with its
# rule ("C (A9): ...", "X_perf (A7): ...").
JARGON_FIRST = re.compile(r"^(?:[A-G]\d+\b|[A-Z](?:_\w+)? \([A-G]\d+\))")


def _mart_columns() -> list[tuple[str, str, str]]:
    out = []
    for path in sorted((settings.DBT_PROJECT_DIR / "models" / "marts").rglob("*.yml")):
        for model in yaml.safe_load(path.read_text(encoding="utf-8")).get("models") or []:
            for column in model.get("columns") or []:
                out.append((model["name"], column["name"], (column.get("description") or "").strip()))
    return out


def test_issue16_every_mart_column_is_described_in_plain_words_first() -> None:
    columns = _mart_columns()
    assert len(columns) > 200
    assert [(m, c) for m, c, d in columns if not d] == []
    assert [f"{m}.{c}: {d[:60]}" for m, c, d in columns if JARGON_FIRST.match(d)] == []
