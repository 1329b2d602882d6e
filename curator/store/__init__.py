"""The store: the one home of SQL (engine, tables, migrations, search index, every query)."""
