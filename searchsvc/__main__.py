"""`python -m searchsvc`: the same as the `searchsvc` command."""

from .cli import main

if __name__ == "__main__":
    main()
