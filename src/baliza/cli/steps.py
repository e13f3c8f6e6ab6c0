"""Progress for the steps of a command that take time: say what is being done while it runs, and how long
it took. Nobody should stare at a silent terminal for 18 seconds.

On a terminal a spinner runs beside the step's description; elsewhere (a pipe, a log, a test) the
description is printed when the step starts. A step that took a second or more ends with its time.
Everything goes to standard error, so `--json` output stays clean.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from baliza.cli.output import errors
from baliza.i18n import gettext as _
from baliza.i18n.formatting import number

WORTH_TIMING = 1.0  # seconds


@contextmanager
def step(description: str) -> Iterator[None]:
    """Run the block as one named step (`description` already translated: "Computing the indicators")."""
    started = time.perf_counter()
    if errors.is_terminal:
        with errors.status(description):
            yield
    else:
        errors.print(f"… {description}", highlight=False, soft_wrap=True)
        yield
    seconds = time.perf_counter() - started
    if seconds >= WORTH_TIMING:
        errors.print(_("✓ %(step)s (%(seconds)s s)", step=description, seconds=number(seconds, 1)),
                     highlight=False, soft_wrap=True)
