#!/usr/bin/python3
"""Unlocks the private test keyring's login collection with its password, without a prompt, as a
person typing the password would: gnome-keyring's own unlock call, over the Secret Service session
bus that run-with-keyring.sh made. Usage: unlock-keyring.py (the password comes from
AZID_TEST_KEYRING_PASSWORD)."""
import os
import sys

from gi.repository import Gio, GLib

SERVICE = "org.freedesktop.secrets"
PATH = "/org/freedesktop/secrets"
COLLECTION = "/org/freedesktop/secrets/collection/login"


def main():
    password = os.environ.get("AZID_TEST_KEYRING_PASSWORD")
    if not password:
        print("unlock-keyring: AZID_TEST_KEYRING_PASSWORD is not set", file=sys.stderr)
        return 2
    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    opened = bus.call_sync(SERVICE, PATH, "org.freedesktop.Secret.Service", "OpenSession",
                           GLib.Variant("(sv)", ("plain", GLib.Variant("s", ""))),
                           GLib.VariantType("(vo)"), Gio.DBusCallFlags.NONE, 10000, None)
    session = opened.unpack()[1]
    secret = (session, b"", password.encode(), "text/plain")
    bus.call_sync(SERVICE, PATH, "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
                  "UnlockWithMasterPassword", GLib.Variant("(o(oayays))", (COLLECTION, secret)),
                  None, Gio.DBusCallFlags.NONE, 10000, None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
