"""`manage.py check --deploy` is clean with production settings and what a real installation sets."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def deploy_check(**environment):
    # Only what a deployment would have: test runs set variables of their own (DJANGO_ALLOW_ASYNC_UNSAFE for
    # the browser tests, DEBUG...) that the deploy check rightly complains about.
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if key in os.environ}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "tinget.example.no",
            **environment,
        }
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean():
    done = deploy_check()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_catches_a_site_served_without_https():
    # The same check fails when production is set up wrong, so the clean result above means something.
    done = deploy_check(SECURE_SSL_REDIRECT="false")
    assert done.returncode != 0
    assert "security.W008" in done.stdout + done.stderr


def test_production_refuses_a_short_secret_key():
    done = deploy_check(SECRET_KEY="too-short")
    assert done.returncode != 0
    assert "SECRET_KEY must be set" in done.stderr
