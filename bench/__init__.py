"""The benchmark harness (``make bench``) and the load test (``make loadtest``).

Nothing here is imported by the service itself.
"""
