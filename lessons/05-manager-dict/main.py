"""A Manager is a server process; read-modify-write on it can lose updates.

Manager().dict() returns a proxy. The real dict lives in the Manager's own
server process, and every d['count'] read or write is a request sent to it.
Each of --processes processes subtracts 1 from d['count'], which starts at
--processes, so it should end at 0. Without a lock, two processes can read
the same value and both write value - 1: one subtraction is lost.

    python3 main.py                   # may lose a few updates
    python3 main.py --think_ms 5      # wider window: loses many
    python3 main.py --lock true --think_ms 5   # always ends at 0
"""
import argparse
import contextlib
import time
from multiprocessing import Lock, Manager, Process


def take_one(d, lock, think_ms):
    # Without a lock, nullcontext() guards nothing.
    guard = lock if lock is not None else contextlib.nullcontext()
    with guard:
        value = d['count']            # request 1: read the value from the server
        if think_ms > 0:
            time.sleep(think_ms / 1000)  # others may read the same value meanwhile
        d['count'] = value - 1        # request 2: write it back, maybe stale


def parse_bool(text):
    if text.lower() not in ("true", "false"):
        raise argparse.ArgumentTypeError("expected true or false")
    return text.lower() == "true"


def main():
    parser = argparse.ArgumentParser(description="Manager dict and a read-modify-write race.")
    parser.add_argument("--processes", type=int, default=100, help="processes, each subtracts 1 (1..500)")
    parser.add_argument("--lock", type=parse_bool, default=False, help="hold a Lock around read+write: true/false")
    parser.add_argument("--think_ms", type=float, default=0.0, help="pause between read and write, in ms (0..100)")
    args = parser.parse_args()

    with Manager() as manager:  # starts the server process
        d = manager.dict({'count': args.processes})
        lock = Lock() if args.lock else None
        procs = [Process(target=take_one, args=(d, lock, args.think_ms)) for _ in range(args.processes)]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        final = dict(d)  # copy it out before the server shuts down

    print("final:", final)
    # Every process subtracted once, so anything above 0 is a lost update.
    print("lost updates:", final['count'])


if __name__ == "__main__":
    main()
