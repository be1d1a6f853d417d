#pragma once

#include "azid/apptokencredential.h"
#include "azid/clientassertioncredential.h"
#include "azid/confidentialclientoptions.h"
#include "azid/secret.h"

#include <memory>

namespace azid {

// How the middle-tier application authenticates: exactly one of a client secret, a certificate
// (PEM or PKCS#12 bytes with the private key) or an assertion callback.
struct OnBehalfOfCredentialOptions : ConfidentialClientOptions
{
    Secret clientSecret;
    Secret clientCertificate;
    Secret password; // of clientCertificate
    bool sendCertificateChain = false;
    ClientAssertionCallback clientAssertionFunc;
};

// The on-behalf-of flow: a middle-tier service exchanges the access token a user sent it
// (userAssertion) for tokens to other APIs, as that user. Tokens are cached per user assertion, so
// credentials sharing a cache never hand one user's tokens to another.
class OnBehalfOfCredential final : public ConfidentialClientCredential
{
    Q_OBJECT
public:
    OnBehalfOfCredential(const QString &tenantId, const QString &clientId, const Secret &userAssertion,
                         const OnBehalfOfCredentialOptions &options = {}, QObject *parent = nullptr);
    QString name() const override { return QStringLiteral("OnBehalfOfCredential"); }

protected:
    // The on-behalf-of grant, and the user assertion's hash as the cache's account key.
    QFuture<TokenResult> requestToken(const detail::AppTokenRequest &request) override;
    AppTokenCacheKey cacheKey(const QString &tenant) const override;

private:
    Secret m_userAssertion;
    QString m_assertionKey; // hash of the user assertion: the cache's account key
};

} // namespace azid
