"""The subcommands of ``incasso``, each imported only when it runs (see ``incasso_cli.main``)."""
