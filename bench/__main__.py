"""`make bench`: speed and memory figures, measured on PostgreSQL.

Usage: python -m bench [--rows N] [--keep]
The database is BENCH_DATABASE_URL (default: a scratch database cleanrecord_bench on the local
server, dropped and created afresh).
"""

import argparse
import sys

from bench import imports


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--rows", type=int, default=1_000_000, help="penalty rows in the import benchmark")
    args = parser.parse_args()
    imports.run(rows=args.rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
