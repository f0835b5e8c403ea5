"""One module per source format; each registers itself with ``registry.importer``."""
