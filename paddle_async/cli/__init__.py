"""The ``paddle-async`` command line: customers from a shell, bulk imports and exports, a demo.

Run ``paddle-async --help`` (or ``python -m paddle_async.cli --help``). It needs nothing beyond
the SDK's own dependencies.
"""

from __future__ import annotations

from ._app import main

__all__ = ["main"]
