"""WSGI app for `gunicorn --preload`: the JVM starts in the arbiter at
import; /java uses it without catching (gunicorn's worker turns the
exception into a 500). Lines marked `# L:` are asserted by run.sh."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "jpype"))
import jpype  # noqa: E402
from common import start_jvm  # noqa: E402

start_jvm()


def java_time():
    return str(jpype.JClass("java.lang.System").currentTimeMillis())  # L:gunicorn-java


def app(environ, start_response):
    body = java_time() if environ["PATH_INFO"] == "/java" else "plain"  # L:gunicorn-app
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body.encode()]
