

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
