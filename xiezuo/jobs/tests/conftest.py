from xiezuo.web.tests.conftest import login  # noqa: F401 - the logged-in clients of the web tests
