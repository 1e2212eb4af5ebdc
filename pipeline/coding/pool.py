"""Items → their results, worked in processes that may die (killed, out of memory), in the items' order.

Each worker process ("lane") works one item at a time over a socket pair whose other end only it holds,
so a worker's death shows at once as the end of its pipe, and the item it died on is known exactly.
That item is tried once more in a fresh process; a second death gives `give_up(item)` as its result.
The other lanes go on meanwhile, and at most `AHEAD` items per worker run or wait to be yielded, so
memory stays flat however many items there are.
"""

from __future__ import annotations

import multiprocessing
import signal
import traceback
from collections import deque
from multiprocessing.connection import wait

AHEAD = 4             # items per worker coded, or waiting for an earlier one, before the next is yielded
TRIES = 2             # deaths of the process working an item before it is given up


class _Lane:
    """One worker process and the parent's end of its socket pair; `index`: the item it works, or None."""

    def __init__(self, context, work, start, start_args, others):
        self.conn, theirs = context.Pipe()
        others = [] if others is None else [*others, self.conn]     # forked: the parent's ends, to close
        self.process = context.Process(target=_serve, args=(theirs, others, work, start, start_args),
                                       daemon=True)
        self.process.start()
        theirs.close()              # only the worker holds its end: its death is the end of the pipe
        self.index = None

    def give(self, index, item) -> None:
        self.index = index
        try:
            self.conn.send(item)
        except OSError:             # died while idle: `in_processes` sees its pipe end
            pass

    def stop(self, kill: bool = False) -> None:
        if not kill:
            try:
                self.conn.send(None)
            except OSError:
                pass
            self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def _serve(conn, others, work, start, start_args) -> None:
    """A worker's loop: work each item received and send back (True, result) or (False, traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)       # Ctrl-C is the parent's to handle: it stops the lanes
    for other in others:        # so that the parent's death ends the pipe here too
        other.close()
    try:
        start(*start_args)
        failed = None
    except Exception:           # each item then fails with it (not a death, which would be tried again)
        failed = traceback.format_exc()
    while True:
        try:
            item = conn.recv()
        except (EOFError, OSError):
            return
        if item is None:
            return
        try:
            reply = (False, failed) if failed else (True, work(item))
        except Exception:
            reply = (False, traceback.format_exc())
        conn.send(reply)


def in_processes(items, work, start, start_args, workers: int, give_up):
    """Yield `work(item)` of each item in order, worked in up to `workers` processes, each begun with
    `start(*start_args)`; an item whose process dies `TRIES` times yields `give_up(item)` instead."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    lanes: list[_Lane] = []
    retries: deque[int] = deque()
    deaths: dict[int, int] = {}
    ready: dict = {}                # index → result, until the items before it are yielded
    next_new = next_out = 0

    def new_lane() -> _Lane:
        others = [lane.conn for lane in lanes] if method == "fork" else None
        lanes.append(_Lane(context, work, start, start_args, others))
        return lanes[-1]

    try:
        while next_out < len(items):
            idle = [lane for lane in lanes if lane.index is None]
            while retries:                      # a retry always goes to a fresh process
                if len(lanes) >= workers:
                    if not idle:
                        break
                    retired = idle.pop()
                    lanes.remove(retired)
                    retired.stop()
                index = retries.popleft()
                new_lane().give(index, items[index])
            while next_new < min(len(items), next_out + AHEAD * workers) and (idle or len(lanes) < workers):
                (idle.pop() if idle else new_lane()).give(next_new, items[next_new])
                next_new += 1
            busy = {lane.conn: lane for lane in lanes if lane.index is not None}
            for conn in wait(list(busy)):
                lane = busy[conn]
                index, lane.index = lane.index, None
                try:
                    ok, value = conn.recv()
                except (EOFError, OSError):     # the worker died with the item
                    lanes.remove(lane)
                    lane.stop(kill=True)
                    deaths[index] = deaths.get(index, 0) + 1
                    if deaths[index] >= TRIES:
                        ready[index] = give_up(items[index])
                    else:
                        retries.append(index)
                    continue
                if not ok:
                    raise RuntimeError(f"a worker process failed on {items[index]!r}:\n{value}")
                ready[index] = value
            while next_out in ready:
                yield ready.pop(next_out)
                next_out += 1
    finally:
        for lane in lanes:
            lane.stop(kill=lane.index is not None)
