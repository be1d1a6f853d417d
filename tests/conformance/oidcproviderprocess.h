#pragma once

#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include <functional>

namespace azid::test {

// provider.mjs (the npm package oidc-provider over loopback TLS with its own CA) in a child process
// for one conformance test. Its state and log, and browser.mjs's log, are in a temporary folder,
// kept when AZID_CONFORMANCE_KEEP is set. The provider stops with this object, and also when the
// test dies (it ends when its stdin closes).
class OidcProviderProcess
{
public:
    OidcProviderProcess();
    ~OidcProviderProcess();
    OidcProviderProcess(const OidcProviderProcess &) = delete;
    OidcProviderProcess &operator=(const OidcProviderProcess &) = delete;

    // Checks what the run needs from the machine (node, chromium, this folder's npm packages),
    // starts the provider with access tokens that live `accessTokenTtl` seconds and waits until it
    // is ready. Empty on success, else why not: what to install, or the provider's stderr.
    QString start(int accessTokenTtl);
    void stop();

    QString authority() const { return m_authority; }     // https://127.0.0.1:PORT
    QString environment() const { return m_environment; } // 127.0.0.1:PORT, as AuthenticationRecord names it
    QString caFile() const { return m_caFile; }
    // A file in the temporary folder, for the test's own files.
    QString filePath(const QString &name) const { return m_dir.filePath(name); }

    // Makes every browser started from now on browser.mjs: $BROWSER (Azid appends the URL), and the
    // provider's CA, the log file and a time limit in the environment browser.mjs reads them from.
    void exportBrowserEnvironment() const;
    // Starts browser.mjs in `browser` (its channels as the caller set them) to enter `userCode` on
    // the verification page and sign in as `login`.
    void startDeviceCodeBrowser(QProcess &browser, const QString &login, const QString &userCode,
                                const QString &verificationUri) const;

    QString browserLogPath() const;
    QByteArray browserLog() const;
    // The ends of the browser's and the provider's logs, for a failure message.
    QString logs() const;

    // Sends one command on the provider's control channel (its stdin) and returns the value of its
    // answer line `answerKey=VALUE`; empty when the provider answered with an error or not at all.
    QString control(const QString &command, const QString &answerKey);

private:
    // Reads the provider's stdout line by line until `done` returns true (then true), the limit
    // passes or the provider ends (then false).
    bool readLinesUntil(int limitMs, const std::function<bool(const QString &line)> &done);
    QString providerLogPath() const;

    QTemporaryDir m_dir;
    QProcess m_process;
    QString m_node;
    QString m_authority;
    QString m_environment;
    QString m_caFile;
};

} // namespace azid::test
