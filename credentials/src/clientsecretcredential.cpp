#include "azid/clientsecretcredential.h"

#include "confidentialapp.h"

namespace azid {

ClientSecretCredential::ClientSecretCredential(const QString &tenantId, const QString &clientId,
                                               const Secret &clientSecret,
                                               const ClientSecretCredentialOptions &options, QObject *parent)
    : AppTokenCredential(options.cache, options.clock, parent),
      d(std::make_unique<detail::ConfidentialApp>(
          tenantId, clientId, options, detail::ConfidentialApp::secretCredential(clientSecret), this))
{
    if (clientSecret.isEmpty())
        d->setConfigurationError(AuthError::unavailable(QStringLiteral("A client secret is required.")));
    if (d->configurationError())
        setConfigurationError(*d->configurationError());
}

ClientSecretCredential::~ClientSecretCredential() = default;

std::optional<AuthError> ClientSecretCredential::validate(const TokenRequestOptions &options,
                                                          QString *tenant) const
{
    return d->validate(options, tenant);
}

AppTokenCacheKey ClientSecretCredential::cacheKey(const QString &tenant) const
{
    return d->cacheKey(tenant);
}

QFuture<TokenResult> ClientSecretCredential::requestToken(const detail::AppTokenRequest &request)
{
    return d->requestToken(request, {{QStringLiteral("grant_type"), QStringLiteral("client_credentials")}});
}

} // namespace azid
