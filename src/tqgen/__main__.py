"""`python -m tqgen`."""

from tqgen.cli import main

main()
