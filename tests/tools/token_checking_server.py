#!/usr/bin/python3
"""A small HTTPS server for the developer-tool tests, standing in for a Kubernetes API server or an
Azure DevOps git remote. It accepts a request only with an access token that azid-sandbox signed (checked
against the sandbox's published keys) for the expected audience and user, and refuses every other one
with 401.

  token_checking_server.py --state-dir DIR [--quiet] --sandbox URL --sandbox-ca FILE --audience AUD
                           --user UPN (--kubernetes | --git-root DIR)

--kubernetes: a bearer token (`Authorization: Bearer T`), as kubectl sends it; every accepted GET is
answered with a Namespace object named after the token's user.
--git-root: Basic authentication with any user name and the token as the password, as git sends it for
Azure DevOps; accepted requests go to `git http-backend` serving the repositories under DIR.

It makes its own TLS certificate for 127.0.0.1 in the state folder and prints PORT=, CA_FILE= and then
TOKEN_SERVER_READY. Each request's outcome goes to stderr, never the token.
"""
import argparse
import base64
import http.server
import json
import os
import ssl
import subprocess
import sys
import urllib.request

import jwt


def make_certificate(state_dir):
    cert = os.path.join(state_dir, "server.pem")
    key = os.path.join(state_dir, "server.key")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-keyout", key, "-out", cert,
         "-addext", "subjectAltName=IP:127.0.0.1",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign",
         "-addext", "extendedKeyUsage=serverAuth"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


class TokenChecker:
    def __init__(self, sandbox, sandbox_ca, audience, user):
        self.sandbox = sandbox.rstrip("/")
        self.context = ssl.create_default_context(cafile=sandbox_ca)
        self.audience = audience
        self.user = user.lower()

    def signing_key(self, token):
        tenant = jwt.decode(token, options={"verify_signature": False}).get("tid", "")
        url = "{}/{}/discovery/v2.0/keys".format(self.sandbox, tenant)
        with urllib.request.urlopen(url, context=self.context, timeout=10) as answer:
            keys = json.load(answer)["keys"]
        kid = jwt.get_unverified_header(token).get("kid")
        for key in keys:
            if kid is None or key.get("kid") == kid:
                return jwt.PyJWK(key).key
        raise jwt.InvalidTokenError("no signing key {}".format(kid))

    def problem(self, token):
        """Why the token is refused, or None when it is accepted."""
        try:
            claims = jwt.decode(token, self.signing_key(token), algorithms=["RS256"], audience=self.audience)
        except (jwt.InvalidTokenError, OSError, KeyError, ValueError) as error:
            return type(error).__name__ + ": " + str(error)
        if claims.get("upn", "").lower() != self.user:
            return "the token is not {}'s".format(self.user)
        return None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # the request line only; no headers
        pass

    def presented_token(self):
        scheme, _, value = self.headers.get("Authorization", "").partition(" ")
        if self.server.git_root is None:
            return value if scheme == "Bearer" else None
        if scheme != "Basic":
            return None
        try:
            user, _, password = base64.b64decode(value).decode().partition(":")
        except ValueError:
            return None
        return password if user else None

    def refuse(self, reason):
        sys.stderr.write("token-server: refused {} {}: {}\n".format(self.command, self.path, reason))
        body = json.dumps({"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": "Unauthorized",
                           "reason": "Unauthorized", "code": 401}).encode()
        self.send_response(401)
        if self.server.git_root is not None:
            self.send_header("WWW-Authenticate", 'Basic realm="azid-test"')
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_request(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
        token = self.presented_token()
        reason = "no token" if not token else self.server.checker.problem(token)
        if reason:
            self.refuse(reason)
            return
        sys.stderr.write("token-server: accepted {} {}\n".format(self.command, self.path))
        if self.server.git_root is None:
            self.answer_kubernetes()
        else:
            self.answer_git(body)

    def answer_kubernetes(self):
        body = json.dumps({"kind": "Namespace", "apiVersion": "v1",
                           "metadata": {"name": "checked-for-" + self.server.checker.user}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def answer_git(self, body):
        path, _, query = self.path.partition("?")
        environment = dict(os.environ, GIT_PROJECT_ROOT=self.server.git_root, GIT_HTTP_EXPORT_ALL="1",
                           REQUEST_METHOD=self.command, PATH_INFO=path, QUERY_STRING=query,
                           CONTENT_TYPE=self.headers.get("Content-Type", ""), CONTENT_LENGTH=str(len(body)),
                           REMOTE_USER="azid", REMOTE_ADDR="127.0.0.1")
        if self.headers.get("Content-Encoding"):
            environment["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        if self.headers.get("Git-Protocol"):
            environment["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        result = subprocess.run(["git", "http-backend"], input=body, env=environment, capture_output=True,
                                check=False)
        head, _, content = result.stdout.partition(b"\r\n\r\n")
        status = 200
        headers = []
        for line in head.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.strip().split(" ")[0])
            elif name:
                headers.append((name, value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = handle_request
    do_POST = handle_request


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--sandbox", required=True)
    parser.add_argument("--sandbox-ca", required=True)
    parser.add_argument("--audience", required=True)
    parser.add_argument("--user", required=True)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--kubernetes", action="store_true")
    mode.add_argument("--git-root")
    options = parser.parse_args()

    cert, key = make_certificate(options.state_dir)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.checker = TokenChecker(options.sandbox, options.sandbox_ca, options.audience, options.user)
    server.git_root = options.git_root
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print("PORT={}\nCA_FILE={}\nTOKEN_SERVER_READY".format(server.server_address[1], cert), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
