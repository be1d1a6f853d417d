#!/usr/bin/python3
"""Asks Debian's azure.identity for a token the way an application does, with IDENTITY_ENDPOINT and
IDENTITY_HEADER in its environment, and prints what it got as one JSON line: the SHA-256 of the token
(never the token) and its expiry, or the error's type and message. Exit 0 with a token, 1 without.

  sdk_client.py managed|default SCOPE [CLIENT_ID]
"""
import hashlib
import json
import sys

from azure.identity import DefaultAzureCredential, ManagedIdentityCredential


def main():
    kind, scope = sys.argv[1], sys.argv[2]
    client_id = sys.argv[3] if len(sys.argv) > 3 else None
    if kind == "managed":
        credential = ManagedIdentityCredential(client_id=client_id) if client_id else ManagedIdentityCredential()
    else:
        credential = DefaultAzureCredential(exclude_interactive_browser_credential=True)
    try:
        token = credential.get_token(scope)
    except Exception as error:  # every failure is an answer here, reported to the test
        print(json.dumps({"error": type(error).__name__, "message": str(error)}))
        return 1
    digest = hashlib.sha256(token.token.encode()).hexdigest()
    print(json.dumps({"sha256": digest, "expires_on": token.expires_on}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
