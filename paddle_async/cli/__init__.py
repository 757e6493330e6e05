"""The ``paddle-async`` command line: customers from a shell, bulk imports and exports, a demo.

Run ``paddle-async --help`` (or ``python -m paddle_async.cli --help``). It needs nothing beyond
the SDK's own dependencies; the ``cli`` extra (rich) adds a live progress bar and tables that
fit the terminal.

Adding a resource's commands: write a module like ``_customers.py`` that declares a `Group` of
`Command`s (each: its arguments, a coroutine taking a `Context` and the parsed arguments, and
``writes`` if it changes data, which gives it ``--yes`` and the live-account question), with a
`Shape` for its items so that ``--format`` and tables come from ``_output.py``; then add the
group to ``GROUPS`` in ``_app.py``. ``always_ask`` asks before a write on any account (a delete);
a command of its own (``auth-token``) goes in ``COMMANDS``.
"""

from __future__ import annotations

from ._app import main

__all__ = ["main"]
