"""A booking race on a real file: more tickets sold than exist.

The remaining tickets live in a JSON file. Each buyer process reads the
count, thinks for a moment, and if it saw a ticket left writes back one
less. Without a Lock, buyers read the same count while the others think,
and each sells "the last" ticket again. With the Lock around the whole
read-think-write, one buyer at a time sees the file.
"""
import argparse
import json
import os
import tempfile
import time
from contextlib import nullcontext
from multiprocessing import Lock, Process


def buy(path, think, lock):
    with lock or nullcontext():
        # r+: read, then overwrite in place. The count stays one digit,
        # so the file never changes length and a reader sees a whole file.
        with open(path, "r+") as f:
            left = json.load(f)["tickets"]
            time.sleep(think)  # deciding: the window for a race
            if left > 0:
                f.seek(0)
                json.dump({"tickets": left - 1}, f)
                f.truncate()
                print(f"PID {os.getpid()} bought a ticket (saw {left} left)")
            else:
                print(f"PID {os.getpid()} found no ticket left")


def parse_bool(text):
    if text.lower() not in ("true", "false"):
        raise argparse.ArgumentTypeError("expected true or false")
    return text.lower() == "true"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=3, choices=range(10),
                        help="tickets for sale (0-9)")
    parser.add_argument("--buyers", type=int, default=6,
                        help="buyer processes")
    parser.add_argument("--think_ms", type=int, default=100,
                        help="milliseconds between reading and writing")
    parser.add_argument("--lock", type=parse_bool, default=False,
                        help="hold a Lock around read-think-write: true/false")
    args = parser.parse_args()

    path = os.path.join(tempfile.gettempdir(), f"tickets-{os.getpid()}.json")
    with open(path, "w") as f:
        json.dump({"tickets": args.tickets}, f)
    lock = Lock() if args.lock else None
    buyers = [Process(target=buy, args=(path, args.think_ms / 1000, lock))
              for _ in range(args.buyers)]
    for p in buyers:
        p.start()
    for p in buyers:
        p.join()

    with open(path) as f:
        left = json.load(f)["tickets"]
    os.remove(path)
    print(f"tickets for sale: {args.tickets}, left in the file: {left}")


if __name__ == "__main__":
    main()
