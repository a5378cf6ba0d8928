"""Pool.map over N items of trivial work (the shim's best case: events per chunk).

    pool_map.py N [CHUNKSIZE]

CHUNKSIZE left out means Pool.map's own choice; 1 is the worst case for
events (one job, so one set of events, per item).
"""
import sys
from multiprocessing import Pool


def f(x):
    return x + 1


if __name__ == "__main__":
    n = int(sys.argv[1])
    chunksize = int(sys.argv[2]) if len(sys.argv) > 2 else None
    with Pool(2) as pool:
        total = sum(pool.map(f, range(n), chunksize))
    print(total)
