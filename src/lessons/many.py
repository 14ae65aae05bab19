"""The many lesson in asyncio: a thousand timers at once, on one thread."""
import asyncio
import time

TASKS = 1000  # param: tasks
DELAY_MS = 1000  # param: delay-ms


def wave(i):
    """Ten waves of finishing times, in seconds: DELAY_MS / 10, 2 * DELAY_MS / 10, ..."""
    return DELAY_MS // 10 * (i % 10 + 1) / 1000


async def timers(run, n, count=False):
    log(f"{run}: started")
    # gather wraps every coroutine in a Task of its own, and the event loop
    # runs only the Tasks whose timer fired: like FuturesUnordered, at any n.
    done = await asyncio.gather(*(trace(run, f"timer {i}", asyncio.sleep(wave(i))) for i in range(n)))
    if count:
        log(f"{len(done)} timers done, on one thread")
    log(f"{run}: finished")


async def main():
    await timers("join_all of 10", 10)
    await timers(f"FuturesUnordered of {TASKS}", TASKS, count=True)


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
