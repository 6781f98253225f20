"""`python -m tinget.core.dbcheck URL`: exit 0 when the PostgreSQL server in URL answers, 1 otherwise.

Used by `make test-postgres` to tell "no PostgreSQL here" (skip, outside CI) from a failing suite."""

import sys

import environ
import psycopg


def answers(url: str) -> bool:
    config = environ.Env.db_url_config(url)
    try:
        # Connect to the maintenance database: the test database itself is created by the test run.
        with psycopg.connect(
            host=config.get("HOST") or None,
            port=config.get("PORT") or None,
            user=config.get("USER") or None,
            password=config.get("PASSWORD") or None,
            dbname="postgres",
            connect_timeout=3,
        ):
            return True
    except psycopg.Error:
        return False


if __name__ == "__main__":
    sys.exit(0 if answers(sys.argv[1]) else 1)
