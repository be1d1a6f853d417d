"""Debian's azure.identity AzureCliCredential as a program uses it: it runs `az` from PATH.

  azure_cli_client.py SCOPE [TENANT]

Prints {"token", "expires_on"} or {"error": the exception's class, "message"} as JSON.
"""
import json
import sys

from azure.core.exceptions import ClientAuthenticationError
from azure.identity import AzureCliCredential, CredentialUnavailableError


def main():
    tenant = sys.argv[2] if len(sys.argv) > 2 else ""
    try:
        token = AzureCliCredential(tenant_id=tenant).get_token(sys.argv[1])
        print(json.dumps({"token": token.token, "expires_on": token.expires_on}))
    except (CredentialUnavailableError, ClientAuthenticationError) as error:
        print(json.dumps({"error": type(error).__name__, "message": str(error)}))


main()
