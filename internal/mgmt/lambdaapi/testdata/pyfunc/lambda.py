"""lambdaapi test function for python3 runtimes (the seed's lambda.lambda_handler)."""
import json
import os


def lambda_handler(event, context):
    if (event or {}).get("action") == "error":
        raise ValueError("py boom")
    if (event or {}).get("httpMethod"):
        return {"statusCode": 200, "headers": {"X-Fn": "python"},
                "body": json.dumps({"path": event["path"], "resource": event["resource"]})}
    return {"runtime": "python", "greeting": os.environ.get("GREETING"), "event": event}
