"""The workspace database: SQLAlchemy 2 tables, engine set-up, migrations and repositories.

ORM rows (``Sql…``) never leave this package: repositories take and return domain objects.
"""
