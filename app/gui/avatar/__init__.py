"""The avatar window for OBS window capture (``LiveHost Avatar``).

Qt-free motion core: :mod:`app.gui.avatar.animation`. Qt parts: :mod:`app.gui.avatar.renderer`
(draws cached SVG layers) and :mod:`app.gui.avatar.window` (:class:`AvatarWindow`,
:class:`AvatarSettings`). Import the Qt parts from their modules so that importing this package
does not need PySide6.
"""
