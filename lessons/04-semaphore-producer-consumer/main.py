"""Semaphores count the free and the full slots of a buffer.

empty = free slots (starts at --slots), full = slots holding an item
(starts at 0). A producer waits in empty.acquire() when no slot is free,
a consumer waits in full.acquire() when nothing is there. So the buffer
never holds more than --slots items, though the Queue could hold 10.
"""
import argparse
import os
import time
from multiprocessing import Lock, Process, Queue, Semaphore


def producer(number, buffer, empty, full, lock, pace):
    pid = os.getpid()
    count = 0
    while True:
        item = "p%d-%d" % (number, count)
        empty.acquire()   # take a free slot (wait here if none is left)
        with lock:        # one process at a time touches the buffer
            buffer.put(item)
            print("Pid:", pid, "produced", item)
        full.release()    # one more slot holds an item
        count += 1
        time.sleep(pace)


def consumer(number, buffer, empty, full, lock, pace):
    pid = os.getpid()
    while True:
        full.acquire()    # take a full slot (wait here if there is none)
        with lock:
            item = buffer.get()
            print("Pid:", pid, "consumed", item)
        empty.release()   # that slot is free again
        time.sleep(pace)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--producers", type=int, default=1,
                        help="producer processes (1..8)")
    parser.add_argument("--consumers", type=int, default=1,
                        help="consumer processes (1..8)")
    parser.add_argument("--slots", type=int, default=2,
                        help="buffer slots = start value of empty (1..10)")
    parser.add_argument("--seconds", type=int, default=8,
                        help="how long main lets them run (1..120)")
    parser.add_argument("--pace_ms", type=int, default=300,
                        help="pause after each item, in ms (0..5000)")
    args = parser.parse_args()

    buffer = Queue(10)             # room for 10, `empty` allows --slots
    empty = Semaphore(args.slots)  # free slots
    full = Semaphore(0)            # full slots
    lock = Lock()
    shared = (buffer, empty, full, lock)

    # Paces differ a little per process, and consumers are slower than
    # producers, so the buffer fills up and somebody really has to wait.
    pace = args.pace_ms / 1000
    procs = []
    for i in range(args.producers):
        mine = pace * (1 + 0.15 * i)
        procs.append(Process(target=producer,
                             args=(i,) + shared + (mine,)))
    for j in range(args.consumers):
        mine = pace * (1.5 + 0.15 * j)
        procs.append(Process(target=consumer,
                             args=(j,) + shared + (mine,)))

    for p in procs:
        p.daemon = True  # daemonic: stopped when main's code ends
        p.start()

    time.sleep(args.seconds)
    # The loops never stop by themselves: once main's code is over,
    # multiprocessing terminates its daemonic children.
    print("main ends after", args.seconds, "seconds")


if __name__ == "__main__":
    main()
