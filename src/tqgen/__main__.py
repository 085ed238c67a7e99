"""`python -m tqgen`."""

from tqgen.console import main

main()
