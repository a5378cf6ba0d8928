"""A Manager is a server process; read-modify-write on it can lose updates.

The real dict lives in the Manager's server process; every d['count']
read or write is a request to it. Each process subtracts 1 from a count
that starts at --processes. Two processes that read the same value both
write value - 1, and one subtraction is lost.
"""
import argparse
import contextlib
import time
from multiprocessing import Lock, Manager, Process


def take_one(d, lock, think_ms):
    # Without a lock, nullcontext() guards nothing.
    guard = lock if lock is not None else contextlib.nullcontext()
    with guard:
        value = d['count']   # request 1: read the value from the server
        if think_ms > 0:     # others may read the same value meanwhile
            time.sleep(think_ms / 1000)
        d['count'] = value - 1   # request 2: write back, maybe stale


def parse_bool(text):
    if text.lower() not in ("true", "false"):
        raise argparse.ArgumentTypeError("expected true or false")
    return text.lower() == "true"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--processes", type=int, default=100,
                        help="processes, each subtracts 1 (1..500)")
    parser.add_argument("--lock", type=parse_bool, default=False,
                        help="Lock around read and write: true/false")
    parser.add_argument("--think_ms", type=float, default=0.0,
                        help="ms between the read and the write (0..100)")
    args = parser.parse_args()

    with Manager() as manager:  # starts the server process
        d = manager.dict({'count': args.processes})
        lock = Lock() if args.lock else None
        procs = [Process(target=take_one, args=(d, lock, args.think_ms))
                 for _ in range(args.processes)]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        final = dict(d)  # copy it out before the server shuts down

    print("final:", final)
    # Every process subtracted once: anything above 0 was lost.
    print("lost updates:", final['count'])


if __name__ == "__main__":
    main()
