"""N processes each send M small events as fast as the socket takes them."""
import os
import socket
import sys
from multiprocessing import Process


def flood(m):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.connect(os.environ["FORKLORE_SOCK"])
    pid = os.getpid()
    for k in range(m):
        s.send(b'{"kind":"line","pid":%d,"t":%d,"file":"flood.py","line":%d}' % (pid, k, k % 100))


if __name__ == "__main__":
    senders, m = int(sys.argv[1]), int(sys.argv[2])
    procs = [Process(target=flood, args=(m,)) for _ in range(senders)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
