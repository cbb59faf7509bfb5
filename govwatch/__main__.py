"""``python -m govwatch`` runs the CLI."""

import sys

from govwatch.cli import main

sys.exit(main())
