#!/usr/bin/env bash
# The .deb end to end, as a user gets it: builds it with CPack from a build folder, checks what it
# holds and depends on, installs it with apt-get, runs the installed azid-cli (and the installed azid
# to tray-ready, under Xvfb with a tray host), removes it and checks nothing is left behind, and runs
# lintian on it (errors fail, warnings are shown). The installed azid must not hold the tray app's
# test hooks (app/gui/testhooks.h): those are only in app/gui/azid-testhooks, which is not installed.
#
#   test-deb.sh --gui|--no-gui BUILD_DIR
#
# --no-gui: the build has no tray app (AZID_BUILD_GUI=OFF); only azid-cli is checked, and this says so.
# Needs root (apt-get install/remove): CI runs as root. Not root is a failure, not a skip.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
support=$here/../support
gui_support=$here/../gui

if [[ $# -ne 2 || ( $1 != --gui && $1 != --no-gui ) ]]; then
    echo "usage: $0 --gui|--no-gui BUILD_DIR" >&2
    exit 2
fi
with_gui=0
[[ $1 == --gui ]] && with_gui=1
build_dir=$(cd "$2" && pwd)

fail() {
    echo "FAIL: $*" >&2
    exit 1
}
step() { echo "== $*"; }

if [[ $(id -u) -ne 0 ]]; then
    fail "this test installs and removes the azid package with apt-get and needs root (CI runs as root);" \
         "run it as root, e.g. sudo ctest --test-dir $build_dir -L packaging"
fi
tools=(cpack dpkg-deb dpkg-shlibdeps apt-get lintian tar strings)
[[ $with_gui -eq 1 ]] && tools+=(Xvfb trayer python3 dbus-run-session gnome-keyring-daemon)
for tool in "${tools[@]}"; do
    command -v "$tool" >/dev/null || fail "$tool is missing (scripts/install-deps.sh installs it)"
done
if dpkg-query -W -f='${Status}' azid 2>/dev/null | grep -q "install ok installed"; then
    fail "the azid package is already installed on this machine; this test installs and removes its own" \
         "build: apt-get remove azid first"
fi
[[ -f $build_dir/CPackConfig.cmake ]] || fail "$build_dir has no CPackConfig.cmake: configure it with CMake first"

if [[ $with_gui -eq 1 ]]; then
    echo "Checking the package with the tray app (azid) and azid-cli."
else
    echo "NOTE: this build has AZID_BUILD_GUI=OFF: the package holds azid-cli only, and only azid-cli is" \
         "checked (the desktop entry, icons and the tray app are not; CI builds with the GUI)."
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/azid-deb-test.XXXXXX")
installed=0
cleanup() {
    if [[ $installed -eq 1 ]]; then
        echo "cleanup: removing the azid package this test installed"
        DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq azid >/dev/null 2>&1 || true
    fi
    rm -rf "$scratch"
}
trap cleanup EXIT

# ---- build ----------------------------------------------------------------------------------------
step "cpack -G DEB and -G TGZ in $build_dir"
(cd "$build_dir" && cpack -G "DEB;TGZ" -B "$scratch/out" >"$scratch/cpack.log" 2>&1) || {
    cat "$scratch/cpack.log" >&2
    fail "cpack failed"
}
debs=("$scratch"/out/azid_*.deb)
[[ ${#debs[@]} -eq 1 && -f ${debs[0]} ]] || fail "cpack made no azid_*.deb: $(ls "$scratch/out")"
deb=${debs[0]}
tgzs=("$scratch"/out/azid-*.tar.gz)
[[ -f ${tgzs[0]} ]] || fail "cpack made no azid-*.tar.gz"
echo "built $(basename "$deb") and $(basename "${tgzs[0]}")"

# ---- contents and control data --------------------------------------------------------------------
step "package contents and dependencies"
dpkg-deb --field "$deb"
dpkg-deb --contents "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$scratch/contents"
expected=(
    /usr/bin/azid-cli
    /usr/bin/git-credential-azid
    /usr/lib/azid/az-shim/az
    /usr/lib/systemd/user/azid-agent.service
    /usr/share/man/man1/azid-cli.1.gz
    /usr/share/bash-completion/completions/azid-cli
    /usr/share/doc/azid/copyright
    /usr/share/doc/azid/changelog.Debian.gz
)
if [[ $with_gui -eq 1 ]]; then
    expected+=(
        /usr/bin/azid
        /usr/share/man/man1/azid.1.gz
        /usr/share/applications/azid.desktop
        /usr/share/metainfo/io.github.azid.Azid.metainfo.xml
        /usr/share/icons/hicolor/scalable/apps/azid.svg
    )
    for size in 16 32 48 64 128 256; do
        expected+=("/usr/share/icons/hicolor/${size}x${size}/apps/azid.png")
    done
    # The embedded browser helper is built only where Qt WebEngine is (app/webview/CMakeLists.txt).
    if [[ -x $build_dir/app/gui/azid-webview ]]; then
        expected+=(/usr/libexec/azid/azid-webview)
    else
        echo "NOTE: this build has no azid-webview (no Qt WebEngine): not expecting it in the package"
    fi
fi
for path in "${expected[@]}"; do
    grep -qxF "$path" "$scratch/contents" || fail "the package lacks $path"
done
echo "the package holds the ${#expected[@]} expected files"
if grep -E '\.so(\.[0-9]+)*$' "$scratch/contents"; then
    fail "the package bundles shared libraries (above): it must use Debian's"
fi
depends=$(dpkg-deb --field "$deb" Depends)
required=(libqt6core6 libqt6network6 libqt6keychain1 libssl3)
[[ $with_gui -eq 1 ]] && required+=(libqt6widgets6 libqrencode4 libqt6svg6 qt6-qpa-plugins)
for package in "${required[@]}"; do
    [[ ",$depends," =~ [,\ ]${package}[\ ,\(] ]] || fail "Depends lacks $package: $depends"
done
echo "Depends names Debian's ${required[*]}"
tar -tzf "${tgzs[0]}" >"$scratch/tgz-contents"
grep -q '^[^/]*/bin/azid-cli$' "$scratch/tgz-contents" || fail "the .tar.gz has no bin/azid-cli at its top"
if grep -q '^[^/]*/usr/' "$scratch/tgz-contents"; then fail "the .tar.gz is not relocatable (it has usr/)"; fi
echo "the .tar.gz holds bin/azid-cli at its top"

# ---- lintian --------------------------------------------------------------------------------------
step "lintian --fail-on error"
lintian_status=0
lintian --fail-on error --tag-display-limit 0 "$deb" >"$scratch/lintian.log" 2>&1 || lintian_status=$?
cat "$scratch/lintian.log"
echo "lintian: $(grep -c '^E:' "$scratch/lintian.log" || true) error(s)," \
     "$(grep -c '^W:' "$scratch/lintian.log" || true) warning(s)," \
     "$(grep -c '^I:' "$scratch/lintian.log" || true) info(s)"
[[ $lintian_status -eq 0 ]] || fail "lintian reports errors (exit $lintian_status)"

# ---- install --------------------------------------------------------------------------------------
step "apt-get install -y ./$(basename "$deb")"
sleep 1.1 # the stamp's ctime must be strictly older than anything the install touches
touch "$scratch/stamp"
sleep 1.1
installed=1
(cd "$(dirname "$deb")" &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "./$(basename "$deb")" </dev/null) \
    >"$scratch/install.log" 2>&1 || { cat "$scratch/install.log" >&2; fail "apt-get install failed"; }
dpkg-query -W -f='${Status}\n' azid | grep -q "install ok installed" || fail "azid is not installed after apt-get"
dpkg -L azid | sort >"$scratch/owned"

step "the installed azid-cli"
version=$(/usr/bin/azid-cli --version)
echo "/usr/bin/azid-cli --version: $version"
expected_version=$(dpkg-deb --field "$deb" Version)
[[ $version == "azid-cli ${expected_version%-*}" ]] || fail "azid-cli --version says \"$version\", the package is $expected_version"
/usr/bin/azid-cli --help >"$scratch/help.txt" || fail "azid-cli --help failed"
grep -q '^Usage: azid-cli' "$scratch/help.txt" || fail "azid-cli --help prints no usage"
bash -c 'source /usr/share/bash-completion/completions/azid-cli && complete -p azid-cli' >/dev/null ||
    fail "the installed bash completion does not register itself for azid-cli"
# The agent's systemd user unit starts azid-cli's agent (found in systemd's search path, /usr/bin here).
grep -qx 'ExecStart=azid-cli agent' /usr/lib/systemd/user/azid-agent.service ||
    fail "azid-agent.service does not start azid-cli agent"
for section in '[Unit]' '[Service]' '[Install]'; do
    grep -qxF "$section" /usr/lib/systemd/user/azid-agent.service || fail "azid-agent.service has no $section"
done
# git's credential helper and the az shim are azid-cli under other names; the shim answers as az does
# (here without an account: the error the Azure SDKs read as "not signed in").
for link in /usr/bin/git-credential-azid /usr/lib/azid/az-shim/az; do
    [[ $(readlink -f "$link") == /usr/bin/azid-cli ]] || fail "$link is not a link to /usr/bin/azid-cli"
done
printf 'protocol=https\nhost=dev.azure.com\n\n' | /usr/bin/git-credential-azid store ||
    fail "git-credential-azid store failed"
shim_status=0
AZID_PROFILE=package-test /usr/lib/azid/az-shim/az account get-access-token >"$scratch/az.out" 2>"$scratch/az.err" ||
    shim_status=$?
[[ $shim_status -eq 1 && ! -s $scratch/az.out ]] && grep -q "az login" "$scratch/az.err" ||
    { cat "$scratch/az.err" >&2; fail "the az shim without an account did not answer as az does (exit $shim_status)"; }
echo "git-credential-azid and the az shim (/usr/lib/azid/az-shim/az) run the installed azid-cli"
man --warnings -l /usr/share/man/man1/azid-cli.1.gz >/dev/null 2>"$scratch/man.log" || true
[[ ! -s $scratch/man.log ]] || { cat "$scratch/man.log" >&2; fail "man warns about azid-cli.1"; }

if [[ $with_gui -eq 1 ]]; then
    step "the installed azid holds no test hooks"
    # Names only the hooks use: the variable that turns them on and its warning (8-bit strings), and
    # their commands and state fields (QStringLiteral: UTF-16, which strings -e l reads).
    hook_markers=(AZID_TEST_HOOKS "test hooks are on" clickTrayMessage keychainBannerVisible tokensCopied)
    binary_strings() { strings -a -n 6 "$1" && strings -a -n 6 -e l "$1"; }
    with_hooks=$build_dir/app/gui/azid-testhooks
    if [[ -x $with_hooks ]]; then
        # The same search finds every name in the build that has the hooks: it can fail.
        binary_strings "$with_hooks" >"$scratch/with-hooks.strings"
        for marker in "${hook_markers[@]}"; do
            grep -qF "$marker" "$scratch/with-hooks.strings" ||
                fail "\"$marker\" is not in $with_hooks, which has the test hooks: this check would see nothing"
        done
    else
        echo "NOTE: this build has no app/gui/azid-testhooks (AZID_TEST_HOOKS=OFF): the search is not" \
             "tried on a binary with the hooks"
    fi
    binary_strings /usr/bin/azid >"$scratch/azid.strings"
    for marker in "${hook_markers[@]}"; do
        if grep -F "$marker" "$scratch/azid.strings"; then
            fail "the installed /usr/bin/azid holds the test hooks' \"$marker\" (above)"
        fi
    done
    echo "/usr/bin/azid holds none of: ${hook_markers[*]}"

    step "the installed azid, under Xvfb with a tray host, to tray-ready"
    # Tray-ready: azid's icon is embedded and viewable in the tray host (tray-icon.py, over X11).
    # Started with AZID_TEST_HOOKS=1, the installed azid still refuses a hook's request on its
    # single-instance socket. The session (D-Bus, a private keyring, HOME) and the X server are the
    # GUI tests' own helpers.
    cat >"$scratch/tray-ready.sh" <<'EOF'
set -euo pipefail
scratch=$1 here=$2
export XDG_RUNTIME_DIR=$scratch/run
mkdir -m 0700 -p "$XDG_RUNTIME_DIR"
export AZID_TEST_HOOKS=1 QT_QPA_PLATFORM=xcb
/usr/bin/azid --verbose >"$scratch/azid.log" 2>&1 &
pid=$!
status=0
python3 "$here/tray-icon.py" "$pid" 30 || status=1
if [[ $status -eq 0 ]]; then
    echo "tray ready: azid's icon is in the tray"
    answer=$(python3 - "$XDG_RUNTIME_DIR/azid-default.socket" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
s.sendall(b'{"cmd": "state"}\n')
data = b""
while not data.endswith(b"\n"):
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
print(data.decode().strip())
PY
) || answer="(no answer)"
    echo "{\"cmd\": \"state\"} on its socket: $answer"
    if [[ $answer != "error: unknown request" ]]; then
        echo "azid did not refuse a test hook's request" >&2
        status=1
    fi
    if grep -F "test hooks are on" "$scratch/azid.log"; then
        echo "azid says its test hooks are on" >&2
        status=1
    fi
    sleep 5 # and it stays up, its icon in the tray
    python3 "$here/tray-icon.py" "$pid" 1 || { echo "azid or its icon was gone 5 s after tray-ready" >&2; status=1; }
fi
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
exit "$status"
EOF
    gui_status=0
    bash "$support/run-with-keyring.sh" bash "$gui_support/with-xvfb.sh" \
        bash "$scratch/tray-ready.sh" "$scratch" "$here" || gui_status=$?
    if [[ $gui_status -ne 0 ]]; then
        echo "azid's output:" >&2
        cat "$scratch/azid.log" >&2 || true
        fail "the installed azid did not reach tray-ready"
    fi
    echo "the installed azid reached tray-ready and stayed up 5 s"
fi

# ---- remove ---------------------------------------------------------------------------------------
step "apt-get remove -y azid"
DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq azid </dev/null >"$scratch/remove.log" 2>&1 ||
    { cat "$scratch/remove.log" >&2; fail "apt-get remove failed"; }
installed=0
status=$(dpkg-query -W -f='${db:Status-Status}' azid 2>/dev/null || echo not-installed)
[[ $status == not-installed ]] || fail "after apt-get remove, dpkg says azid is \"$status\" (conffiles left?)"
dpkg -L azid >/dev/null 2>&1 && fail "dpkg -L azid still lists files after removal"

# 1. Nothing dpkg -L listed is left, but the directories other packages share (/usr, /usr/bin, ...).
leftovers=()
while IFS= read -r path; do
    [[ -e $path || -L $path ]] || continue
    if [[ -d $path && ! -L $path ]] && dpkg-query -S "$path" >/dev/null 2>&1; then
        continue # a directory another package owns too
    fi
    if [[ -d $path && ! -L $path && -n $(ls -A "$path") ]]; then
        continue # a directory someone else put files in
    fi
    leftovers+=("$path")
done <"$scratch/owned"
# 2. Nothing new under /usr and /etc that no package owns, but the caches dpkg triggers regenerate.
while IFS= read -r path; do
    case $path in
        /usr/share/icons/*/icon-theme.cache | /usr/share/applications/mimeinfo.cache | \
            /usr/share/info/dir | /etc/ld.so.cache | /usr/lib/*/gdk-pixbuf-2.0/*/loaders.cache | \
            /usr/share/mime/* | /usr/lib/python3*/__pycache__/*)
            continue ;;
    esac
    dpkg-query -S "$path" >/dev/null 2>&1 && continue
    leftovers+=("$path")
done < <(find /usr /etc -xdev -cnewer "$scratch/stamp" ! -type d 2>/dev/null | sort)
if [[ ${#leftovers[@]} -gt 0 ]]; then
    printf 'left behind: %s\n' "${leftovers[@]}" >&2
    fail "removing the package left ${#leftovers[@]} path(s) behind"
fi
echo "apt-get remove left none of the package's $(wc -l <"$scratch/owned") paths and nothing new behind"

if [[ $with_gui -eq 1 ]]; then
    echo "PASS: the .deb builds, is lintian-clean of errors, installs, runs azid-cli and azid (tray-ready, no test hooks), and removes cleanly"
else
    echo "PASS (azid-cli only, AZID_BUILD_GUI=OFF): the .deb builds, is lintian-clean of errors, installs, runs azid-cli, and removes cleanly"
fi
