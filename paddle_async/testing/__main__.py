"""Run a `FakePaddle` until interrupted: `python -m paddle_async.testing --port 8080 --seed 100`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from ._fake import FakePaddle


async def _serve(host: str, port: int, seed: int) -> None:
    async with FakePaddle(host=host, port=port) as fake:
        fake.seed(seed, customer_area=True)
        # Only the fake test key is printed: it is public and accepted by nothing real.
        print(f"FakePaddle listening on {fake.base_url}", flush=True)
        print(f"API key: {fake.api_key}", flush=True)
        area = ", with addresses, businesses and saved payment methods" if seed else ""
        print(f"Seeded {seed} customers{area}. Press Ctrl-C to stop.", flush=True)
        stop = asyncio.Event()
        # SIGTERM (what process managers send) stops as cleanly as Ctrl-C does.
        with contextlib.suppress(NotImplementedError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve until Ctrl-C.

    Args:
        argv: The arguments; None reads `sys.argv`.
    """
    parser = argparse.ArgumentParser(
        prog="python -m paddle_async.testing",
        description="Serve a fake Paddle customer area for local development and tests.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on (0: any free)")
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="customers to create at start, with addresses, businesses and payment methods",
    )
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.host, args.port, args.seed))


if __name__ == "__main__":
    main()
