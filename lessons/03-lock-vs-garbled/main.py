"""Why lines from several processes garble, and how a Lock fixes it.

With unbuffered output (python3 -u, or under forklore) a print() with
several arguments leaves as several writes: each value, each space and
the newline. Another process can write in between.
"""
import argparse
import contextlib
import os
from multiprocessing import Event, Lock, Process


def talk(go, lock, lines):
    # Wait for the starting signal, so everybody prints at the same time.
    go.wait()
    # With a lock, one process at a time prints a line and the others
    # wait in acquire(). Without one, nullcontext() guards nothing.
    guard = lock if lock is not None else contextlib.nullcontext()
    for k in range(lines):
        with guard:
            # Four values: the line leaves as several separate writes.
            print("Pid:", os.getpid(), "LoopCount:", k)


def parse_bool(text):
    if text.lower() not in ("true", "false"):
        raise argparse.ArgumentTypeError("expected true or false")
    return text.lower() == "true"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--processes", type=int, default=5,
                        help="printing processes (1..16)")
    parser.add_argument("--lines", type=int, default=10,
                        help="lines per process (1..1000)")
    parser.add_argument("--lock", type=parse_bool, default=False,
                        help="hold a Lock around each print: true/false")
    args = parser.parse_args()

    go = Event()
    lock = Lock() if args.lock else None
    procs = [Process(target=talk, args=(go, lock, args.lines))
             for _ in range(args.processes)]
    for p in procs:
        p.start()
    go.set()  # everybody starts printing now
    for p in procs:
        p.join()


if __name__ == "__main__":
    main()
