"""A plain Flask "hello world": the yardstick of ``bench/load.py``.

Served exactly like the LMS (``gunicorn -c gunicorn.conf.py bench.hello:app``, same
workers, threads and access log), so the LMS's throughput reads as a share of the
most a Flask app can do on the same machine at the same moment.
"""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
