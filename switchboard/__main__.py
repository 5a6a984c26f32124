"""`python -m switchboard`: the same as the `switchboard` command."""

from switchboard.cli.app import main

main()
