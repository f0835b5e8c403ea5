"""Use cases: the only API the CLI and the GUI call. Each function takes plain values or a
:class:`~governance_app.services.workspace.Workspace` and returns domain objects."""
