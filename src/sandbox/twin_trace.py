

# The tracing of the parity test: each future the Rust program writes is
# made through _t(i, ...), which notes how it ends.
import json as _json

_T0 = None
_TASKS = []
_MADE = []


def _t(i, awaitable):
    record = [_LABELS[i], "pending"]
    _TASKS.append(record)
    _MADE.append(awaitable)
    return _traced(record, awaitable)


async def _traced(record, awaitable):
    record[1] = "running"
    try:
        value = await awaitable
    except asyncio.CancelledError:
        record[1] = "cancelled"
        raise
    except BaseException:
        record[1] = "error"
        raise
    record[1] = "error" if isinstance(value, BaseException) else "done"
    return value


async def _main():
    global _T0
    _T0 = time.monotonic()
    error = None
    try:
        await run_program()
    except Exception as failure:
        error = repr(failure)
    total = (time.monotonic() - _T0) * 1000
    for _ in range(5):
        await asyncio.sleep(0)  # cancellations asked for land
    for made in _MADE:
        if asyncio.iscoroutine(made):
            made.close()  # never awaited: closed quietly, as the Rust drops it
    print(_json.dumps({"totalMs": total, "tasks": _TASKS, "error": error}))


if __name__ == "__main__":
    asyncio.run(_main())
