"""Send probe tasks and collect their results through a generated project's Celery app.

Run with the project's Python:
    python client.py APP send TASK COUNT ARGS_JSON  -> prints a JSON list of task ids
    python client.py APP wait TIMEOUT ID...         -> prints {id: {"state", "result"}}
    python client.py APP dead-letters               -> prints the task ids in the app's
                                                       dead-letter queues and their
                                                       .logged queues (taken off them)
"""

import json
import sys
import time

from celery.app.utils import find_app
from kombu import Queue


def main(argv: list[str]) -> None:
    """Dispatch the sub-command."""
    app = find_app(argv[1])
    if argv[2] == "send":
        task, count, args = argv[3], int(argv[4]), json.loads(argv[5])
        ids = [app.send_task(task, args=args).id for _ in range(count)]
        print(json.dumps(ids))
    elif argv[2] == "wait":
        deadline = time.monotonic() + float(argv[3])
        outcome = {}
        for task_id in argv[4:]:
            result = app.AsyncResult(task_id)
            try:
                value = result.get(timeout=max(deadline - time.monotonic(), 0.1))
            except Exception as error:  # reported to the test, which asserts on the state
                value = repr(error)
            outcome[task_id] = {"state": result.state, "result": value}
        print(json.dumps(outcome))
    elif argv[2] == "dead-letters":
        names = {
            name
            for queue in app.amqp.queues.values()
            if (name := (queue.queue_arguments or {}).get("x-dead-letter-routing-key"))
        }
        ids = []
        # A worker moves each dead-lettered message to <name>.logged once it has logged it.
        names |= {f"{name}.logged" for name in names}
        with app.connection_for_write() as connection:
            for name in sorted(names):
                if name.endswith(".logged"):
                    # Declared as the worker declares it, or reading a missing one fails.
                    arguments = {"x-queue-type": "quorum"}
                    Queue(name, routing_key=name, queue_arguments=arguments).bind(
                        connection.default_channel
                    ).declare()
                dead_letters = Queue(name, no_declare=True).bind(connection.default_channel)
                while (message := dead_letters.get(no_ack=True)) is not None:
                    ids.append(message.headers.get("id"))
        print(json.dumps(ids))
    else:
        raise SystemExit(f"unknown command {argv[2]!r}")


if __name__ == "__main__":
    main(sys.argv)
