"""The exchange package: an area's approved tables moved from one instance to another."""
