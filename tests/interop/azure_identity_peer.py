#!/usr/bin/python3
"""The other side of Azid's interoperability tests: Debian's azure.identity, msal and msal-extensions,
used as an application would, against azid-sandbox. Run with /usr/bin/python3 (the distribution's
packages), with REQUESTS_CA_BUNDLE pointing at the sandbox's test CA. Prints one JSON object.

Two adaptations to a sandbox authority on a port (https://127.0.0.1:PORT), both about the port and both
outside azure.identity's public API; everything else is what an application does:
  * MSAL Python's user realm discovery (ROPC) asks https://<host>/common/userrealm/... without the
    port, which refuses the connection; MSAL itself remembers hosts without user realm discovery, and
    this script tells it so for the sandbox's host.
  * azure.identity's SharedTokenCacheCredential compares the cache's "environment" with the authority's
    host:port, while MSAL (azure.identity's own UsernamePasswordCredential included) writes the host
    without the port: for an authority on a port it never finds an account, not even one azure.identity
    itself wrote. This script adds the host to the credential's aliases, as it would be for a real
    authority without a port.
"""
import argparse
import inspect
import json
import os
import sys
import time
from urllib.parse import urlparse

import msal
import msal_extensions
from azure.identity import (
    SharedTokenCacheCredential,
    TokenCachePersistenceOptions,
    UsernamePasswordCredential,
)
from azure.identity import _persistent_cache as persistent_cache
from azure.identity import _version

ATTRIBUTES = {"MsalClientID": "Microsoft.Developer.IdentityService"}


def current_naming():
    """azure.identity 1.14 and later append .nocae/.cae to the cache name; before, the name is used as is."""
    return "is_cae" in inspect.signature(persistent_cache._load_persistent_cache).parameters


def facts():
    return {
        "azure_identity": _version.VERSION,
        "msal": msal.__version__,
        "msal_extensions": msal_extensions.__version__,
        "python": sys.version.split()[0],
        "suffixes": current_naming(),
        "default_cache_name": "msal.cache.nocae" if current_naming() else "msal.cache",
        "label": "MSALCache",
        "attributes": ATTRIBUTES,
        "signal_file": os.path.expanduser(os.path.join("~", ".IdentityService", "msal.cache")),
    }


def port_adaptations(authority):
    host = urlparse(authority).hostname
    msal.authority.Authority._domains_without_user_realm_discovery.add(host)
    return host


def discovery_keyword():
    """azure.identity 1.13.0b2 calls it instance_discovery; later versions disable_instance_discovery."""
    from azure.identity._internal import msal_credentials  # pylint:disable=import-outside-toplevel

    names = inspect.signature(msal_credentials.MsalCredential.__init__).parameters
    if "disable_instance_discovery" in names:
        return {"disable_instance_discovery": True}
    return {"instance_discovery": False}


def persisted_cache(name, allow_unencrypted):
    """msal-extensions' PersistedTokenCache exactly as azure.identity builds it, for a given cache name."""
    persistence = persistent_cache._get_persistence(
        allow_unencrypted=allow_unencrypted, account_name="MSALCache", cache_name=name
    )
    return msal_extensions.PersistedTokenCache(persistence)


def signin(args):
    port_adaptations(args.authority)
    password = sys.stdin.readline().rstrip("\n")
    kwargs = dict(authority=args.authority, **discovery_keyword())
    if args.cache_name:
        kwargs["_cache"] = persisted_cache(args.cache_name, args.allow_unencrypted)
    else:
        kwargs["cache_persistence_options"] = TokenCachePersistenceOptions(
            allow_unencrypted_storage=args.allow_unencrypted
        )
    credential = UsernamePasswordCredential(args.client_id, args.username, password, **kwargs)
    record = credential.authenticate(scopes=[args.scope])
    token = credential.get_token(args.scope)
    return {"record": json.loads(record.serialize()), "token": token.token, "expires_on": token.expires_on}


def shared_token(args):
    host = port_adaptations(args.authority)
    kwargs = {"authority": args.authority}
    if args.tenant:
        kwargs["tenant_id"] = args.tenant
    if args.cache_name:
        kwargs["_cache"] = persisted_cache(args.cache_name, True)
    credential = SharedTokenCacheCredential(username=args.username, **kwargs)
    inner = credential._credential  # pylint:disable=protected-access
    inner._environment_aliases = frozenset(inner._environment_aliases | {host})  # see above
    try:
        token = credential.get_token(args.scope)
    except Exception as error:  # pylint:disable=broad-except
        return {"error": type(error).__name__, "message": str(error)}
    return {"token": token.token, "expires_on": token.expires_on}


def read_item(args):
    signal = os.path.expanduser(os.path.join("~", ".IdentityService", args.name))
    persistence = msal_extensions.LibsecretPersistence(signal, args.name, ATTRIBUTES, label="MSALCache")
    try:
        return {"cache": json.loads(persistence.load())}
    except msal_extensions.persistence.PersistenceNotFound:
        return {"cache": None}


def annotate(args):
    """Adds what Azid does not know (a section; a field in every access token and account), as another
    tool might. Entries a writer replaces (a refreshed token) lose it, in MSAL as in Azid."""
    signal = os.path.expanduser(os.path.join("~", ".IdentityService", args.name))
    persistence = msal_extensions.LibsecretPersistence(signal, args.name, ATTRIBUTES, label="MSALCache")
    cache = json.loads(persistence.load())
    cache["ThirdPartySection"] = {"kept": {"value": "by every writer"}}
    for section in ("AccessToken", "Account"):
        for entry in cache.get(section, {}).values():
            entry["third_party_field"] = "kept too"
    persistence.save(json.dumps(cache, indent=4))
    return {"annotated": args.name}


def clear(args):
    from gi.repository import Secret  # pylint:disable=import-outside-toplevel

    for name in args.names:
        schema = Secret.Schema.new(name, Secret.SchemaFlags.NONE, {"MsalClientID": Secret.SchemaAttributeType.STRING})
        Secret.password_clear_sync(schema, ATTRIBUTES, None)
        for path in (name, name + ".lockfile"):
            try:
                os.remove(os.path.expanduser(os.path.join("~", ".IdentityService", path)))
            except FileNotFoundError:
                pass
    return {"cleared": args.names}


def hold_lock(args):
    """Holds msal-extensions' lock (with portalocker, as azure.identity does) until stdin closes."""
    path = os.path.expanduser(os.path.join("~", ".IdentityService", args.name + ".lockfile"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with msal_extensions.CrossPlatLock(path):
        print(json.dumps({"locked": path}), flush=True)
        sys.stdin.read()
    return {"released": path, "at": time.time()}


def main():
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("facts")
    p = commands.add_parser("signin")
    p.add_argument("--authority", required=True)
    p.add_argument("--client-id", default="04b07795-8ddb-461a-bbee-02f9e1bf7b46")
    p.add_argument("--username", required=True)
    p.add_argument("--scope", required=True)
    p.add_argument("--cache-name")
    p.add_argument("--allow-unencrypted", action="store_true")
    p = commands.add_parser("shared-token")
    p.add_argument("--authority", required=True)
    p.add_argument("--username")
    p.add_argument("--tenant")
    p.add_argument("--scope", required=True)
    p.add_argument("--cache-name")
    p = commands.add_parser("read-item")
    p.add_argument("name")
    p = commands.add_parser("annotate")
    p.add_argument("name")
    p = commands.add_parser("clear")
    p.add_argument("names", nargs="+")
    p = commands.add_parser("hold-lock")
    p.add_argument("name")
    args = parser.parse_args()
    handlers = {
        "facts": lambda _: facts(),
        "signin": signin,
        "shared-token": shared_token,
        "read-item": read_item,
        "annotate": annotate,
        "clear": clear,
        "hold-lock": hold_lock,
    }
    print(json.dumps(handlers[args.command](args)), flush=True)


if __name__ == "__main__":
    main()
