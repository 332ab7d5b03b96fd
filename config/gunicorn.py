"""gunicorn settings: ``gunicorn -c config/gunicorn.py config.wsgi``.

Sync workers: the work is CPU-bound JSON rendering, and on two cores two
sync workers served more requests than threaded ones. Each variable is
documented in README.md.
"""

import gc
import importlib

from config import env

bind = env.get_str("BIND", "127.0.0.1:8000")
workers = env.get_int("WEB_CONCURRENCY", 2, minimum=1)
worker_class = "sync"
# A request that runs this long is stuck: the worker is replaced.
timeout = env.get_int("GUNICORN_TIMEOUT", 30, minimum=1)
graceful_timeout = timeout
# Idle keep-alive connections from the load balancer hold a sync worker.
keepalive = 2
# Restart workers now and then, spread out, so that no slow leak grows.
max_requests = env.get_int("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = max_requests // 10
# The application logs one line per request itself (ops.requestlog).
accesslog = None
errorlog = "-"


def post_worker_init(worker) -> None:
    """Load the URLs, then keep all loaded so far out of the cyclic GC's passes.

    Settings, models, URL patterns, views and serializers live as long as
    the worker: without this, every full collection walks all of them
    again, and the request that triggers it waits (up to 50 ms measured).
    """
    from django.conf import settings

    importlib.import_module(settings.ROOT_URLCONF)
    gc.freeze()
