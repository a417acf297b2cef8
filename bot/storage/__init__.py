"""Storage: the only place with SQL (SQLite through one connection), and its migrations."""
