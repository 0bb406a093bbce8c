"""Scenarios: templates."""

from __future__ import annotations
