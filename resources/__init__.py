"""Package data of governance_app: JSON Schemas, icons and the demo workspace's sources.

This folder is installed as ``governance_app.resources`` (see pyproject.toml) and read with
:mod:`importlib.resources`, so it works the same from a checkout, a wheel or a frozen build.
"""
