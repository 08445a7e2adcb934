"""Serve every board mirror from the sample world: ``python -m directory.sample_world.mirrors --port N``.

Sources get consecutive ports from N (in name order); the URLs are printed as the JSON to put in
KAPDIR_SOURCE_URLS.
"""

import argparse
import json
import signal
import threading

from directory.sample_world.mirrors import start_board_mirrors
from directory.sample_world.world import load_world


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the license-source mirrors on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0, help="first port (default: ephemeral ports)")
    parser.add_argument("--fault", action="append", default=[], metavar="SOURCE=FAULT",
                        help="e.g. ct_socrata=429 (down, 429, 429_once, slow, garbage, shrunk)")
    args = parser.parse_args()
    faults = dict(item.split("=", 1) for item in args.fault)
    mirrors = start_board_mirrors(load_world(), faults=faults, port=args.port)
    print(json.dumps(mirrors.urls), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    mirrors.stop()


if __name__ == "__main__":
    main()
