import sys

from bcfpipe.cli import main

sys.exit(main())
