"""Scenarios: subclasses."""

from __future__ import annotations
