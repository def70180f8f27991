"""Pages. Thin: they parse the request, ask `accounts.scope`, call selectors and services, render."""
