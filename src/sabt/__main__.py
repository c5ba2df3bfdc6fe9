"""`python -m sabt` runs the CLI."""

from sabt.cli import main

main()
