"""`python -m control_tower.cli` — same as the `ct` command."""

from control_tower.cli import main

if __name__ == "__main__":
    main()
