"""Daemonic children die with main; join() waits for them.

Three children count to 2, 3 and 4, one step per second.
  daemon true,  join false: terminated when main's code ends
  daemon true,  join true:  main waits in join(), they finish
  daemon false, join false: main's exit waits for them anyway
  daemon false, join true:  main waits in join(), they finish
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
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--daemon", type=parse_bool, default=True,
                        help="daemonic children: true/false")
    parser.add_argument("--join", type=parse_bool, default=False,
                        help="main joins the children: true/false")
    args = parser.parse_args()

    children = []
    for loops in (2, 3, 4):
        p = Process(target=count, args=(loops,))
        p.daemon = args.daemon  # must be set before start()
        p.start()
        children.append(p)

    # Main's own work: half a second, so the children are seen counting
    # before main's code can end.
    time.sleep(0.5)

    if args.join:
        for p in children:
            p.join()  # main blocks here until that child has ended

    print("main ends")
    # Now multiprocessing's exit handler runs: it terminates daemonic
    # children that are still alive and waits for the others.


if __name__ == "__main__":
    main()
