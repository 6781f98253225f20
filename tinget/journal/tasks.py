"""Background work of the mail journal. Run by `manage.py db_worker`."""

from django_tasks import task


@task()
def run_import(*, job_id: int) -> str:
    """Import one uploaded journal file (an ImportJob waiting in the queue). Idempotent: a job that is no longer
    waiting is left alone, and importing the same data twice changes nothing."""
    from .importing import import_run

    job = import_run(job_id)
    return job.state if job is not None else "missing"
