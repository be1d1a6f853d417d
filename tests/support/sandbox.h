#pragma once

#include "childserver.h"

#include "azid/clock.h"
#include "azid/tokencache.h"

#include <QJsonDocument>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>

namespace azid::test {

// Runs azid-sandbox (a local Entra-compatible authority over TLS on 127.0.0.1) for a test and talks
// to its control API. Users and passwords are the sandbox's defaults (tests/sandbox/README.md).
class Sandbox
{
public:
    Sandbox();
    ~Sandbox();

    // Starts the sandbox with extra command-line options; false (with errorString()) when it failed.
    bool start(const QStringList &arguments = {});
    QString errorString() const { return m_error; }

    QUrl url() const { return m_url; } // https://127.0.0.1:PORT
    QString authority() const { return m_url.toString(); }
    QString environment() const; // 127.0.0.1:PORT
    QString caFile() const { return m_caFile; }

    // Options for any credential, pointed at this sandbox: its authority and CA, no instance
    // discovery, retries after 20 ms, `clock`, and `cache` (a new one when none is given).
    template <typename Options>
    Options credentialOptions(const Clock *clock, std::shared_ptr<TokenCache> cache = {}) const
    {
        Options options;
        options.authority = authority();
        options.disableInstanceDiscovery = true;
        options.http.caBundleFile = m_caFile;
        options.http.retryBaseDelay = std::chrono::milliseconds(20);
        options.clock = clock;
        options.cache = cache ? std::move(cache) : std::make_shared<TokenCache>();
        return options;
    }

    // Control API: returns the parsed JSON answer (null on failure).
    QJsonDocument control(const QByteArray &method, const QString &path, const QJsonDocument &body = {});
    QJsonDocument settings(const QJsonObject &changes);
    QJsonDocument fault(const QJsonObject &fault);
    void clearRequests();
    // Requests recorded by the sandbox, filtered by endpoint (e.g. "token") and grant type.
    int countRequests(const QString &endpoint, const QString &grantType = {}, const QString &error = {});
    // TLS handshakes the sandbox started (new connections) since the request log was last cleared,
    // other than those of control requests since then; -1 when the sandbox did not answer.
    int countTlsHandshakes();

    // Follows an authorize URL as a browser would with auto-approve on: returns the Location the
    // sandbox redirected to (with code and state), or an empty URL.
    QUrl authorizeRedirect(const QUrl &authorizeUrl);

private:
    ChildServer m_server;
    QUrl m_url;
    QString m_caFile;
    QString m_error;
};

} // namespace azid::test
