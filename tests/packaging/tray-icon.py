#!/usr/bin/env python3
"""Waits until the tray app's icon is in the tray: a viewable window of X11 class "azid" inside another
window (the tray host embeds it, XEmbed under _NET_SYSTEM_TRAY_S0). Seen over X11 alone, through
libX11 with ctypes (no Python package), so it needs nothing from the app: the installed azid has no
test hooks.

    tray-icon.py PID [SECONDS]

Exit status 0 once the icon is there; 1 when the process PID ends, or SECONDS (default 30) pass, first.
"""

import ctypes
import ctypes.util
import sys
import time

IS_VIEWABLE = 2


class XClassHint(ctypes.Structure):
    _fields_ = [("res_name", ctypes.c_void_p), ("res_class", ctypes.c_void_p)]


class XWindowAttributes(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int), ("width", ctypes.c_int), ("height", ctypes.c_int),
                ("border_width", ctypes.c_int), ("depth", ctypes.c_int), ("visual", ctypes.c_void_p),
                ("root", ctypes.c_ulong), ("class_", ctypes.c_int), ("bit_gravity", ctypes.c_int),
                ("win_gravity", ctypes.c_int), ("backing_store", ctypes.c_int),
                ("backing_planes", ctypes.c_ulong), ("backing_pixel", ctypes.c_ulong),
                ("save_under", ctypes.c_int), ("colormap", ctypes.c_ulong), ("map_installed", ctypes.c_int),
                ("map_state", ctypes.c_int), ("all_event_masks", ctypes.c_long),
                ("your_event_mask", ctypes.c_long), ("do_not_propagate_mask", ctypes.c_long),
                ("override_redirect", ctypes.c_int), ("screen", ctypes.c_void_p)]


x11 = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
x11.XOpenDisplay.restype = ctypes.c_void_p
x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
x11.XDefaultRootWindow.restype = ctypes.c_ulong
x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
x11.XQueryTree.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong),
                           ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)),
                           ctypes.POINTER(ctypes.c_uint)]
x11.XGetClassHint.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(XClassHint)]
x11.XGetWindowAttributes.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(XWindowAttributes)]
x11.XFree.argtypes = [ctypes.c_void_p]
# Windows come and go while the tree is walked: a BadWindow must not end this client.
ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)(lambda display, event: 0)
x11.XSetErrorHandler(ERROR_HANDLER)


def children(display, window):
    root, parent = ctypes.c_ulong(), ctypes.c_ulong()
    kids, count = ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
    if not x11.XQueryTree(display, window, ctypes.byref(root), ctypes.byref(parent), ctypes.byref(kids),
                          ctypes.byref(count)):
        return []
    result = [kids[i] for i in range(count.value)]
    if kids:
        x11.XFree(kids)
    return result


def window_class(display, window):
    hint = XClassHint()
    if not x11.XGetClassHint(display, window, ctypes.byref(hint)):
        return None
    value = ctypes.string_at(hint.res_class) if hint.res_class else None
    for pointer in (hint.res_name, hint.res_class):
        if pointer:
            x11.XFree(pointer)
    return value


def icon_in_tray(display):
    """A viewable window of class "azid" that is not a top-level window: the icon, embedded in the tray."""
    stack = [(kid, False) for kid in children(display, x11.XDefaultRootWindow(display))]
    while stack:
        window, nested = stack.pop()
        if nested and window_class(display, window) == b"azid":
            attributes = XWindowAttributes()
            if (x11.XGetWindowAttributes(display, window, ctypes.byref(attributes))
                    and attributes.map_state == IS_VIEWABLE):
                return True
        stack.extend((kid, True) for kid in children(display, window))
    return False


def running(pid):
    """Whether the process runs (an ended one that its parent has not waited for is a zombie, "Z")."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: tray-icon.py PID [SECONDS]")
    pid, seconds = int(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) == 3 else 30.0
    display = x11.XOpenDisplay(None)
    if not display:
        sys.exit("tray-icon.py: cannot open the X display")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not running(pid):
            print(f"tray-icon.py: process {pid} ended before its icon was in the tray", file=sys.stderr)
            return 1
        if icon_in_tray(display):
            return 0
        time.sleep(0.2)
    print(f"tray-icon.py: no azid icon in the tray after {seconds:.0f} s", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
