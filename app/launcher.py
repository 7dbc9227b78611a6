"""The `waymark` console script: the studio when run bare, the engine's CLI otherwise.

Qt is imported only when the studio opens, so `waymark serve` stays headless.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from engine.cli import main as cli_main

STUDIO_OPTIONS = ("--workspace", "--theme", "--port")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] == "studio" or args[0].split("=")[0] in STUDIO_OPTIONS:
        from app.studio import run_studio

        return run_studio(args[1:] if args and args[0] == "studio" else args)
    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
