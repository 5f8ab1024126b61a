"""``python -m farm serve|demo``.

serve: run the farm on 127.0.0.1 until Ctrl-C, print the ``http_proxy=`` line, optionally
write the portals CSV. demo: ``farm.demo:main(argv)`` (the lead's end-to-end demo).
"""
from __future__ import annotations

import argparse
import sys
import time


def serve(argv: list[str]) -> int:
    from . import KINDS, build_farm
    from .server import FarmServer

    ap = argparse.ArgumentParser(prog="python -m farm serve",
                                 description="Serve the sample portal farm on 127.0.0.1.")
    ap.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    ap.add_argument("--kind", default="small", choices=KINDS, help="farm kind (default: small)")
    ap.add_argument("--n-portals", type=int, default=None, help="portals of a bench/large farm")
    ap.add_argument("--seed", type=int, default=0, help="seed of a bench/large farm")
    ap.add_argument("--portals-csv", help="write the farm's portals.csv here")
    ap.add_argument("--verbose", action="store_true", help="log every request")
    args = ap.parse_args(argv)
    farm = build_farm(args.kind, n_portals=args.n_portals, seed=args.seed)
    if args.portals_csv:
        farm.write_portals_csv(args.portals_csv)
    srv = FarmServer(farm, port=args.port, record=False, verbose=args.verbose)
    try:
        srv.start()
    except OSError as exc:  # the port is taken, or not ours to bind
        print(f"python -m farm serve: error: cannot listen on 127.0.0.1:{args.port}: {exc.strerror} "
              "(--port 0 picks a free port)", file=sys.stderr)
        return 2
    print(f"farm ({args.kind}): {len(farm.portals)} portals, {len(farm.truth)} reports, "
          f"{farm.page_count()} pages", flush=True)
    if args.portals_csv:
        print(f"portals: {args.portals_csv}", flush=True)
    print(f"http_proxy={srv.proxy_url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        print("\nusage: python -m farm {serve,demo} [options]")
        return 0 if argv else 2
    cmd, rest = argv[0], argv[1:]
    if cmd == "serve":
        return serve(rest)
    if cmd == "demo":
        from .demo import main as demo_main  # written by the lead
        return demo_main(rest) or 0
    print(f"unknown command {cmd!r}; use serve or demo", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
