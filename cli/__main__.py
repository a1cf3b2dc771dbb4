"""`python -m cli`: the same as the `facts` command."""

from cli import main

main()
