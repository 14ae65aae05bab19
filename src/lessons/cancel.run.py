

if __name__ == "__main__":
    try:
        # Ctrl+C cancels main(): CancelledError is raised at every await in flight,
        # where a task could still catch it and await some cleanup. A Rust drop
        # cannot: it runs the destructors at once and awaits nothing.
        asyncio.run(main())
    except KeyboardInterrupt:
        log("cancelled by Ctrl+C")
