#!/usr/bin/env python
"""Django's command-line utility; `onestop` (onestop.cli) is the same with friendlier names."""

from onestop.cli import main

if __name__ == "__main__":
    main()
