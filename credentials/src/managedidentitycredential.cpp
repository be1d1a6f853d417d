#include "azid/managedidentitycredential.h"

#include "apptokenrequest.h"
#include "futures.h"
#include "logging.h"
#include "managedidentityhttp.h"
#include "managedidentitysource.h"
#include "testseams.h"

#include <QSysInfo>

namespace azid {
namespace {

const QString SystemAssignedCacheId = QStringLiteral("SYSTEM_ASSIGNED_MANAGED_IDENTITY");

} // namespace

struct ManagedIdentityCredential::Private
{
    detail::ManagedIdentityId identity;
    QString hostName;
    std::unique_ptr<detail::ManagedIdentitySource> source;
};

ManagedIdentityCredential::ManagedIdentityCredential(const ManagedIdentityCredentialOptions &options,
                                                     QObject *parent)
    : AppTokenCredential(options.cache, options.clock, parent), d(std::make_unique<Private>())
{
    d->hostName = QSysInfo::machineHostName();
    const auto identity = detail::managedIdentityFromOptions(options.clientId, options.identityConfig);
    if (identity.ok())
        d->identity = identity.value();

    const detail::TestSeams seams = detail::testSeams();
    detail::ManagedIdentitySourceOptions sourceOptions;
    sourceOptions.identity = d->identity;
    sourceOptions.http = options.http;
    sourceOptions.clock = &clock();
    sourceOptions.environment = options.environment;
    sourceOptions.excludeWorkloadIdentity = options.excludeWorkloadIdentity;
    sourceOptions.withinDefaultChain = options.withinDefaultChain;
    sourceOptions.imdsProbe = options.imdsProbe;
    sourceOptions.imdsEndpoint = seams.imdsEndpoint;
    sourceOptions.arcKeyDirectory = seams.arcKeyDirectory;
    sourceOptions.owner = this;
    sourceOptions.transport = new detail::ManagedIdentityHttp(this);
    d->source =
        detail::selectManagedIdentitySource(detail::EnvironmentReader(options.environment), sourceOptions);

    if (!identity.ok()) {
        setConfigurationError(identity.error());
        return;
    }
    const QString found = d->source->name();
    qCDebug(lcCredentials).noquote() << "ManagedIdentityCredential: hosting environment"
                                     << (found.isEmpty() ? QStringLiteral("not found") : found) << "for"
                                     << d->identity.describe();
    if (const auto error = d->source->configurationError())
        setConfigurationError(*error);
}

ManagedIdentityCredential::~ManagedIdentityCredential() = default;

QString ManagedIdentityCredential::hostingEnvironment() const
{
    return d->source->name();
}

Result<QString> ManagedIdentityCredential::validate(const TokenRequestOptions &options) const
{
    // tenant_id means nothing to a managed identity and is ignored, as in azure.identity.
    if (std::optional<AuthError> problem = d->source->validateScopes(options.scopes))
        return *std::move(problem);
    return QString();
}

AppTokenCacheKey ManagedIdentityCredential::cacheKey(const QString &) const
{
    // MSAL's managed identity cache: the machine, the identity's id, and the realm "managed_identity".
    AppTokenCacheKey key;
    key.environment = d->hostName;
    key.clientId = d->identity.isUserAssigned() ? d->identity.value : SystemAssignedCacheId;
    key.realm = QStringLiteral("managed_identity");
    return key;
}

QFuture<TokenResult> ManagedIdentityCredential::requestToken(const detail::AppTokenRequest &request)
{
    detail::ManagedIdentityTokenRequest sourceRequest;
    sourceRequest.scopes = request.scopes;
    sourceRequest.claims = request.claims;
    sourceRequest.cachedToken = [this, scopes = request.scopes]() -> std::optional<Secret> {
        const AppTokenCacheKey key = cacheKey({});
        const auto cached =
            tokenCache().findAppToken(key.environment, key.clientId, key.realm, scopes, clock().now(), 1);
        if (!cached)
            return std::nullopt;
        return cached->secret;
    };
    return d->source->requestToken(sourceRequest);
}

} // namespace azid
