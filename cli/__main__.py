"""`python -m cli`: the same as the `facts` command."""

from cli.app import main

main()
