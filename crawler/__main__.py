"""``python -m crawler`` is ``dumawatch``."""

import sys

from crawler.cli import main

sys.exit(main())
