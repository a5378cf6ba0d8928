"""Shared memory: a Value and an Array that every process sees.

--processes children each add 1 to one shared Value --increments times
and write one square into a shared Array. `counter.value += 1` is a read
and then a write: without the Value's own lock held around both, two
processes can read the same number and one increment is lost. The
Array needs no such care here: each child writes its own slot, and the
parent sees every one of them.
"""
import argparse
from multiprocessing import Array, Process, Value


def parse_bool(text):
    if text.lower() not in ("true", "false"):
        raise argparse.ArgumentTypeError("expected true or false")
    return text.lower() == "true"


def work(counter, squares, k, increments, locked):
    for _ in range(increments):
        if locked:
            with counter.get_lock():  # read and write as one step
                counter.value += 1
        else:
            counter.value += 1  # read, then write: another process may slip in
    squares[k] = k * k


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--processes", type=int, default=4, help="child processes")
    # Enough for the children to run at the same time: with a few hundred,
    # each is done before the next one has started, and nothing is lost.
    parser.add_argument("--increments", type=int, default=20000,
                        help="increments by each child")
    parser.add_argument("--lock", type=parse_bool, default=False,
                        help="hold counter.get_lock() around each increment: true/false")
    args = parser.parse_args()

    counter = Value("i", 0)
    squares = Array("i", args.processes)
    children = [Process(target=work, args=(counter, squares, k, args.increments, args.lock))
                for k in range(args.processes)]
    for p in children:
        p.start()
    for p in children:
        p.join()

    expected = args.processes * args.increments
    print(f"counter: {counter.value} of {expected} expected")
    print(f"squares: {squares[:]}")


if __name__ == "__main__":
    main()
