#pragma once

#include "azid/httpoptions.h"

#include <QString>
#include <QStringList>
#include <QUrl>

class QObject;
class QProcess;

namespace azid::model {

// The embedded browser is the azid-webview helper: a Qt WebEngine window in a process of its own,
// started only when someone chooses it, so that the app itself never loads WebEngine. It shows the
// sign-in page, the host it is on, honours the app's proxy and extra CA certificates, and closes
// once the authority has redirected to Azid's loopback listener.
class EmbeddedBrowser
{
public:
    // The helper's exit codes.
    static constexpr int ExitRedirected = 0; // the sign-in reached the redirect
    static constexpr int ExitClosed = 3;     // the person closed the window first
    static constexpr int ExitUsage = 2;

    // Empty `program`: findHelper().
    explicit EmbeddedBrowser(const QString &program = {});

    // $AZID_WEBVIEW, else azid-webview next to the running program, else ../libexec/azid/azid-webview.
    static QString findHelper();

    bool isAvailable() const;
    QString unavailableReason() const;
    QString program() const { return m_program; }

    void setNetwork(const HttpOptions &options) { m_network = options; }
    // What the helper reads from its standard input, one JSON object: the URL, the proxy and the CA
    // bundle. Not on the command line, which other users can read, as a proxy password or the login
    // hint should not be.
    QByteArray launchRequest(const QUrl &url) const;
    // Starts the window on `url`. The process is a child of `owner`; watch its finished signal.
    QProcess *open(const QUrl &url, QObject *owner) const;

private:
    QString m_program;
    HttpOptions m_network;
};

} // namespace azid::model
