"""Scenarios: errors."""

from __future__ import annotations
