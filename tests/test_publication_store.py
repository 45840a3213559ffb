"""Publication versions: the rule of product.md "Public interface" and immutability of the store."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from orchestration.defs.publication.store import MANIFEST, PublicationStore, Version, decide

E = date(2027, 1, 15)


def _version(n: int, *, final: bool, window_open: bool, inputs: str = "in", code: str = "code") -> Version:
    manifest = {"final": final, "poc_window_open": window_open, "inputs_fingerprint": inputs, "code_version": code}
    return Version(E, n, Path("/nowhere"), manifest)


def test_first_publication_is_made() -> None:
    d = decide(None, evaluation_date=E, run_date=date(2027, 1, 15), inputs_fingerprint="in", code_version="code")
    assert (d.publish, d.version) == (True, 1)
    assert "POC window open" in d.reason


@pytest.mark.parametrize(("run_date", "republished"), [(date(2027, 1, 29), False), (date(2027, 1, 30), True)])
def test_final_republication_once_the_poc_window_closes(run_date: date, republished: bool) -> None:
    """D10: the window is open until E + 14 days; the first run after it republishes once, as final."""
    current = _version(1, final=False, window_open=True)
    d = decide(current, evaluation_date=E, run_date=run_date, inputs_fingerprint="in", code_version="code")
    assert d.publish is republished
    if republished:
        assert d.version == 2 and "final" in d.reason


def test_no_second_final_republication() -> None:
    current = _version(2, final=True, window_open=False)
    d = decide(current, evaluation_date=E, run_date=date(2027, 3, 1), inputs_fingerprint="in", code_version="code")
    assert not d.publish and "identical" in d.reason


def test_changed_inputs_need_an_explicit_reason() -> None:
    current = _version(2, final=True, window_open=False)
    kwargs = dict(evaluation_date=E, run_date=date(2027, 3, 1), inputs_fingerprint="new", code_version="code")
    assert not decide(current, **kwargs).publish
    assert not decide(current, republish=True, reason="  ", **kwargs).publish
    d = decide(current, republish=True, reason="late review corrections", **kwargs)
    assert (d.publish, d.version) == (True, 3) and "late review corrections" in d.reason


def test_identical_inputs_and_code_never_make_a_version_even_when_asked() -> None:
    current = _version(2, final=True, window_open=False)
    d = decide(
        current,
        evaluation_date=E,
        run_date=date(2027, 3, 1),
        inputs_fingerprint="in",
        code_version="code",
        republish=True,
        reason="again",
    )
    assert not d.publish


def _stage(store: PublicationStore, content: str) -> Path:
    staging = store.new_staging(E)
    (staging / "tier_extract.csv").write_text(content)
    from orchestration.defs.publication.store import sha256_file

    (staging / MANIFEST).write_text(
        json.dumps(
            {"final": True, "files": {"tier_extract.csv": {"sha256": sha256_file(staging / "tier_extract.csv")}}}
        )
    )
    return staging


def test_commit_is_a_rename_and_never_overwrites(tmp_path: Path) -> None:
    store = PublicationStore(tmp_path)
    v1 = store.commit(_stage(store, "a\n1\n"), E, 1)
    assert store.current(E).version == 1 and store.verify(v1) == []
    with pytest.raises(FileExistsError):
        store.commit(_stage(store, "a\n2\n"), E, 1)
    assert (v1.path / "tier_extract.csv").read_text() == "a\n1\n"
    store.commit(_stage(store, "a\n2\n"), E, 2)
    assert [v.version for v in store.versions(E)] == [1, 2]
    assert store.current(E).version == 2
    assert store.evaluation_dates() == [E]


def test_verify_notices_a_changed_file(tmp_path: Path) -> None:
    store = PublicationStore(tmp_path)
    v1 = store.commit(_stage(store, "a\n1\n"), E, 1)
    (v1.path / "tier_extract.csv").write_text("tampered")
    assert store.verify(v1) == [f"{v1.path / 'tier_extract.csv'}: sha256 differs from the manifest"]
