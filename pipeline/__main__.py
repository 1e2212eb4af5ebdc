"""`python -m pipeline` is `qcode`."""

from pipeline.cli import main

if __name__ == "__main__":
    main()
