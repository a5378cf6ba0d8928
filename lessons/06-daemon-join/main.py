"""Daemonic children die with main; join() waits for them.

Three children count to 2, 3 and 4, one step per second. What happens when
main's own code ends first depends on two choices:

    --daemon true  --join false   children are terminated when main ends
    --daemon true  --join true    main waits in join(), children finish
    --daemon false --join false   main's exit waits for them anyway
    --daemon false --join true    main waits in join(), children finish
"""
import argparse
import os
import time
from multiprocessing import Process


def count(loops):
    for k in range(loops):
        print("Pid:", os.getpid(), "LoopCount:", k)
        time.sleep(1)


def parse_bool(text):
    if text.lower() not in ("true", "false"):
        raise argparse.ArgumentTypeError("expected true or false")
    return text.lower() == "true"


def main():
    parser = argparse.ArgumentParser(description="Daemon children and join().")
    parser.add_argument("--daemon", type=parse_bool, default=True, help="make the children daemonic: true/false")
    parser.add_argument("--join", type=parse_bool, default=False, help="wait for the children with join(): true/false")
    args = parser.parse_args()

    children = []
    for loops in (2, 3, 4):
        p = Process(target=count, args=(loops,))
        p.daemon = args.daemon  # must be set before start()
        p.start()
        children.append(p)

    if args.join:
        for p in children:
            p.join()  # main blocks here until that child has ended

    print("main ends")
    # After this line multiprocessing's exit handler runs: it terminates
    # daemonic children that are still alive and waits for the others.


if __name__ == "__main__":
    main()
