"""Why lines from several processes garble, and how a Lock fixes it.

Several processes print to the same terminal at the same moment. A print()
with several arguments does not leave as one piece: with unbuffered output
(python3 -u, or under forklore) each argument, each space and the newline is
its own write. Writes from different processes can slip in between them.

    python3 -u main.py               # some lines come out mixed
    python3 -u main.py --lock true   # every line stays whole
"""
import argparse
import contextlib
import os
from multiprocessing import Event, Lock, Process


def talk(go, lock, lines):
    # Wait for the starting signal, so all processes print at the same time.
    go.wait()
    # With a lock: only one process at a time may print a line; the others
    # wait in acquire(). Without one, nullcontext() does nothing at all.
    guard = lock if lock is not None else contextlib.nullcontext()
    for k in range(lines):
        with guard:
            # Four arguments -> several separate writes per line.
            print("Pid:", os.getpid(), "LoopCount:", k)


def parse_bool(text):
    if text.lower() not in ("true", "false"):
        raise argparse.ArgumentTypeError("expected true or false")
    return text.lower() == "true"


def main():
    parser = argparse.ArgumentParser(description="Garbled lines vs a Lock.")
    parser.add_argument("--processes", type=int, default=5, help="how many printing processes (1..16)")
    parser.add_argument("--lines", type=int, default=10, help="lines per process (1..1000)")
    parser.add_argument("--lock", type=parse_bool, default=False, help="hold a Lock around each print: true/false")
    args = parser.parse_args()

    go = Event()
    lock = Lock() if args.lock else None
    procs = [Process(target=talk, args=(go, lock, args.lines)) for _ in range(args.processes)]
    for p in procs:
        p.start()
    go.set()  # everybody starts printing now
    for p in procs:
        p.join()


if __name__ == "__main__":
    main()
