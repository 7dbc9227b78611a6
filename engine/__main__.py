"""`python -m engine COMMAND`: the headless CLI, for machines without the studio."""

import sys

from engine.cli import main

if __name__ == "__main__":
    sys.exit(main())
