"""Read the labelled code samples of a documentation page."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent

_SAMPLE = re.compile(
    r"^\.\. sample: (?P<name>[\w-]+)\n\n"
    r"\.\. code-block:: (?P<lang>[\w+-]+)\n\n"
    r"(?P<body>(?:(?:   .*)?\n)+)",
    re.MULTILINE,
)
_CODE_BLOCK = re.compile(r"^\.\. code-block::", re.MULTILINE)


def read_samples(page: str) -> dict[str, tuple[str, str]]:
    """Return ``{name: (language, code)}`` for every labelled code block of
    ``page``, in document order. Fails if a code block has no label."""
    text = (DOCS / page).read_text("utf8")
    samples: dict[str, tuple[str, str]] = {}

    for match in _SAMPLE.finditer(text):
        name = match["name"]
        assert name not in samples, f"{page}: sample {name!r} appears twice"
        lines = match["body"].rstrip("\n").splitlines()
        code = "\n".join(line[3:] for line in lines) + "\n"
        samples[name] = (match["lang"], code)

    blocks = len(_CODE_BLOCK.findall(text))
    assert blocks == len(samples), (
        f"{page} has {blocks} code blocks but {len(samples)} '.. sample:'"
        " labels; put '.. sample: NAME' and a blank line before each block"
    )
    return samples
