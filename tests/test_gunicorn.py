"""config/gunicorn.py reads its settings from the environment."""

import subprocess
import sys
from pathlib import Path

GUNICORN = Path(sys.executable).parent / "gunicorn"


def print_config(**environment: str) -> dict[str, str]:
    result = subprocess.run(
        [str(GUNICORN), "--print-config", "-c", "config/gunicorn.py", "config.wsgi"],
        env={"SECRET_KEY": "x", **environment},
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    return dict(
        (part.strip() for part in line.split("=", 1))
        for line in result.stdout.splitlines()
        if "=" in line
    )


def test_it_runs_two_sync_workers_on_localhost_by_default():
    config = print_config()

    assert config["bind"] == "['127.0.0.1:8000']"
    assert config["workers"] == "2"
    assert config["worker_class"] == "sync"
    assert config["accesslog"] == "None"


def test_bind_and_workers_come_from_the_environment():
    config = print_config(BIND="0.0.0.0:9000", WEB_CONCURRENCY="4")

    assert config["bind"] == "['0.0.0.0:9000']"
    assert config["workers"] == "4"


def test_a_started_worker_loads_its_views_then_freezes_them_out_of_the_gc():
    # In a fresh interpreter: this one has long imported the views.
    script = (
        "import gc, sys, django; django.setup()\n"
        "assert 'trackoffers.views' not in sys.modules\n"
        "from config import gunicorn\n"
        "gunicorn.post_worker_init(worker=None)\n"
        "print('trackoffers.views' in sys.modules, gc.get_freeze_count() > 1000)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={"SECRET_KEY": "x", "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )

    assert result.stdout == "True True\n"
