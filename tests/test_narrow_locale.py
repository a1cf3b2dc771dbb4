"""A standard output that cannot take the store's text (an ASCII locale): one line that names a format of the
command that escapes what it cannot write, and that format then writes everything."""

from __future__ import annotations

import json
import re

import pytest

ASCII = {"PYTHONIOENCODING": "ascii"}


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["show", "rt-byline"],
        ["source"],
        ["cite", "rt-byline"],
        ["graph"],
    ],
)
def test_output_the_locale_cannot_take_names_a_format_that_escapes_it(run, args):
    refused = run(*args, env=ASCII)
    assert refused.returncode == 5
    assert refused.stderr.count("\n") == 1 and "cannot take U+" in refused.stderr
    suggested = re.search(r"--format (\S+), which escapes", refused.stderr)
    assert suggested, refused.stderr
    escaped = run(*args, "--format", suggested[1], env=ASCII)
    assert (escaped.returncode, escaped.stderr) == (0, "")
    assert escaped.stdout.isascii()
    assert json.loads(escaped.stdout) == json.loads(run(*args, "--format", suggested[1]).stdout), "the same values"
