"""`python -m facts_cli`: the same as the `facts` command."""

from . import main

main()
