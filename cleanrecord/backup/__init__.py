"""Backups of a whole platform — database, stored files, keys — and their restore (`manage.py backup`,
`manage.py restore`; `archive.make_backup` for the scheduler)."""
