# Portico's Python 3 runtime loop for the Lambda Runtime API.
# Python standard library only.
import http.client
import importlib
import json
import logging
import os
import sys
import time
import traceback

API = os.environ["AWS_LAMBDA_RUNTIME_API"]
BASE = "/2018-06-01/runtime"
TASK_ROOT = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
HANDLER = os.environ.get("_HANDLER", "")

current_request_id = None


class Conn:
    """One keep-alive connection to the Runtime API, reopened on failure."""

    def __init__(self):
        host, port = API.rsplit(":", 1)
        self.host, self.port = host, int(port)
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port)
            try:
                self.conn.request(method, BASE + path, body=body, headers=headers or {})
                resp = self.conn.getresponse()
                return resp.status, resp.headers, resp.read()
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise


class LambdaContext:
    def __init__(self, headers):
        self.aws_request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self._deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)
        self.client_context = _json_or_none(headers.get("Lambda-Runtime-Client-Context"))
        self.identity = _json_or_none(headers.get("Lambda-Runtime-Cognito-Identity"))

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


def _json_or_none(s):
    if not s:
        return None
    try:
        return json.loads(s)
    except ValueError:
        return None


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = current_request_id or ""
        return True


def _setup_logging():
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S"))
    handler.formatter.converter = time.gmtime
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(logging.WARNING)


def _error_body(exc, error_type=None):
    tb = traceback.extract_tb(exc.__traceback__)
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": current_request_id or "",
        "stackTrace": traceback.format_list(tb),
    }


def _post_error(conn, path, body):
    conn.request("POST", path, json.dumps(body), {
        "Content-Type": "application/json",
        "Lambda-Runtime-Function-Error-Type": body["errorType"],
    })


def _init_error(conn, error_type, message):
    body = {"errorMessage": message, "errorType": error_type, "requestId": "", "stackTrace": []}
    print("[ERROR] %s: %s" % (error_type, message), file=sys.stderr, flush=True)
    try:
        _post_error(conn, "/init/error", body)
    finally:
        os._exit(1)


def _load_handler(conn):
    if "." not in HANDLER:
        _init_error(conn, "Runtime.MalformedHandlerName", "Bad handler '%s': not enough values to unpack" % HANDLER)
    mod_path, fn_name = HANDLER.rsplit(".", 1)
    mod_name = mod_path.replace("/", ".")
    try:
        mod = importlib.import_module(mod_name)
    except SyntaxError as e:
        _init_error(conn, "Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (mod_name, e))
    except ImportError as e:
        _init_error(conn, "Runtime.ImportModuleError", "Unable to import module '%s': %s" % (mod_name, e))
    except Exception as e:  # noqa: BLE001 - any failure at import time is an init error
        _init_error(conn, "Runtime.ImportModuleError", "Unable to import module '%s': %s" % (mod_name, e))
    fn = getattr(mod, fn_name, None)
    if not callable(fn):
        _init_error(conn, "Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (fn_name, mod_name))
    return fn


def main():
    global current_request_id
    # sys.path[0] is this script's directory; the task root replaces it.
    boot_dir = os.path.dirname(os.path.abspath(__file__))
    if sys.path and os.path.abspath(sys.path[0] or ".") == boot_dir:
        sys.path.pop(0)
    sys.path.insert(0, TASK_ROOT)
    _setup_logging()
    conn = Conn()
    fn = _load_handler(conn)
    while True:
        status, headers, body = conn.request("GET", "/invocation/next")
        if status != 200:
            print("runtime API /next answered %d" % status, file=sys.stderr, flush=True)
            os._exit(1)
        rid = headers.get("Lambda-Runtime-Aws-Request-Id")
        current_request_id = rid
        trace = headers.get("Lambda-Runtime-Trace-Id")
        if trace:
            os.environ["_X_AMZN_TRACE_ID"] = trace
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        try:
            event = json.loads(body or b"null")
        except ValueError as e:
            _post_error(conn, "/invocation/%s/error" % rid, _error_body(e, "Runtime.UnmarshalError"))
            continue
        try:
            result = fn(event, LambdaContext(headers))
        except Exception as e:  # noqa: BLE001 - reported to the caller as Lambda does
            _post_error(conn, "/invocation/%s/error" % rid, _error_body(e))
            continue
        try:
            out = json.dumps(result)
        except (TypeError, ValueError) as e:
            _post_error(conn, "/invocation/%s/error" % rid,
                        {"errorMessage": "Unable to marshal response: %s" % e,
                         "errorType": "Runtime.MarshalError", "requestId": rid, "stackTrace": []})
            continue
        conn.request("POST", "/invocation/%s/response" % rid, out, {"Content-Type": "application/json"})


if __name__ == "__main__":
    main()
