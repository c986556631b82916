"""The work behind each ``livehost`` subcommand (see :mod:`app.cli`). Each ``run(args)`` returns
an exit code and raises :class:`~app.errors.LiveHostError` for anything the user can fix."""
