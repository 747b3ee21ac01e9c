"""Real network pieces for the proxy and CA tests, all on loopback in a test's own folder:
throw-away CAs and certificates made by openssl, squid as a forward proxy (its own access
log tells which requests it carried), nginx terminating TLS in front of a fake, a fake made
to speak TLS itself, and a small CONNECT proxy giving exact answers squid cannot."""
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time


def free_port():
    """A port free right now (for servers that must be told one: squid, nginx)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc=None, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def start_on_free_port(command):
    """Start command(port) -> argv on a free port; another port when the chosen one was
    taken in between (tests run side by side). Returns (process, port)."""
    for attempt in range(3):
        port = free_port()
        proc = subprocess.Popen(command(port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_port(port, proc)
            return proc, port
        except RuntimeError:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            if attempt == 2:
                raise


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


class CA:
    """A throw-away CA in folder/<name>.crt; cert() issues a server certificate for 127.0.0.1."""

    def __init__(self, folder, name):
        self.folder, self.name = folder, name
        self.crt = os.path.join(folder, name + ".crt")
        self.key = os.path.join(folder, name + ".key")
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={name} test CA",
                 "-keyout", self.key, "-out", self.crt, "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=folder)

    def cert(self, name):
        """(cert, key) for 127.0.0.1 and localhost, signed by this CA."""
        key, csr, crt, ext = (os.path.join(self.folder, name + s) for s in (".key", ".csr", ".crt", ".ext"))
        with open(ext, "w") as f:
            f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", csr,
                 cwd=self.folder)
        _openssl("x509", "-req", "-in", csr, "-CA", self.crt, "-CAkey", self.key, "-CAcreateserial", "-days", "2",
                 "-extfile", ext, "-out", crt, cwd=self.folder)
        return crt, key


def serve_tls(fake, cert, key):
    """Make a fake (tests/fakes Loopback, not started yet) speak HTTPS with this certificate.
    The handshake runs in the connection's own thread, so a failed one stops nothing."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server = fake.server
    plain_finish = server.finish_request

    def finish_request(request, client_address):
        try:
            tls = ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        plain_finish(tls, client_address)
    server.finish_request = finish_request
    return fake


class Server:
    """A server this module started (self.proc); stop() ends it, killing it after 10 s."""

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Squid(Server):
    """squid on 127.0.0.1:<port> that carries everything from loopback, logging each request
    to access.log; deny_connect=True refuses every CONNECT (squid answers 403)."""

    def __init__(self, folder, deny_connect=False):
        self.folder = os.path.join(folder, "squid")
        os.makedirs(self.folder)
        os.chmod(self.folder, 0o777)  # squid started as root works as its own user
        os.chmod(folder, os.stat(folder).st_mode | 0o711)
        self.log = os.path.join(self.folder, "access.log")
        conf = os.path.join(self.folder, "squid.conf")
        rules = "http_access deny CONNECT\n" if deny_connect else ""

        def command(port):
            with open(conf, "w") as f:
                f.write(f"""http_port 127.0.0.1:{port}
pid_filename {self.folder}/squid.pid
access_log stdio:{self.log} squid
logfile_rotate 0
cache_log {self.folder}/cache.log
cache_store_log none
coredump_dir {self.folder}
cache deny all
cache_mem 8 MB
shutdown_lifetime 0 seconds
pinger_enable off
buffered_logs off
{rules}http_access allow all
""")
            return ["squid", "-N", "-f", conf]
        self.proc, self.port = start_on_free_port(command)
        self.url = f"http://127.0.0.1:{self.port}"

    def lines(self, wait_for=0, timeout=5.0):
        """The access log's lines (waiting, up to timeout, until there are wait_for)."""
        end = time.monotonic() + timeout
        while True:
            text = open(self.log).read() if os.path.exists(self.log) else ""
            lines = [ln for ln in text.splitlines() if ln.strip()]
            if len(lines) >= wait_for or time.monotonic() > end:
                return lines
            time.sleep(0.1)


class Nginx(Server):
    """nginx terminating TLS (HTTP/2 too) on 127.0.0.1:<port>, passing to 127.0.0.1:<upstream>."""

    def __init__(self, folder, upstream_port, cert, key):
        self.folder = os.path.join(folder, "nginx")
        os.makedirs(os.path.join(self.folder, "tmp"))
        os.chmod(self.folder, 0o777)
        os.chmod(folder, os.stat(folder).st_mode | 0o711)
        conf = os.path.join(self.folder, "nginx.conf")
        user = "user root;\n" if os.getuid() == 0 else ""

        def command(port):
            with open(conf, "w") as f:
                f.write(f"""{user}daemon off;
worker_processes 1;
pid {self.folder}/nginx.pid;
error_log {self.folder}/error.log;
events {{ worker_connections 64; }}
http {{
  access_log {self.folder}/access.log;
  client_body_temp_path {self.folder}/tmp; proxy_temp_path {self.folder}/tmp;
  fastcgi_temp_path {self.folder}/tmp; uwsgi_temp_path {self.folder}/tmp; scgi_temp_path {self.folder}/tmp;
  server {{
    listen 127.0.0.1:{port} ssl http2;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    location / {{ proxy_pass http://127.0.0.1:{upstream_port}; proxy_set_header Host $http_host; }}
  }}
}}
""")
            return ["nginx", "-p", self.folder, "-c", conf]
        self.proc, self.port = start_on_free_port(command)
        self.url = f"https://127.0.0.1:{self.port}"

    def requests(self):
        p = os.path.join(self.folder, "access.log")
        return open(p).read().splitlines() if os.path.exists(p) else []


class ConnectProxy:
    """A CONNECT proxy with one behaviour for every tunnel:
    ("refuse", status): answer the CONNECT with that status (407 asks for credentials);
    ("tunnel", None): a real tunnel to the asked host:port;
    ("garbage", None): answer 200, then bytes that are not TLS (the handshake fails);
    ("drop_answer", None): a real tunnel, closed as soon as drop_when() is true (the test
    says when: the server has the request and is slow to answer), so the request went
    through and its answer never arrives."""

    def __init__(self, mode="tunnel", status=None, drop_when=None):
        self.mode, self.status, self.drop_when = mode, status, drop_when
        self.connects = []  # the CONNECT lines received
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopped:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        try:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = c.recv(4096)
                if not chunk:
                    return
                head += chunk
            line = head.split(b"\r\n", 1)[0].decode("latin-1")
            self.connects.append(line)
            if self.mode == "refuse":
                reason = {403: "Forbidden", 407: "Proxy Authentication Required", 503: "Service Unavailable"}
                extra = 'Proxy-Authenticate: Basic realm="corp"\r\n' if self.status == 407 else ""
                body = b"denied by policy"
                c.sendall(f"HTTP/1.1 {self.status} {reason.get(self.status, 'No')}\r\n{extra}Content-Length: "
                          f"{len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
                return
            if self.mode == "garbage":
                c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\nthis is not TLS at all\r\n" * 4)
                return
            host, port = line.split()[1].rsplit(":", 1)
            up = socket.create_connection((host.strip("[]"), int(port)))
            c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            self._relay(c, up)
        except OSError:
            pass
        finally:
            c.close()

    def _relay(self, c, up):
        done = threading.Event()

        def pump(src, dst):
            try:
                while True:
                    data = src.recv(65536)
                    if not data:
                        break
                    dst.sendall(data)
            except OSError:
                pass
            done.set()
        for src, dst in ((c, up), (up, c)):
            threading.Thread(target=pump, args=(src, dst), daemon=True).start()
        while not done.wait(0.05):
            if self.mode == "drop_answer" and self.drop_when():
                break
        for s in (c, up):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        up.close()

    def stop(self):
        self.stopped = True
        self.sock.close()
