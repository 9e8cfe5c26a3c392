#!/usr/bin/env python3
"""Build the 加梯案例库 site: ``python build.py`` (see README.md)."""

import sys

from liftcases.cli import main

if __name__ == "__main__":
    sys.exit(main())
