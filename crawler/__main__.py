"""``python -m crawler`` is ``dumawatch``."""

import sys

from crawler.commands.cli import main

if __name__ == "__main__":  # not when a worker process (pipelines/offload.py) imports the main module
    sys.exit(main())
