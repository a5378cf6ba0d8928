"""A small multiprocessing program to watch: a Pool maps over items while a
Lock keeps the workers' reports whole. Run it under forklore:

    forklore run examples/pool_demo.py
"""
import os
import time
from multiprocessing import Lock, Pool

lock = None


def init(shared_lock):
    global lock
    lock = shared_lock


def work(item):
    time.sleep(0.02)
    if item % 25 == 0:
        with lock:
            print("Pid: %d finished item %d" % (os.getpid(), item))
    return item * item


if __name__ == "__main__":
    shared = Lock()
    with Pool(3, initializer=init, initargs=(shared,)) as pool:
        squares = pool.map(work, range(200))
    print("sum of squares:", sum(squares))
