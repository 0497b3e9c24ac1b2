"""Test function for the python3 runtimes."""
import os
import sys
import time


class Boom(Exception):
    pass


def handler(event, context):
    action = (event or {}).get("action")
    if action == "error":
        raise Boom("boom")
    if action == "spawn":
        import subprocess
        return {"child": subprocess.Popen(["sleep", "60"]).pid}
    if action == "crash":
        sys.stdout.flush()
        os._exit(1)
    if action == "sleep":
        time.sleep(event["ms"] / 1000.0)
    if action == "log":
        for line in event["lines"]:
            print(line)
    return {
        "runtime": "python",
        "pid": os.getpid(),
        "requestId": context.aws_request_id,
        "functionArn": context.invoked_function_arn,
        "functionName": context.function_name,
        "memory": context.memory_limit_in_mb,
        "version": context.function_version,
        "remainingMs": context.get_remaining_time_in_millis(),
        "region": os.environ.get("AWS_REGION"),
        "handler": os.environ.get("_HANDLER"),
        "taskRoot": os.environ.get("LAMBDA_TASK_ROOT"),
        "logGroup": context.log_group_name,
        "greeting": os.environ.get("GREETING"),
        "trace": os.environ.get("_X_AMZN_TRACE_ID"),
        "event": event,
    }
