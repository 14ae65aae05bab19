"""The blocking lesson in asyncio: the same wait with time.sleep and with await."""
import asyncio
import itertools
import time

DELAY_MS = 1500  # param: delay-ms


async def blocking_wait():
    time.sleep(DELAY_MS / 1000)  # holds the thread: the event loop cannot run anything


async def awaited_wait():
    await asyncio.sleep(DELAY_MS / 1000)  # the event loop is free meanwhile


async def ticker(ticks):
    """Ticks every 10 ms, like the page's animation frames, noting when."""
    while True:
        await asyncio.sleep(0.01)
        ticks.append(time.perf_counter())


async def measured(run, label, coro):
    """Runs one way of waiting while the ticker ticks; prints its longest gap."""
    ticks = [time.perf_counter()]
    tick = asyncio.create_task(ticker(ticks))
    await asyncio.sleep(0)  # let the ticker start
    log(f"{run}: started")
    await trace(run, label, coro)
    tick.cancel()
    ticks.append(time.perf_counter())
    gap = max(b - a for a, b in itertools.pairwise(ticks)) * 1000
    log(f"longest gap between ticks: {gap:.0f} ms")
    log(f"{run}: finished")


async def main():
    await measured("blocking", "time.sleep()", blocking_wait())
    await measured("async", "await asyncio.sleep()", awaited_wait())


# How this twin reports what happens: one line per event, stamped with the
# milliseconds since the start, as the Rust widget's log is.
START = time.perf_counter()


def log(line):
    """Prints `line` after the milliseconds since the program started."""
    print(f"[{(time.perf_counter() - START) * 1000:5.0f} ms] {line}", flush=True)


async def trace(run, label, coro):
    """Awaits `coro` and prints how it ended, like run.trace(label, future) in the Rust."""
    try:
        result = await coro
    except asyncio.CancelledError:
        log(f"{run}: {label} cancelled")
        raise
    except Exception as error:
        log(f"{run}: {label} error: {str(error) or repr(error)}")
        raise
    log(f"{run}: {label} done" + ("" if result is None else f": {result}"))
    return result


if __name__ == "__main__":
    asyncio.run(main())
