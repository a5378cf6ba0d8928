"""Pool.map over N items of trivial work (the shim's best case: events per chunk)."""
import sys
from multiprocessing import Pool


def f(x):
    return x + 1


if __name__ == "__main__":
    n = int(sys.argv[1])
    with Pool(2) as pool:
        total = sum(pool.map(f, range(n)))
    print(total)
