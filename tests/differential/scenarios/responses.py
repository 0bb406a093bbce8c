"""Scenarios: responses."""

from __future__ import annotations
