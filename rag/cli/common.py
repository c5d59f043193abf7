"""What every `rag` subcommand shares: exit codes, and the settings built from the environment and flags."""

from __future__ import annotations

import argparse
from typing import Any

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def settings_from(args: argparse.Namespace) -> Any:
    """The `Settings` of one command: the environment's, with the `--collection` and `--top-k` flags.

    Args:
        args: The parsed command line.

    Returns:
        The settings (typed `Any` here so that pydantic loads only when a command needs it).

    Raises:
        ConfigError: a setting is invalid (named by its variable).
    """
    from pydantic import ValidationError

    from rag.errors import ConfigError
    from rag.settings import Settings

    overrides: dict[str, Any] = {}
    if getattr(args, "top_k", None):
        overrides["top_k"] = args.top_k
    if getattr(args, "collection", None):
        overrides["collection"] = args.collection
    try:
        return Settings(**overrides)
    except ValidationError as e:
        first = e.errors()[0]
        field = ".".join(str(x) for x in first["loc"])
        raise ConfigError(f"setting RAG_{field.upper()} is invalid: {first['msg']}") from e
