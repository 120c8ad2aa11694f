"""The offline vulnerability database: OSV records, version orders, the matching engine, imports."""
