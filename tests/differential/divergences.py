"""Known divergences from Flask 3.1.3: scenario id -> one-line reason.

Every id here is run as ``xfail(strict=True)``: when the difference is
fixed, the scenario passes, the xfail fails, and the entry must be removed.
A difference that is deliberate does not belong here; the scenario declares
it with a comparer (see README.md).
"""

from __future__ import annotations

DIVERGENCES: dict[str, str] = {}
