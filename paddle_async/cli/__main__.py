"""``python -m paddle_async.cli``: the same as the ``paddle-async`` command."""

from __future__ import annotations

from ._app import main

raise SystemExit(main())
