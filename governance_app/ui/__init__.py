"""The PySide6 front end; the only package that imports Qt (checked by import-linter).

Views call :mod:`governance_app.services` (through workers when slow) and show results through
Qt item models; see ``UI.md`` for how the window works.
"""
