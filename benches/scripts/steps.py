"""One child does N rounds of: lock acquire, lock release, queue put, queue
get, a Manager dict read and write. Under step mode each is one step."""
import multiprocessing as mp
import sys


def work(lock, q, d, rounds):
    for i in range(rounds):
        lock.acquire()
        lock.release()
        q.put(i)
        q.get()
        d["n"] = d["n"] + 1


if __name__ == "__main__":
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    with mp.Manager() as m:
        d = m.dict(n=0)
        p = mp.Process(target=work, args=(mp.Lock(), mp.Queue(), d, rounds))
        p.start()
        p.join()
