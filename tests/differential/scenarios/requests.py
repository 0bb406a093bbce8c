"""Scenarios: requests."""

from __future__ import annotations
