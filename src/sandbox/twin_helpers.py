

# What the Rust prelude's names are in asyncio. Each makes a coroutine: like
# a Rust future, it runs nothing until it is awaited.

async def sleep(ms):
    await asyncio.sleep(ms / 1000)


async def fetch(url):
    """The body of `url` (relative to the widget's folder, BASE), or an error."""
    url = urljoin(BASE, url)
    scheme = url.split(":")[0].lower()
    if scheme not in ("http", "https", "data", "blob"):
        reason = f"the scheme “{scheme}:” is not one fetch can load (use http, https, data or blob)"
        raise Failure(f"“{url}” is not a URL that can be fetched: {reason}.", f"InvalidUrl {{ url: {quoted(url)}, reason: {quoted(reason)} }}")
    if scheme == "data":  # aiohttp has no data: URLs; the standard library has
        with urllib.request.urlopen(url) as response:
            return response.read().decode("utf-8", "replace")
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(url) as response:
                status, reason = response.status, response.reason or ""
                if not 200 <= status < 300:
                    raise Failure(
                        f"{url} answered HTTP {status} {reason}: the download failed.",
                        f"Http {{ url: {quoted(url)}, status: {status}, status_text: {quoted(reason)}, hint: \"\" }}",
                    )
                return await response.text()
    except aiohttp.ClientError as error:
        raise Failure(
            f"Could not reach {url}: {error}.", f"Network {{ url: {quoted(url)}, detail: {quoted(str(error))} }}"
        ) from error


async def click():
    """The next line typed on standard input (the widget's "Click me" button).
    loop.add_reader does not work on Windows' default event loop: there, run
    the twin under WSL, or replace this with `await asyncio.sleep(1)`."""
    loop = asyncio.get_running_loop()
    line = loop.create_future()
    loop.add_reader(sys.stdin, lambda: line.done() or line.set_result(sys.stdin.readline()))
    try:
        await line
    finally:
        loop.remove_reader(sys.stdin)


async def block(ms):
    time.sleep(ms / 1000)  # never awaits: the event loop is held, as the Rust's busy loop holds the page


class Failure(Exception):
    """An error of the Rust prelude's Error: str() is the Rust's sentence
    (`{}`), .rust what the Rust's `{:?}` writes, e.g. Program("why")."""

    def __init__(self, sentence, rust=None):
        super().__init__(sentence)
        self.rust = rust or f"Program({quoted(sentence)})"


ESCAPES = {"\0": "\\0", "\t": "\\t", "\r": "\\r", "\n": "\\n", "\\": "\\\\", '"': '\\"'}
NOT_PRINTED = {"Cc", "Cf", "Zs", "Zl", "Zp", "Co", "Cn", "Mn", "Me"}


def quoted(text):
    """`text` as Rust's Debug writes a string: in double quotes, with \\0 \\t
    \\r \\n \\\\ \\" and \\u{…} for a character that does not print (a control,
    a format or combining one, a space other than " ")."""

    def one(c):
        if c in ESCAPES:
            return ESCAPES[c]
        if c != " " and unicodedata.category(c) in NOT_PRINTED:
            return f"\\u{{{ord(c):x}}}"
        return c

    return '"' + "".join(map(one, text)) + '"'


async def fail(why):
    raise Failure(why)


async def ready(value):
    return value


async def settle(coroutine):
    """Awaits `coroutine`; an error of the prelude's becomes its value, as a
    Rust Result's Err. Anything else raised (the Rust would panic: an
    overflow, a division by zero) goes on up and ends the program."""
    try:
        return await coroutine
    except Failure as error:
        return error


def check(value):
    """The Rust's `?`: an error raises, a value passes."""
    if isinstance(value, BaseException):
        raise value
    if isinstance(value, Err):
        return value.error  # the inner Result, now an error as a value
    return value


class Err:
    """Ok(Err(e)), a Result inside a Result (a timeout around a download
    that failed in time): a value, so that only the outer Err counts as an
    error; a `?` takes the inner Result out, and a second `?` raises it."""

    def __init__(self, error):
        self.error = error


async def inner(coroutine):
    """Awaits `coroutine`; its error becomes an Err value (see Err)."""
    found = await settle(coroutine)
    return Err(found) if isinstance(found, BaseException) else found


def sub(a, b):
    """a - b for the Rust's u64, which has no number below 0."""
    if b > a:
        raise OverflowError("attempt to subtract with overflow")
    return a - b


def debug(value, rust_type="_"):
    """`{:?}`: the value as Rust's Debug writes it. `rust_type` is its Rust
    type, as rustc writes it, where the value alone does not tell: an Ok is
    the bare value here, a tuple may be a list, an error an exception."""
    return show(value, parse_type(rust_type))


def show(value, rust_type):
    name, args = rust_type
    if name == "Result":
        if isinstance(value, BaseException):
            return f"Err({show(value, ('Error', []))})"
        if isinstance(value, Err) and args[0][0] != "Result":
            return f"Err({show(value.error, ('Error', []))})"
        return f"Ok({show(value, args[0])})"
    if name == "()" and args:
        items = ", ".join(show(v, t) for v, t in zip(value, args))
        return f"({items}{',' if len(args) == 1 else ''})"
    if name in ("Vec", "[]"):
        return "[" + ", ".join(show(v, args[0]) for v in value) + "]"
    if name == "&":
        return show(value, args[0])
    if isinstance(value, str):
        return quoted(value)
    if value is None:
        return "()"
    if isinstance(value, (list, tuple)):
        items = ", ".join(show(v, ("_", [])) for v in value)
        return f"[{items}]" if isinstance(value, list) else f"({items}{',' if len(value) == 1 else ''})"
    if isinstance(value, Err):
        return f"Ok(Err({show(value.error, ('Error', []))}))"
    if isinstance(value, Failure):
        return value.rust
    if isinstance(value, BaseException):
        return f"{type(value).__name__}({quoted(str(value))})"
    return repr(value)


def parse_type(text):
    """A Rust type as rustc writes it ("Result<(u64, String), Error>") as
    (name, [its type arguments]); a tuple is named "()", an array "[]"."""
    tokens = re.findall(r"\w+|\S", text)
    at = 0

    def items(close):
        nonlocal at
        found = []
        while at < len(tokens) and tokens[at] != close:
            found.append(one())
            if at < len(tokens) and tokens[at] == ",":
                at += 1
        at += 1
        return found

    def one():
        nonlocal at
        token = tokens[at]
        at += 1
        if token == "&":
            return ("&", [one()])
        if token == "(":
            return ("()", items(")"))
        if token == "[":
            item = one()
            at += 3  # "; _ ]"
            return ("[]", [item])
        if at < len(tokens) and tokens[at] == "<":
            at += 1
            return (token, items(">"))
        return (token, [])

    return one()


async def join_all(coroutines):
    """join_all: all at once (gather), every result kept, an error as its value."""
    return list(await asyncio.gather(*map(settle, coroutines)))


async def try_join(*coroutines):
    """try_join!: all at once in a TaskGroup; the first error (raised, or
    held as a value as timeout's is) cancels the others."""

    async def checked(coroutine):
        return check(await coroutine)

    failure = None
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(checked(c)) for c in coroutines]
    except* Failure as errors:
        failure = errors.exceptions[0]
    if failure is not None:
        return failure
    return tuple(task.result() for task in tasks)


async def try_join_all(coroutines):
    found = await try_join(*coroutines)
    return found if isinstance(found, BaseException) else list(found)


async def select(a, b):
    """select: the first of the two to finish, and the other, still running.
    Not quite the Rust's, twice over: futures' select polls `a` first and
    polls `b` only if `a` is not ready at once, but here both tasks start
    together (a `b` that never ran in the Rust runs a step here); and a Rust
    loser waits un-polled until it is dropped, while this task runs on until
    drop() cancels it."""
    first, second = asyncio.ensure_future(a), asyncio.ensure_future(b)
    done, _ = await asyncio.wait({first, second}, return_when=asyncio.FIRST_COMPLETED)
    if first in done:
        return ("left", await settle(first), second)
    return ("right", await settle(second), first)


async def select_all(coroutines):
    """select_all: the first to finish, its index, and the others, still running."""
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    winner = next(t for t in tasks if t in done)
    index = tasks.index(winner)
    return (await settle(winner), index, tasks[:index] + tasks[index + 1:])


async def buffer_unordered(k, coroutines):
    """At most k running at once (a Semaphore); the results in the order they finish."""
    if k < 1:
        raise ValueError("buffer_unordered(0, …) would never start one")
    semaphore = asyncio.Semaphore(k)
    results = []

    async def one(coroutine):
        async with semaphore:
            results.append(await settle(coroutine))

    await asyncio.gather(*(one(c) for c in coroutines))
    return results


async def timeout(ms, coroutine):
    """A deadline from its first await: the result, or the TimedOut error as the value."""
    try:
        async with asyncio.timeout(ms / 1000):
            return await coroutine
    except TimeoutError:
        return Failure(f"Timed out after {ms} ms; the request was cancelled.", f"TimedOut {{ after_ms: {ms} }}")


async def retry(attempts, make):
    """Up to `attempts` tries, each a new coroutine from make(); the first success wins."""
    error = Failure("retry(0, …) made no attempt")
    for _ in range(attempts):
        found = await settle(make())
        if not isinstance(found, BaseException):
            return found
        error = found
    return error


SPAWNED = set()


def spawn_local(coroutine):
    """A task of its own, that nothing awaits."""
    task = asyncio.create_task(settle(coroutine))
    SPAWNED.add(task)
    task.add_done_callback(SPAWNED.discard)


async def spawned_tasks():
    """asyncio.run cancels the tasks still running when main() returns; the
    browser's executor runs a spawned Rust task to its end. So the twin
    waits for them."""
    while SPAWNED:
        await asyncio.gather(*SPAWNED)


def drop(value):
    """The Rust drops a future: a coroutine never awaited is closed (it never
    ran), a task still running is cancelled; so inside tuples and lists."""
    if asyncio.iscoroutine(value):
        value.close()
    elif isinstance(value, asyncio.Future):
        value.cancel()
    elif isinstance(value, (tuple, list)):
        for item in value:
            drop(item)


async def run_program():
    """main(), then the tasks it spawned, even where main() ended with an
    error: the page's executor runs a spawned task to its end."""
    try:
        await main()
    finally:
        await spawned_tasks()


if __name__ == "__main__":
    try:
        asyncio.run(run_program())
    except Failure as error:  # as the Rust's run ends, with its sentence
        sys.exit(f"The program ended with an error that a `?` passed on: {error}")
