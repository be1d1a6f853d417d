#pragma once

#include "apptokenrequest.h"
#include "azid/apptokencredential.h"
#include "azid/clientassertioncredential.h"
#include "azid/confidentialclientoptions.h"
#include "clientcertificate.h"
#include "publicclient.h"

#include <QObject>

namespace azid::detail {

// What the confidential-client credentials share: their configuration checks, azure.identity's tenant
// rules, the cache key, and the token request through PublicClient with the client's credential
// (secret, certificate assertion or assertion callback) added to every request.
class ConfidentialApp
{
public:
    ConfidentialApp(const QString &tenantId, const QString &clientId,
                    const ConfidentialClientOptions &options, ClientCredentialFields credential,
                    QObject *owner, std::shared_ptr<TokenCache> caeCache = {});

    // The first problem found at construction; every request fails with it.
    const std::optional<AuthError> &configurationError() const { return m_configurationError; }
    void setConfigurationError(const AuthError &error);

    // At least one scope, and the tenant a request may use (resolve_tenant).
    Result<QString> validate(const TokenRequestOptions &options) const;
    AppTokenCacheKey cacheKey(const QString &tenant) const;
    // Posts grantFields plus scope, client_id, claims and the client credential; the result is not
    // cached here (AppTokenCredential does that).
    QFuture<TokenResult> requestToken(const AppTokenRequest &request, FormFields grantFields);

    PublicClient &client() const { return *m_client; }
    QString tenantId() const { return m_tenantId; }
    QString clientId() const { return m_clientId; }

    static ClientCredentialFields secretCredential(const Secret &secret);
    static ClientCredentialFields certificateCredential(std::shared_ptr<const ClientCertificate> certificate,
                                                        const QString &clientId, bool sendCertificateChain);
    static ClientCredentialFields assertionCredential(ClientAssertionCallback callback);

private:
    QString m_tenantId;
    QString m_clientId;
    QStringList m_additionallyAllowedTenants;
    PublicClient *m_client;
    std::optional<AuthError> m_configurationError;
};

} // namespace azid::detail
