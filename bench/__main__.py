"""`make bench`: speed and memory figures, measured on PostgreSQL.

Usage: python -m bench [--rows N] [--reports N] [--only imports|quality|reports|verify|scale|group]
                       [--group-subsidiaries N]
                       [--scale-penalties N] [--scale-entities N] [--scale-reuse]
Each benchmark uses a scratch database on the local server, dropped and created afresh
(BENCH_DATABASE_URL / BENCH_REPORTS_DATABASE_URL / BENCH_VERIFY_DATABASE_URL override them); the
quality benchmark reuses the import benchmark's database, importing first when it is missing or empty. The scale
benchmark builds two (a small one and one of --scale-penalties), or with --scale-reuse keeps those already built.
"""

import argparse
import sys

from bench import group, imports, quality, reports, scale, verify


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--rows", type=int, default=1_000_000, help="penalty rows in the import benchmark")
    parser.add_argument("--reports", type=int, default=200, help="reports issued in the report benchmark")
    parser.add_argument("--only", choices=["imports", "quality", "reports", "verify", "scale", "group"])
    parser.add_argument("--group-subsidiaries", type=int, default=20, help="subsidiaries in the group benchmark's batch")
    parser.add_argument("--scale-penalties", type=int, default=10_000_000, help="penalties in the scale benchmark")
    parser.add_argument("--scale-entities", type=int, default=2_000_000, help="entities in the scale benchmark")
    parser.add_argument("--scale-reuse", action="store_true",
                        help="scale benchmark: keep its databases when they hold the sizes asked for")
    parser.add_argument("--report-worker", nargs=2, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--quality-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--group-worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--long-report-worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.report_worker:
        reports.worker(*args.report_worker)
        return 0
    if args.long_report_worker:
        reports.long_worker(args.long_report_worker)
        return 0
    if args.group_worker:
        group.worker(args.group_worker)
        return 0
    if args.quality_worker:
        quality.worker()
        return 0
    if args.only in (None, "imports"):
        imports.run(rows=args.rows)
    if args.only in (None, "quality"):
        quality.run(rows=args.rows)
    if args.only in (None, "reports"):
        reports.run(count=args.reports)
    if args.only in (None, "verify"):
        verify.run()
    if args.only in (None, "group"):
        group.run(count=args.group_subsidiaries)
    if args.only in (None, "scale"):
        scale.run(args.scale_penalties, args.scale_entities, reuse=args.scale_reuse)
    return 0


if __name__ == "__main__":
    sys.exit(main())
