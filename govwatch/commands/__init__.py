"""Subcommands of the CLI: every module here with a ``register(subparsers, common)`` adds its commands."""
