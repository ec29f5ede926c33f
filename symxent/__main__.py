"""``python -m symxent``: the same as the ``symxent`` command."""

from .cli import main

raise SystemExit(main())
