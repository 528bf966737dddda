"""`python -m gdevo` is the same as the `gdevo` command."""

import sys

from gdevo.cli import main

sys.exit(main())
