"""A Lock acquired and released N times (the shim's worst case: 2 events each)."""
import sys
from multiprocessing import Lock

if __name__ == "__main__":
    lock = Lock()
    for _ in range(int(sys.argv[1])):
        with lock:
            pass
    print("done")
