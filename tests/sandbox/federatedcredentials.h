#pragma once

#include "directory.h"
#include "oautherror.h"

#include <openssl/evp.h>

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace azid::sandbox {

// An app registration's federated identity credential (workload identity federation): the app
// trusts tokens that `issuer` issued for `subject` with one of `audiences`, signed with the
// issuer's key. Entra fetches that key from the issuer's OpenID configuration; the sandbox is given it.
struct FederatedCredential
{
    int id = 0;
    QString clientId;
    QString name;
    QString issuer;
    QString subject;
    QStringList audiences;
    std::shared_ptr<EVP_PKEY> key;
};

// The federated identity credentials registered through POST /_sandbox/federated-credentials, and
// the check of a client assertion against them.
class FederatedCredentials
{
public:
    static inline const QString defaultAudience = QStringLiteral("api://AzureADTokenExchange");
    static constexpr qint64 clockSkewSecs = 300;

    // {"client_id": ID, "issuer": URL, "subject": S, "audiences": [..] (default
    //  api://AzureADTokenExchange), "public_key_pem": PEM (a public key or a certificate), "name": N}
    std::optional<QString> add(const QJsonObject &body, const Directory &directory);
    void clear();
    QJsonArray toJson() const;

    // Whether a client assertion is a federated token (issued by someone other than the app itself)
    // for an app that has federated credentials; certificate assertions have iss = client id.
    bool handles(const QString &assertion, const App &app) const;
    // nullopt when the assertion matches one of the app's credentials: issuer, subject, audience,
    // signature and time window.
    std::optional<OAuthError> verify(const QString &assertion, const App &app) const;

private:
    QList<FederatedCredential> m_credentials;
    int m_nextId = 1;
};

} // namespace azid::sandbox
