"""The seller console (PySide6): a thin Qt layer over the headless core.

The console observes the core's events through one bridge (:class:`app.gui.bridge.QtBridge`)
and sends the seller's commands back as events; it adds no business logic of its own.
Entry point: :func:`app.commands.gui.run` (``livehost`` with no arguments, ``livehost gui ...``).
Importing this package does not import Qt; the submodules do.
"""
