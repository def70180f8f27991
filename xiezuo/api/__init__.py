"""The REST API at /api/v1/ (django-ninja): the same selectors, scope and actions as the pages and the CLI."""
