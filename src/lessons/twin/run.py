

if __name__ == "__main__":
    asyncio.run(main())
