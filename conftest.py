"""Fixtures every area's tests share: the demo data, named users per role, the browser."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent / "test-artifacts"
SEED = Path(os.environ.get("XIEZUO_SEED", "")) if os.environ.get("XIEZUO_SEED") else (
    Path(__file__).resolve().parent.parent / "shared" / "seeds" / "000_5ab94cb00a92301b.txt"
)


@pytest.fixture
def base_orgs(db):  # type: ignore[no-untyped-def]
    from xiezuo.orgunits.services import orgunits_load_base

    orgunits_load_base()


@pytest.fixture
def demo(db):  # type: ignore[no-untyped-def]
    """The 会宁县 demo: org units, pairing, published 2023 (and 2022) values, demo accounts."""
    from xiezuo.demo.services import demo_load

    # Without the year's register histories and snapshots; `demo_with_progress` loads them too.
    return demo_load(progress=False)


@pytest.fixture
def demo_with_progress(db):  # type: ignore[no-untyped-def]
    """The whole demo, as `xiezuo init --demo` loads it: periods, project registers and snapshots too."""
    from xiezuo.demo.services import demo_load

    return demo_load()


@pytest.fixture
def huining(demo):  # type: ignore[no-untyped-def]
    from xiezuo.orgunits.models import OrgUnit

    return OrgUnit.objects.get(code="620422")


@pytest.fixture
def seed_text() -> str:
    """The source document: 会宁县's 2023 self-evaluation report (in ../shared beside the clone)."""
    if not SEED.exists():
        pytest.skip(f"seed document not found at {SEED}")
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):  # type: ignore[no-untyped-def]
    """Debian's chromium, never a downloaded browser (the machine has no internet)."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    return {
        **browser_type_launch_args,
        "executable_path": path,
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        ],
    }


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    """Browser tests last: Playwright's sync API leaves an event loop running in the main thread,
    and database fixtures of later, ordinary tests would then refuse to run."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


# Reported by Chromium for every Content-Security-Policy violation; the init script turns the
# DOM event into a console line too, so nothing the page does escapes the listener.
CSP_RECORDER = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
                + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.fixture(autouse=True)
def _fresh_cache(request, django_db_blocker):  # type: ignore[no-untyped-def]
    """Every test starts with an empty cache: a rolled-back database repeats version stamps, so a
    page cached in one test must not answer in the next.

    A database cache (the login counters, CACHES["limits"]) is a table of the test database: a
    test's rollback empties it, but the flush after a transactional test leaves tables of no model
    alone, so it is emptied here after such a test — when the test database is certainly set up."""
    from django.core.cache import caches
    from django.core.cache.backends.db import BaseDatabaseCache

    for alias in caches:
        if not isinstance(caches[alias], BaseDatabaseCache):
            caches[alias].clear()
    yield
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames or (
            marker is not None and (marker.kwargs.get("transaction") or marker.args[:1] == (True,))):
        with django_db_blocker.unblock():
            for alias in caches:
                if isinstance(caches[alias], BaseDatabaseCache):
                    caches[alias].clear()


@pytest.fixture(autouse=True)
def csp_watch(request):  # type: ignore[no-untyped-def]
    """Browser tests: every page carries the CSP header and Chromium reports no violation of it."""
    if request.node.get_closest_marker("browser") is None:
        yield None
        return
    browser = request.getfixturevalue("browser")
    violations: list[str] = []
    unprotected: list[str] = []
    documents: list[str] = []
    real_new_context = browser.new_context

    opened: list[object] = []

    def new_context(*args, **kwargs):  # type: ignore[no-untyped-def]
        context = real_new_context(*args, **kwargs)
        opened.append(context)
        context.add_init_script(CSP_RECORDER)

        def on_console(message) -> None:  # type: ignore[no-untyped-def]
            text = message.text
            if "Content Security Policy" in text or text.startswith("CSP violation"):
                violations.append(f"{message.page.url if message.page else '?'}: {text}")

        def on_response(response) -> None:  # type: ignore[no-untyped-def]
            if response.request.resource_type == "document" and response.status < 300:
                documents.append(response.url)
                if "script-src 'self'" not in (response.headers.get("content-security-policy") or ""):
                    unprotected.append(response.url)

        context.on("console", on_console)
        context.on("response", on_response)
        return context

    browser.new_context = new_context
    try:
        yield violations
    finally:
        browser.new_context = real_new_context
    # A test that opened a browser must have loaded a page; one skipped before opening any (its
    # input missing) has nothing to check.
    assert documents or not opened, "no page was loaded"
    assert not unprotected, f"pages without the Content-Security-Policy header: {unprotected}"
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


# Fuzz tests (hypothesis): a fixed, bounded run in CI; XIEZUO_FUZZ=deep for a long local one.
try:
    from hypothesis import HealthCheck
    from hypothesis import settings as hypothesis_settings

    hypothesis_settings.register_profile(
        "ci", max_examples=60, deadline=None, derandomize=True, print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    hypothesis_settings.register_profile(
        "deep", max_examples=2000, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    hypothesis_settings.load_profile("deep" if os.environ.get("XIEZUO_FUZZ") == "deep" else "ci")
except ImportError:  # pragma: no cover - hypothesis is in requirements.lock
    pass
