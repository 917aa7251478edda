"""`python -m generator` is the same as the `actionplan` command."""

from generator.cli import main

main(prog_name="actionplan")
