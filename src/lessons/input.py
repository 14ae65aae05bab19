"""The input lesson in asyncio: a line on standard input, raced against a deadline."""
import asyncio
import sys
import time

TIMEOUT_MS = 5000  # param: timeout-ms


async def next_line():
    """Ready when a line can be read: the loop watches standard input and
    calls back; no thread sits blocked in a read meanwhile. (Standard input
    must be a terminal or a pipe: the loop cannot watch a plain file. On
    Windows the event loops watch sockets only: run this under WSL there, or
    await asyncio.to_thread(sys.stdin.readline) instead.)"""
    loop = asyncio.get_running_loop()
    ready = loop.create_future()
    loop.add_reader(sys.stdin, lambda: ready.done() or ready.set_result(None))
    try:
        await ready
    finally:
        loop.remove_reader(sys.stdin)  # also when cancelled: stop watching
    line = sys.stdin.readline()
    if not line:
        raise EOFError("standard input ended before a line came")
    return repr(line.rstrip("\n"))


async def main():
    run = "a click, or the deadline"
    log(f"{run}: started")
    print(f"Press Enter within {TIMEOUT_MS} ms.", flush=True)
    line = asyncio.create_task(trace(run, "the next line on stdin", next_line()))
    deadline = asyncio.create_task(trace(run, f"asyncio.sleep({TIMEOUT_MS / 1000})", asyncio.sleep(TIMEOUT_MS / 1000)))
    done, pending = await asyncio.wait({line, deadline}, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()  # the loser: cancelled at the await where it waits
    await asyncio.gather(*pending, return_exceptions=True)
    if line in done and line.exception() is None:
        log("a line came: the deadline was cancelled")
    elif line in done:
        log(f"no line: {line.exception()}")
    else:
        log(f"no line within {TIMEOUT_MS} ms: the wait was cancelled")
    log(f"{run}: finished")
