import sys

from importguard.commands.cli import main

sys.exit(main())
