#include "azid/clientassertioncredential.h"

#include "confidentialapp.h"

namespace azid {

ClientAssertionCredential::ClientAssertionCredential(const QString &tenantId, const QString &clientId,
                                                     ClientAssertionCallback func,
                                                     const ClientAssertionCredentialOptions &options,
                                                     QObject *parent)
    : AppTokenCredential(options.cache, options.clock, parent)
{
    const bool hasCallback = static_cast<bool>(func);
    d = std::make_unique<detail::ConfidentialApp>(
        tenantId, clientId, options, detail::ConfidentialApp::assertionCredential(std::move(func)), this);
    if (!hasCallback)
        d->setConfigurationError(
            AuthError::unavailable(QStringLiteral("A callback that returns client assertions is required.")));
    if (d->configurationError())
        setConfigurationError(*d->configurationError());
}

ClientAssertionCredential::~ClientAssertionCredential() = default;

std::optional<AuthError> ClientAssertionCredential::validate(const TokenRequestOptions &options,
                                                             QString *tenant) const
{
    return d->validate(options, tenant);
}

AppTokenCacheKey ClientAssertionCredential::cacheKey(const QString &tenant) const
{
    return d->cacheKey(tenant);
}

QFuture<TokenResult> ClientAssertionCredential::requestToken(const detail::AppTokenRequest &request)
{
    return d->requestToken(request, {{QStringLiteral("grant_type"), QStringLiteral("client_credentials")}});
}

} // namespace azid
