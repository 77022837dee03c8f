"""``python -m senders ...``."""

import sys

from senders.cli import main

sys.exit(main())
