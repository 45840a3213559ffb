"""Synthetic landing zone for every feed of ../shared/spec/feeds.md (see docs/generator.md)."""

from orchestration.generate.core import generate_landing

__all__ = ["generate_landing"]
