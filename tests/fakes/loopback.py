"""What the fake servers share: a threaded HTTP server on 127.0.0.1 that the test can
start, stop and point plane-teams at."""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietHandler(BaseHTTPRequestHandler):
    """Keep-alive, no request log, and headers and body in one segment, as real servers do."""
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default 5 drops SYNs when many connections open at once
    daemon_threads = True


class Loopback:
    """Subclasses provide _handler() (a BaseHTTPRequestHandler class)."""

    def __init__(self, port=0):
        self.lock = threading.Lock()
        self.server = Server(("127.0.0.1", port), self._handler())
        self.port = self.server.server_address[1]
        self.thread = None

    def _handler(self):
        raise NotImplementedError

    def start(self):
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def serve(self):
        """As a program: print the port, then serve until interrupted."""
        print(self.port, flush=True)
        try:
            self.server.serve_forever()
        except KeyboardInterrupt:
            pass
