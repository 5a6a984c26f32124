"""The emulator's pure backend: resources, documents, queries and change feed over a SQLite store."""
