"""The `pharmreg` command line: set-up, migrations, tenants, divisions, demo data, users.

One module per command group; this one assembles them under `main`. Commands import the
platform's contexts inside their functions so that `--help` and `settings` answer at once
without loading the whole application.
"""

from __future__ import annotations

import click

from pharmreg.cli import (
    database,
    demo,
    divisions,
    events,
    imports,
    server,
    setup,
    supervision,
    tenants,
    users,
)
from pharmreg.kit.logging import configure_logging


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """pharmreg: registration platform for licensed pharmacists (执业药师注册管理平台).

    Configuration comes from the environment (DATABASE_URL, REDIS_URL, PHARMREG_*);
    `pharmreg settings` lists every variable. A fresh machine needs only `ops/run`.
    """
    configure_logging("WARNING", "console")


for command in (setup.show_settings, setup.setup, setup.migrate, server.serve):
    main.add_command(command)
for commands in (database, tenants, divisions, demo, users, events, imports, supervision):
    main.add_command(commands.group)
