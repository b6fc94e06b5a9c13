"""Running service calls at the same moment in threads, for the race tests on PostgreSQL."""

import threading
from collections.abc import Callable

from django.db import connection


def at_once(*calls: Callable[[], object], errors: tuple[type[Exception], ...], started=None) -> list[object]:
    """Run ``calls`` in threads released together; return each outcome in the order they finished: "ok", the
    ``code`` of an expected domain error (one of ``errors``), or any other exception itself (so an assertion
    on the outcomes reports it). ``started`` is entered around starting the threads (e.g. a ``freeze_time``,
    which is not safe to enter from two threads at once)."""
    barrier = threading.Barrier(len(calls), timeout=10)
    outcomes: list[object] = []

    def run(call) -> None:
        try:
            barrier.wait()
            call()
            outcomes.append("ok")
        except errors as error:
            outcomes.append(error.code)
        except Exception as error:  # noqa: BLE001 - reported by the caller's assertion
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    if started is None:
        for thread in threads:
            thread.start()
    else:
        with started:
            for thread in threads:
                thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes
