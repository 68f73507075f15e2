"""The ``incasso`` command. Subcommands import their modules lazily so ``incasso calc`` starts fast."""

from __future__ import annotations

import click


class _LazyGroup(click.Group):
    _commands = {
        "calc": ("incasso_cli.commands.calc", "calc"),
        "serve": ("incasso_cli.commands.serve", "serve"),
        "token": ("incasso_cli.commands.token", "token"),
        "demo": ("incasso_cli.commands.demo", "demo"),
        "report": ("incasso_cli.commands.report", "report"),
        "aggregates": ("incasso_cli.commands.aggregates", "aggregates"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self._commands)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self._commands.get(cmd_name)
        if target is None:
            return None
        import importlib

        try:
            module = importlib.import_module(target[0])
        except ModuleNotFoundError as exc:
            if exc.name == target[0]:
                return None  # not built yet
            raise
        return getattr(module, target[1])


@click.group(cls=_LazyGroup)
@click.version_option(package_name="incasso")
def main() -> None:
    """incasso: the Dutch debt-collection trajectory, on AWS or on this machine."""
