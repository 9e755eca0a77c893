"""``python -m cvm ...`` (and ``spark-submit .../cvm/__main__.py ...``): the command line."""

from cvm.cli import main

if __name__ == "__main__":
    main()
