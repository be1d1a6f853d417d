#pragma once

#include "azid/errors.h"
#include "azid/keychain/accountstore.h"
#include "azid/secret.h"

#include <QDateTime>
#include <QMetaType>
#include <QObject>
#include <QStringList>
#include <QUrl>

#include <chrono>
#include <optional>

namespace azid::model {

enum class SignInMethod {
    SystemBrowser,   // authorization code + PKCE, redirect to a loopback listener
    EmbeddedBrowser, // the same, in Azid's own Qt WebEngine window (the azid-webview helper)
    DeviceCode,      // a code entered on any device
    UsernamePassword // resource owner password: no MFA, no personal accounts
};

// The names AccountMetadata::signInMethod and azid-cli use: "browser", "webengine", "device-code",
// "password".
QString signInMethodKey(SignInMethod method);
std::optional<SignInMethod> signInMethodFromKey(const QString &key);
// For people: "System browser", ... (also for "imported"), translated.
QString signInMethodName(const QString &key);

struct SignInRequest
{
    QString authority{}; // host or https URL; empty: the public cloud
    QString tenant{};    // empty: "organizations"
    QString clientId{};  // empty: azure.identity's default
    QString loginHint{};
    QStringList scopes{}; // empty: Azure Resource Manager of the cloud (see signInOnly)
    // With no scopes: the sign-in and its record alone, no access token (for an authority whose
    // resources Azid does not know; azid-cli does this).
    bool signInOnly = false;
    QString claims{}; // a claims challenge to satisfy
    SignInMethod method = SignInMethod::SystemBrowser;
    QString username{}; // UsernamePassword
    Secret password{};  // UsernamePassword
    bool disableInstanceDiscovery = false;
    QString redirectUri{};                       // browser methods; empty: http://localhost:<port>
    std::optional<std::chrono::seconds> timeout; // of the whole sign-in; empty: the credential's default
    bool makeDefault = false;
    // AccountMetadata::shareWithAzureTools after the sign-in; signing an account in again sets it anew
    // (the dialog starts from the account's current value).
    bool shareWithAzureTools = false;
    QString reason{};    // why a sign-in is needed, when Azid asked for it
    QString accountId{}; // the home account id when signing an existing account in again
};

struct DeviceCodeInfo
{
    QString verificationUri;
    QString userCode;
    QDateTime expiresOn;
};

// One sign-in in progress. Whoever runs it reports what happens (the URL it opened, the device
// code, the outcome); the sign-in dialog shows it. cancel() abandons it: the runner stops, and a
// late result is ignored.
class SignInOperation : public QObject
{
    Q_OBJECT
public:
    enum class State { Running, Succeeded, Failed, Cancelled };
    Q_ENUM(State)

    // The request is kept without its password.
    explicit SignInOperation(const SignInRequest &request, QObject *parent = nullptr);

    const SignInRequest &request() const { return m_request; }
    State state() const { return m_state; }
    bool isRunning() const { return m_state == State::Running; }
    QUrl browserUrl() const { return m_browserUrl; }
    bool browserOpened() const { return m_browserOpened; }
    std::optional<DeviceCodeInfo> deviceCode() const { return m_deviceCode; }
    QString status() const { return m_status; }
    std::optional<StoredAccount> account() const { return m_account; }
    AuthError error() const { return m_error; }

    // Reports; ignored once the operation has finished.
    void reportBrowserUrl(const QUrl &url, bool opened);
    void reportDeviceCode(const DeviceCodeInfo &code);
    void reportStatus(const QString &status);
    void succeed(const StoredAccount &account);
    void fail(const AuthError &error);

public slots:
    void cancel();

signals:
    void browserUrlReported();
    void deviceCodeReported();
    void statusChanged(const QString &status);
    void succeeded();
    void failed();
    void cancelled();
    // After any of the three above.
    void finished();

private:
    void finish(State state);

    SignInRequest m_request;
    State m_state = State::Running;
    QUrl m_browserUrl;
    bool m_browserOpened = false;
    std::optional<DeviceCodeInfo> m_deviceCode;
    QString m_status;
    std::optional<StoredAccount> m_account;
    AuthError m_error;
};

} // namespace azid::model
