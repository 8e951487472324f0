"""``python -m clausewatch …`` runs the command-line interface."""

from clausewatch.cli import main

if __name__ == "__main__":
    main(prog_name="clausewatch")
