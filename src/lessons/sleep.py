"""The sleep lesson in asyncio: an awaited sleep hands the thread back to the loop."""
import asyncio
import time

DELAY_MS = 2000  # param: delay-ms


async def say_hello():
    log("Hello")
    await asyncio.sleep(DELAY_MS / 1000)  # the event loop runs other work until the timer fires
    log("World")


async def ticker():
    """The widget's moving dot: a tick every quarter second, printed only
    because the loop is free while say_hello() waits."""
    while True:
        await asyncio.sleep(0.25)
        print("  tick", flush=True)


async def main():
    ticking = asyncio.create_task(ticker())
    run = "say_hello"
    log(f"{run}: started")
    await trace(run, "say_hello()", say_hello())
    log(f"{run}: finished")
    ticking.cancel()


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
