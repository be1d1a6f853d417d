#pragma once

#include <QUrl>

#include <functional>

namespace azid {

// Opens the sign-in page. Returns false when no browser could be started.
using BrowserOpener = std::function<bool(const QUrl &url)>;

// $BROWSER when set (read as Python's webbrowser module reads it: a list separated by the path
// separator, each entry a command with an optional %s), else the desktop's default (QDesktopServices
// is not available without Qt Gui, so xdg-open on Linux, open on macOS).
BrowserOpener systemBrowserOpener();

} // namespace azid
