"""The `actionplan` command: a thin layer over the pipeline, one module per group of commands.

main.py holds the group and its exit-code contract; check.py the checks (validate, lint, rules);
build.py the outputs (build, bundle, watch); plans.py the commands for plans kept in git (new,
convert, text, diff); common.py what they share."""

from generator.cli.main import main

__all__ = ("main",)
