#!/usr/bin/env python
"""Django's command-line utility; ``vejud`` is the same with an operator help page."""

from vejud.__main__ import main

if __name__ == "__main__":
    main()
