"""Every code block in README.md runs as written, against a FakePaddle on 127.0.0.1.

Python blocks are of three kinds, told apart by their text, and each is run as a user would:
programs (ending in ``asyncio.run(main())``) run in a subprocess with PADDLE_API_KEY and
PADDLE_BASE_URL set to a FakePaddle the test started; pytest modules (``def test_...``) run in a
fresh pytest session under pytest-asyncio's strict and auto modes; FastAPI apps
(``app = FastAPI(...)``) are imported by a small driver that calls them through FastAPI's
TestClient. All of them must also pass ``ruff check`` with the project's rules (so no undefined
name or unused import). The ``paddle-async`` lines of the command-line block run against a
FakePaddle too.

The blocks are read with a small fence parser rather than pytest-examples: that library finds
Python blocks only, checks formatting with black where the project formats README blocks with
``ruff format`` (already a gate), and runs code in-process, while these blocks must run as
separate programs beside a FakePaddle served by the test's event loop.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from program_runs import (
    EXAMPLES,
    PYTEST_ARGS,
    PYTEST_INI,
    ROOT,
    WEBHOOK_SECRET,
    program_env,
    run_program,
    run_python,
    serving,
    unused_port,
)

from paddle_async import Paddle
from paddle_async.customers import ListCustomers
from paddle_async.testing import TEST_API_KEY, FakePaddle

pytest_plugins = ["pytester"]

README = ROOT / "README.md"
CI_SCRIPT = ROOT / ".ci" / "run"
# The customer id the command-line block uses; the test gives it to a customer of its fake.
README_CUSTOMER_ID = "ctm_01h8441jn5pcwrfhwh78jqt8hk"
# The address and business ids it uses; the test gives them to an address and a business of it.
README_ADDRESS_ID = "add_01hv8gq3318ktkfengj2r75gfx"
README_BUSINESS_ID = "biz_01hv8hkr641vmpwytx38znv56k"
# Command lines the test does not run as written, and why.
NOT_RUN = {
    "paddle-async demo": "run with a smaller size by test_cli.py::test_demo_runs (this one ~15 s)",
}


@attrs.frozen(kw_only=True)
class Block:
    """A fenced code block of the README."""

    language: str
    source: str
    line: int

    @property
    def kind(self) -> str:
        """Return how a Python block is run: program, pytest, app, or unknown."""
        if re.search(r"^asyncio\.run\(main\(\)\)$", self.source, re.M):
            return "program"
        if re.search(r"^(async )?def test_", self.source, re.M):
            return "pytest"
        if re.search(r"^app = FastAPI\(", self.source, re.M):
            return "app"
        return "unknown"


def read_blocks(text: str) -> Iterator[Block]:
    """Yield the fenced code blocks of a Markdown text, with the line each starts on."""
    lines = text.splitlines()
    start: int | None = None
    language = ""
    for number, line in enumerate(lines, start=1):
        if start is None and line.startswith("```"):
            start, language = number, line[3:].strip()
        elif start is not None and line == "```":
            yield Block(
                language=language,
                source="\n".join(lines[start : number - 1]) + "\n",
                line=start + 1,
            )
            start = None
    assert start is None, f"README.md: the block opened on line {start} is never closed"


BLOCKS = list(read_blocks(README.read_text(encoding="utf-8")))
PYTHON = [block for block in BLOCKS if block.language == "python"]


def python_blocks(kind: str) -> list[Any]:
    """Return the Python blocks of one kind, as pytest parameters named by their line."""
    return [pytest.param(b, id=f"line{b.line}") for b in PYTHON if b.kind == kind]


def block_with(text: str) -> Block:
    """Return the one Python block containing ``text``."""
    [block] = [block for block in PYTHON if text in block.source]
    return block


def test_every_block_has_a_language() -> None:
    """Each fence names its language, so that this test knows which blocks to run."""
    assert [] == [block.line for block in BLOCKS if block.language not in ("python", "sh")]


@pytest.mark.parametrize("block", [pytest.param(b, id=f"line{b.line}") for b in PYTHON])
def test_python_block_is_complete(block: Block) -> None:
    """Each Python block is a program, a test module or an app, and passes ruff check."""
    assert "unknown" != block.kind, "end the block with asyncio.run(main()), or make it a test"
    # Test modules follow the rules of examples/test_*.py; the name puts them under those.
    name = "examples/test_readme.py" if block.kind == "pytest" else "readme.py"
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--stdin-filename", name, "-"],
        input=block.source,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert (0, "") == (ruff.returncode, ruff.stderr), ruff.stdout


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A redis-server on a Unix socket in ``tmp_path`` (no TCP port), stopped afterwards."""
    executable = shutil.which("redis-server")
    if executable is None:
        reason = "redis-server is not installed (Debian: apt-get install redis-server)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must run the README's Redis block", pytrace=False)
        pytest.skip(reason)
    path = tmp_path / "redis.sock"
    command = [executable, "--port", "0", "--unixsocket", str(path), "--dir", str(tmp_path)]
    process = subprocess.Popen(
        [*command, "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not answers_ping(path):
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail("redis-server did not answer within 10 s")
            time.sleep(0.02)
        yield f"unix://{path}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def keep_budget_marker(url: str, source: str) -> None:
    """Make the fresh Redis look like one that has kept the block's budget for a while.

    A Redis that started less than a window ago cannot tell a lost window log from a new one,
    so a limiter's first use there waits one window (README, Redis); the block is about a Redis
    that has kept its budget, so the test writes the marker such a Redis would hold.
    """
    import redis

    match = re.search(r'key="([^"]+)"', source)
    assert match is not None, "the Redis block names no key="
    client = redis.Redis.from_url(url)
    try:
        run_id = client.info("server")["run_id"]
        client.set(f"{{{match[1]}}}:marker", run_id)
    finally:
        client.close()


def answers_ping(path: Path) -> bool:
    """Return whether a Redis server answers PING on the Unix socket ``path``."""
    try:
        with socket.socket(socket.AF_UNIX) as connection:
            connection.settimeout(0.5)
            connection.connect(str(path))
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.mark.parametrize("block", python_blocks("program"))
async def test_program_block_runs_against_fake_paddle(
    block: Block, tmp_path: Path, fake: FakePaddle, request: pytest.FixtureRequest
) -> None:
    """The program exits 0 with nothing on stderr, having sent its requests to the fake."""
    fake.seed(20)
    variables = {"PADDLE_API_KEY": fake.api_key, "PADDLE_BASE_URL": fake.base_url}
    if "REDIS_URL" in block.source:
        variables["REDIS_URL"] = request.getfixturevalue("redis_url")
        keep_budget_marker(variables["REDIS_URL"], block.source)
    program = tmp_path / "readme_program.py"
    program.write_text(block.source, encoding="utf-8")
    # A block that promises a second run works runs twice against the same account.
    runs = 2 if "a second run" in block.source else 1
    results = [
        await run_python(str(program), env=program_env(**variables), cwd=tmp_path)
        for _ in range(runs)
    ]
    assert [(0, "")] * runs == [(result.returncode, result.stderr) for result in results]
    assert fake.requests, "the program sent nothing to the fake"


APP_DRIVER = """
import json, os, sys
from fastapi.testclient import TestClient
import readme_app
with TestClient(readme_app.app) as client:
    response = client.get("/billing/customers/" + os.environ["CUSTOMER_ID"])
    print(json.dumps([response.status_code, response.json()]))
"""


async def test_fastapi_lifespan_block_serves_a_customer(tmp_path: Path, fake: FakePaddle) -> None:
    """The app's lifespan opens Paddle() from the environment; its route reads a customer."""
    [customer_id] = fake.seed(1)
    (tmp_path / "readme_app.py").write_text(block_with("lifespan=lifespan").source)
    (tmp_path / "driver.py").write_text(APP_DRIVER)
    env = program_env(
        PADDLE_API_KEY=fake.api_key, PADDLE_BASE_URL=fake.base_url, CUSTOMER_ID=customer_id
    )
    result = await run_python("driver.py", env=env, cwd=tmp_path)
    assert (0, "") == (result.returncode, result.stderr)
    assert [200, {"email": "customer0@example.com", "name": "Customer 0"}] == json.loads(
        result.stdout
    )


PORTAL_DRIVER = """
import json, os
from fastapi.testclient import TestClient
import readme_app
with TestClient(readme_app.app) as client:
    anonymous = client.get("/billing/manage", follow_redirects=False).status_code
    customer_id = os.environ["CUSTOMER_ID"]
    readme_app.app.dependency_overrides[readme_app.signed_in_customer_id] = lambda: customer_id
    response = client.get("/billing/manage", follow_redirects=False)
print(json.dumps([anonymous, response.status_code, response.headers.get("location")]))
"""


async def test_fastapi_manage_billing_block_redirects_to_the_portal(
    tmp_path: Path, fake: FakePaddle
) -> None:
    """ "Manage billing" refuses a visitor not signed in (401), and redirects a customer (303) to
    a fresh portal session's overview link."""
    [customer_id] = fake.seed(1)
    (tmp_path / "readme_app.py").write_text(block_with('@app.get("/billing/manage")').source)
    (tmp_path / "driver.py").write_text(PORTAL_DRIVER)
    env = program_env(
        PADDLE_API_KEY=fake.api_key, PADDLE_BASE_URL=fake.base_url, CUSTOMER_ID=customer_id
    )
    result = await run_python("driver.py", env=env, cwd=tmp_path)
    assert (0, "") == (result.returncode, result.stderr)
    anonymous, status, location = json.loads(result.stdout)
    assert (401, 303) == (anonymous, status)
    assert location.startswith("https://customer-portal.paddle.com/cpl_")
    assert "action=overview" in location
    assert [f"POST /customers/{customer_id}/portal-sessions"] == [
        f"{r.method} {r.path}" for r in fake.requests if r.method == "POST"
    ]


WEBHOOK_DRIVER = """
import json, os
from fastapi.testclient import TestClient
from paddle_async.testing import make_customer_event, sign
import readme_app
customer = json.loads(os.environ["CUSTOMER"])
body = make_customer_event("customer.created", customer)
secret = os.environ["PADDLE_WEBHOOK_SECRET"]
tries = [
    (body, sign(body, secret)),
    (body, sign(body, "pdl_ntfset_01not_the_secret")),
    (b"not a notification", sign(b"not a notification", secret)),
]
with TestClient(readme_app.app) as client:
    statuses = [
        client.post("/paddle/webhooks", content=b, headers={"Paddle-Signature": s}).status_code
        for b, s in tries
    ]
print(json.dumps([statuses, sorted(readme_app.store)]))
"""


async def test_fastapi_webhook_block_verifies_and_stores(tmp_path: Path, fake: FakePaddle) -> None:
    """The handler stores a signed event (200), refuses forged (401) and unreadable (400) ones."""
    [customer_id] = fake.seed(1)
    (tmp_path / "readme_app.py").write_text(block_with('@app.post("/paddle/webhooks")').source)
    (tmp_path / "driver.py").write_text(WEBHOOK_DRIVER)
    env = program_env(
        PADDLE_WEBHOOK_SECRET=WEBHOOK_SECRET, CUSTOMER=json.dumps(fake.customer(customer_id))
    )
    result = await run_python("driver.py", env=env, cwd=tmp_path)
    assert (0, "") == (result.returncode, result.stderr)
    assert [[200, 401, 400], [customer_id]] == json.loads(result.stdout)


@pytest.mark.parametrize("mode", ["strict", "auto"])
def test_pytest_blocks_pass(mode: str, pytester: pytest.Pytester) -> None:
    """The README's test modules pass in a fresh session, in strict and in auto mode."""
    blocks = [block for block in PYTHON if block.kind == "pytest"]
    assert blocks, "the README shows no test module"
    pytester.makeini(PYTEST_INI)
    pytester.makepyfile(**{f"test_readme_line{block.line}": block.source for block in blocks})
    result = pytester.runpytest_subprocess(*PYTEST_ARGS, "-o", f"asyncio_mode={mode}")
    tests = sum(len(re.findall(r"^(?:async )?def test_", block.source, re.M)) for block in blocks)
    result.assert_outcomes(passed=tests)


def cli_lines() -> list[str]:
    """Return the ``paddle-async`` command lines of the README, comments removed."""
    return [
        line.split("  #")[0].strip()
        for block in BLOCKS
        if block.language == "sh"
        for line in block.source.splitlines()
        if line.startswith("paddle-async ")
    ]


async def test_command_line_block_runs_against_fake_paddle(
    tmp_path: Path, fake: FakePaddle
) -> None:
    """Each paddle-async line exits 0 against a fake given by PADDLE_API_KEY/PADDLE_BASE_URL."""
    executable = Path(sys.executable).with_name("paddle-async")
    [customer_id] = fake.seed(1)
    ids = {
        README_CUSTOMER_ID: customer_id,
        README_ADDRESS_ID: fake.add_address(customer_id, city="Paris", country_code="FR")["id"],
        README_BUSINESS_ID: fake.add_business(customer_id, name="Uplift Inc.")["id"],
    }
    (tmp_path / "customers.csv").write_text(
        "email,name\nada@example.com,Ada Lovelace\ngrace@example.com,Grace Hopper\n"
    )
    env = program_env(PADDLE_API_KEY=fake.api_key, PADDLE_BASE_URL=fake.base_url)
    lines = cli_lines()
    assert "paddle-async customers list --status active,archived --format csv" in lines
    failures = []
    for line in lines:
        if line in NOT_RUN:
            continue
        command = line
        for readme_id, real_id in ids.items():
            command = command.replace(readme_id, real_id)
        args = shlex.split(command)[1:]
        if args[0] == "fake-server":
            port = unused_port()
            args[args.index("--port") + 1] = str(port)
            async with (
                serving(str(executable), *args, port=port, env=env, cwd=tmp_path),
                Paddle(
                    TEST_API_KEY, base_url=f"http://127.0.0.1:{port}", rate_limit=None
                ) as paddle,
            ):
                page = await anext(aiter(paddle.customers.list(ListCustomers(per_page=1)).pages()))
            assert int(args[args.index("--seed") + 1]) == page.estimated_total
            continue
        result = await run_program(str(executable), *args, env=env, cwd=tmp_path)
        if result.returncode != 0:
            failures.append(f"{line}: exit {result.returncode}: {result.stderr.strip()}")
    assert [] == failures
    assert fake.find_by_email("grace@example.com") is not None  # the import was applied
    assert 3 == len((tmp_path / "all.jsonl").read_text().splitlines())  # and exported
    cleared, created = fake.addresses(customer_id)  # oldest first: the seeded one
    assert (None, "US") == (cleared["city"], created["country_code"])
    assert 2 == len(fake.businesses(customer_id))


# The README's blocks for addresses, businesses and saved payment methods, by a line of each.
CUSTOMER_AREA_BLOCKS = (
    "address = await paddle.addresses.create(",
    "business = await paddle.businesses.create(",
    "async for method in paddle.payment_methods.list(customer.id, offered):",
)


async def test_customer_area_blocks_print_against_a_seeded_fake_server(tmp_path: Path) -> None:
    """Run by hand as the README says, against `paddle-async fake-server --seed 100`, the blocks
    for addresses, businesses and saved payment methods each print what they find: the server
    seeds a card for every other customer, so the payment methods block prints 50 of them."""
    executable = str(Path(sys.executable).with_name("paddle-async"))
    port = unused_port()
    server = (executable, "fake-server", "--port", str(port), "--seed", "100")
    env = program_env(PADDLE_API_KEY=TEST_API_KEY, PADDLE_BASE_URL=f"http://127.0.0.1:{port}")
    results = []
    async with serving(*server, port=port, env=program_env(), cwd=tmp_path):
        for text in CUSTOMER_AREA_BLOCKS:
            (tmp_path / "block.py").write_text(block_with(text).source, encoding="utf-8")
            results.append(await run_python("block.py", env=env, cwd=tmp_path))
    assert [(0, "")] * 3 == [(result.returncode, result.stderr) for result in results]
    addresses, businesses, cards = (result.stdout.splitlines() for result in results)
    assert (1, 1, 50) == (len(addresses), len(businesses), len(cards))
    assert all(re.fullmatch(r"customer\d+@example\.com \S+ \d{4} 20\d\d", c) for c in cards)


def test_the_readme_test_command_is_what_ci_runs() -> None:
    """The set-up section's test command is the one .ci/run runs, character for character."""
    setup = [block for block in BLOCKS if block.language == "sh"][:2]
    demo, tests = (block.source.strip() for block in setup)
    assert demo.endswith("pip install '.[cli]' && paddle-async demo")
    assert tests in CI_SCRIPT.read_text(encoding="utf-8").splitlines()


def test_every_example_is_named_in_the_readme() -> None:
    """The README points to each file in examples/."""
    text = README.read_text(encoding="utf-8")
    files = sorted(path.name for path in EXAMPLES.iterdir() if path.suffix == ".py")
    assert [] == [name for name in files if f"examples/{name}" not in text]
