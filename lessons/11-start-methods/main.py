"""fork copies the parent; spawn and forkserver start fresh interpreters.

A fresh interpreter has none of the parent's memory: it imports this file
again, as the module __mp_main__, and runs its module-level code once more.
So a global that main changed before start() is seen changed by a fork
child and unchanged by a spawn or forkserver child. The code under
`if __name__ == "__main__":` does not run again in the child: that guard is
what stops each child from starting children of its own.
"""
import argparse
import multiprocessing
import os

# Module-level code: runs in every process that imports this file.
print(f"module-level code ran in PID {os.getpid()} as {__name__}")
greeting = "set at import"


def show():
    print(f"child PID {os.getpid()} sees greeting = {greeting!r}")


def main():
    global greeting
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--start_method", default="spawn",
                        choices=["fork", "spawn", "forkserver"],
                        help="how children are started")
    parser.add_argument("--children", type=int, default=2,
                        help="how many children to start")
    args = parser.parse_args()
    multiprocessing.set_start_method(args.start_method)

    greeting = "changed by main"  # before any child starts
    children = [multiprocessing.Process(target=show) for _ in range(args.children)]
    for p in children:
        p.start()
    for p in children:
        p.join()
    print(f"main sees greeting = {greeting!r}")


if __name__ == "__main__":
    main()
