"""Scenarios: json_."""

from __future__ import annotations
