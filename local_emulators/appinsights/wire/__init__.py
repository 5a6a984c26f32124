"""The HTTP side of the App Insights emulator: routes over aiohttp, and the server's lifetime."""
