#!/usr/bin/env python3
# The measuring client of scripts/bench-app.sh and scripts/bench-accounts.sh: launches azid, polls,
# reads /proc, quits azid. Talks X11 through libX11 with ctypes (no Python package needed) and the
# app's test hooks over its local socket.
# Usage: bench-app-measure.py AZID LABEL RUNS IDLE_SECONDS EXPECTED_ACCOUNTS PROFILE...
# With AZID_BENCH_SUMMARY=FILE it also appends the medians to FILE as one JSON line.
import ctypes, ctypes.util, json, os, select, socket, statistics, subprocess, sys, time

azid, label, runs, idle, expected_accounts = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
profiles = sys.argv[6:]
POLL = 0.001  # seconds between two looks at X11 and at the socket
TIMEOUT = 60.0

# --- X11, just enough to see a window embedded in the tray -----------------------------------------
class XClassHint(ctypes.Structure):
    _fields_ = [("res_name", ctypes.c_char_p), ("res_class", ctypes.c_char_p)]

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

IS_VIEWABLE = 2
x11 = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
x11.XOpenDisplay.restype = ctypes.c_void_p
x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
x11.XDefaultRootWindow.restype = ctypes.c_ulong
x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
x11.XInternAtom.restype = ctypes.c_ulong
x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
x11.XGetSelectionOwner.restype = ctypes.c_ulong
x11.XGetSelectionOwner.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
x11.XQueryTree.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong),
                           ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)),
                           ctypes.POINTER(ctypes.c_uint)]
x11.XGetClassHint.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(XClassHint)]
x11.XGetWindowAttributes.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(XWindowAttributes)]
x11.XFree.argtypes = [ctypes.c_void_p]
# Windows come and go while the tree is walked: a BadWindow must not end this client.
ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)(lambda d, e: 0)
x11.XSetErrorHandler(ERROR_HANDLER)
display = x11.XOpenDisplay(None)
if not display:
    sys.exit("bench-app: cannot open the X display")
root_window = x11.XDefaultRootWindow(display)

def children(window):
    root, parent, kids, count = ctypes.c_ulong(), ctypes.c_ulong(), ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
    if not x11.XQueryTree(display, window, ctypes.byref(root), ctypes.byref(parent), ctypes.byref(kids), ctypes.byref(count)):
        return []
    result = [kids[i] for i in range(count.value)]
    if kids:
        x11.XFree(kids)
    return result

def window_class(window):
    hint = XClassHint()
    if not x11.XGetClassHint(display, window, ctypes.byref(hint)):
        return None
    value = hint.res_class
    # The strings are Xlib's: free them through the raw pointers.
    raw = ctypes.cast(ctypes.pointer(hint), ctypes.POINTER(ctypes.c_void_p))
    x11.XFree(raw[0]); x11.XFree(raw[1])
    return value

def icon_in_tray():
    """A viewable window of class "azid" that is not a top-level window: the icon, embedded in the tray."""
    stack = [(kid, False) for kid in children(root_window)]
    while stack:
        window, nested = stack.pop()
        if nested and window_class(window) == b"azid":
            attributes = XWindowAttributes()
            if x11.XGetWindowAttributes(display, window, ctypes.byref(attributes)) and attributes.map_state == IS_VIEWABLE:
                return True
        stack.extend((kid, True) for kid in children(window))
    return False

tray_selection = x11.XInternAtom(display, b"_NET_SYSTEM_TRAY_S0", 0)
deadline = time.monotonic() + 30
while not x11.XGetSelectionOwner(display, tray_selection):
    if time.monotonic() > deadline:
        sys.exit("bench-app: no tray host took _NET_SYSTEM_TRAY_S0")
    time.sleep(0.05)

# --- one launch ----------------------------------------------------------------------------------------
def proc_status(pid):
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(value.split()[0])  # KiB
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            if line.startswith("Pss:"):
                values["Pss"] = int(line.split()[1])
    return values

def child_processes(pid):
    kids = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as listed:
            kids += listed.read().split()
    names = []
    for kid in kids:
        try:
            with open(f"/proc/{kid}/comm") as comm:
                names.append(comm.read().strip())
        except OSError:
            pass
    return names

def run_once(profile):
    socket_path = os.path.join(os.environ["XDG_RUNTIME_DIR"], f"azid-{profile}.socket")
    environment = dict(os.environ, AZID_TEST_HOOKS="1")
    environment.pop("QT_QPA_PLATFORM", None)
    log = open(os.path.join(os.environ["XDG_RUNTIME_DIR"], f"azid-{profile}.log"), "w+")
    start = time.monotonic()
    app = subprocess.Popen([azid, "--profile", profile], env=environment, stdin=subprocess.DEVNULL,
                           stdout=log, stderr=subprocess.STDOUT)
    connection, pending, buffer, state = None, False, b"", {}
    in_tray = answers = loaded = None
    rounds = 0

    def fail(reason):
        app.kill(); app.wait()
        log.seek(0)
        sys.exit(f"bench-app: {profile}: {reason}; azid said:\n{log.read()}")

    while in_tray is None or answers is None or loaded is None:
        rounds += 1
        now = time.monotonic()
        if now - start > TIMEOUT:
            fail(f"not tray-ready after {TIMEOUT:.0f} s (last state: {state})")
        if app.poll() is not None:
            fail(f"azid ended with {app.returncode}")
        if in_tray is None and icon_in_tray():
            in_tray = time.monotonic() - start
        if connection is None:
            candidate = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                candidate.connect(socket_path)
                connection = candidate
            except OSError:
                candidate.close()
        if connection is not None and not pending and (answers is None or loaded is None):
            connection.sendall(b'{"cmd":"state"}\n')
            pending = True
        if connection is not None and pending:
            readable, _, _ = select.select([connection], [], [], POLL)
            if readable:
                chunk = connection.recv(65536)
                if not chunk:
                    fail("the socket closed")
                buffer += chunk
                if b"\n" in buffer:
                    line, _, buffer = buffer.partition(b"\n")
                    pending = False
                    state = json.loads(line)
                    at = time.monotonic() - start
                    if answers is None and state.get("trayVisible"):
                        answers = at
                    if loaded is None and state.get("loaded") and len(state.get("accounts", [])) >= expected_accounts:
                        loaded = at
        else:
            time.sleep(POLL)

    period = (time.monotonic() - start) / rounds
    if not state.get("trayAvailable"):
        fail("azid saw no system tray")
    if len(state.get("accounts", [])) != expected_accounts:
        fail(f"expected {expected_accounts} account(s), azid lists {state.get('accounts')}")
    time.sleep(idle)
    memory = proc_status(app.pid)
    with open(f"/proc/{app.pid}/maps") as maps:
        webengine = sorted({line.split()[-1] for line in maps if "WebEngine" in line})
    kids = child_processes(app.pid)
    if webengine:
        fail(f"Qt WebEngine is loaded: {webengine}")
    if kids:
        fail(f"azid started child processes: {kids}")

    connection.sendall(b'{"cmd":"menu","path":["Quit"]}\n')
    try:
        code = app.wait(timeout=30)
    except subprocess.TimeoutExpired:
        fail("Quit did not end azid within 30 s")
    connection.close()
    if code != 0:
        log.seek(0)
        sys.exit(f"bench-app: {profile}: azid exited with {code} after Quit:\n{log.read()}")
    log.close()
    return {"tray": max(in_tray, answers) * 1000, "inTray": in_tray * 1000, "answers": answers * 1000,
            "loaded": loaded * 1000, "rss": memory["VmRSS"] / 1024, "hwm": memory["VmHWM"] / 1024,
            "pss": memory["Pss"] / 1024, "period": period * 1000}

print(f"== {label}: {runs} runs, polling every {POLL * 1000:.0f} ms (X11 tree and the app's socket); "
      f"memory read after {idle:g} s idle")
print(f"{'run':>4} {'tray-ready':>11} {'in tray':>9} {'answers':>9} {'loaded':>9} {'VmRSS':>10} {'VmHWM':>10} {'Pss':>10}")
results = []
for run in range(runs):
    r = run_once(profiles[run % len(profiles)])
    results.append(r)
    print(f"{run + 1:>4} {r['tray']:>8.0f} ms {r['inTray']:>6.0f} ms {r['answers']:>6.0f} ms {r['loaded']:>6.0f} ms "
          f"{r['rss']:>6.1f} MiB {r['hwm']:>6.1f} MiB {r['pss']:>6.1f} MiB", flush=True)

def summary(key, unit, digits):
    values = [r[key] for r in results]
    return (f"median {statistics.median(values):.{digits}f} {unit}, min {min(values):.{digits}f}, "
            f"max {max(values):.{digits}f}")

print(f"   one polling round (a look at X11 and at the socket, then up to {POLL * 1000:.0f} ms of waiting) took "
      f"{statistics.mean(r['period'] for r in results):.2f} ms on average: the granularity of the times above")
print(f"-- {label}: WebEngine not loaded and no child process in any run; every run quit with exit code 0")
print(f"   start to tray-ready:         {summary('tray', 'ms', 0)}   (target <= 400 ms)")
print(f"     icon embedded in the tray: {summary('inTray', 'ms', 0)}")
print(f"     event loop answers:        {summary('answers', 'ms', 0)}")
print(f"   start to accounts loaded:    {summary('loaded', 'ms', 0)}")
print(f"   idle VmRSS:                  {summary('rss', 'MiB', 1)}   (target <= 80 MB = 76.3 MiB)")
print(f"   VmHWM (peak RSS):            {summary('hwm', 'MiB', 1)}")
print(f"   idle Pss:                    {summary('pss', 'MiB', 1)}")
if os.environ.get("AZID_BENCH_SUMMARY"):
    with open(os.environ["AZID_BENCH_SUMMARY"], "a") as out:
        medians = {key: statistics.median(r[key] for r in results) for key in ("tray", "loaded", "rss", "hwm")}
        out.write(json.dumps(dict(medians, label=label, runs=runs)) + "\n")
