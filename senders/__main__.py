"""``python -m senders ...``."""

import sys

if sys.version_info < (3, 8):
    sys.stderr.write("error: the VISLIVIS sender needs Python 3.8 or newer (this is %d.%d)\n" % sys.version_info[:2])
    sys.exit(3)

from senders.cli import main  # noqa: E402 - after the version check, which must run first

sys.exit(main())
