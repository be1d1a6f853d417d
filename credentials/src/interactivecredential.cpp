#include "azid/interactivecredential.h"

#include "azid/authorityhosts.h"
#include "cachepersistencehooks.h"
#include "futures.h"
#include "interactiverequest.h"
#include "logging.h"
#include "oauth.h"
#include "publicclient.h"
#include "recenttokens.h"

#include <QPointer>

namespace azid {

namespace detail {
TenantChoice resolveTenant(const QString &configured, const QString &requested,
                           const QStringList &additionallyAllowed)
{
    if (requested.isEmpty() || requested == configured)
        return {configured, {}};
    if (!isValidTenantId(requested))
        return {{}, QStringLiteral("Invalid tenant ID provided (\"%1\").").arg(requested)};
    if (configured == QStringLiteral("adfs") ||
        !qEnvironmentVariableIsEmpty("AZURE_IDENTITY_DISABLE_MULTITENANTAUTH"))
        return {configured, {}};
    if (configured.isEmpty())
        return {requested, {}};
    if (additionallyAllowed.contains(QStringLiteral("*")) || additionallyAllowed.contains(requested))
        return {requested, {}};
    // azure.identity 1.25: a credential for "organizations" given no allow-list at all asks for the
    // requested tenant (it was not tied to one tenant in the first place).
    if (additionallyAllowed.isEmpty() &&
        configured.compare(QStringLiteral("organizations"), Qt::CaseInsensitive) == 0)
        return {requested, {}};
    return {
        {},
        QStringLiteral("The current credential is not configured to acquire tokens for tenant %1. To enable "
                       "acquiring tokens for this tenant add it to the additionally_allowed_tenants when "
                       "creating the credential, or add \"*\" to additionally_allowed_tenants to allow "
                       "acquiring tokens for any tenant.")
            .arg(requested)};
}
} // namespace detail

struct InteractiveCredential::Private
{
    InteractiveCredentialOptions options;
    detail::PublicClient *client = nullptr;
    std::optional<AuthenticationRecord> record;
    std::optional<AuthError> configurationError;
    detail::RecentTokens recent;
    std::shared_ptr<TokenCachePersistence> persistence; // cache_persistence_options, if given
};

InteractiveCredential::InteractiveCredential(const InteractiveCredentialOptions &options, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>())
{
    d->options = options;
    d->record = options.authenticationRecord;
    detail::ClientConfiguration config;
    config.authority = options.authority;
    config.tenantId = options.tenantId;
    config.clientId = options.clientId;
    if (d->record) {
        // As azure.identity: the record names the authority host and client; its tenant is the default.
        config.authority = d->record->authority;
        config.clientId = d->record->clientId;
        if (config.tenantId.isEmpty())
            config.tenantId = d->record->tenantId;
    }
    config.disableInstanceDiscovery = options.disableInstanceDiscovery;
    config.instanceDiscoveryEndpoint = options.instanceDiscoveryEndpoint;
    config.http = options.http;
    config.cache = options.cache;
    config.caeCache = options.caeCache;
    if (!options.cache) {
        detail::PersistentCaches caches = detail::persistentCaches(options.cachePersistenceOptions);
        d->configurationError = caches.error;
        d->persistence = caches.persistence;
        if (caches.persistence) {
            config.cache = caches.cache;
            config.caeCache = caches.caeCache;
        }
    }
    config.clock = options.clock;
    d->client = new detail::PublicClient(config, this);
    if (d->client->configurationError() && !d->configurationError)
        d->configurationError = d->client->configurationError();
}

InteractiveCredential::~InteractiveCredential() = default;

detail::PublicClient &InteractiveCredential::client() const
{
    return *d->client;
}

void InteractiveCredential::setConfigurationError(const AuthError &error)
{
    if (!d->configurationError)
        d->configurationError = error.asConfigurationError();
}

std::optional<AuthError> InteractiveCredential::configurationError() const
{
    return d->configurationError;
}

std::optional<AuthenticationRecord> InteractiveCredential::authenticationRecord() const
{
    return d->record;
}

QString InteractiveCredential::clientId() const
{
    return d->client->clientId();
}

TokenCache &InteractiveCredential::tokenCache() const
{
    return d->client->cache(false);
}

QFuture<TokenResult> InteractiveCredential::getTokenInfo(const TokenRequestOptions &options)
{
    if (!d->persistence || d->configurationError)
        return tokenSilentlyOrInteractively(options);
    return detail::withPersistence<TokenResult>(
        d->persistence, [self = QPointer<InteractiveCredential>(this), options] {
            return self ? self->tokenSilentlyOrInteractively(options)
                        : detail::Abandoned<QFuture<TokenResult>>::value();
        });
}

QFuture<TokenResult> InteractiveCredential::tokenSilentlyOrInteractively(const TokenRequestOptions &options)
{
    if (d->configurationError)
        return detail::ready(TokenResult(*d->configurationError));
    if (d->record && options.claims.isEmpty()) {
        if (auto recent = d->recent.find(options, d->client->cache(options.enableCae).generation(),
                                         d->client->clock().now()))
            return detail::ready(TokenResult(*std::move(recent)));
    }
    const QString scopeProblem = detail::validateScopes(options.scopes);
    if (!scopeProblem.isEmpty())
        return detail::ready(TokenResult(AuthError::authentication(scopeProblem)));
    const detail::TenantChoice tenant =
        detail::resolveTenant(d->client->tenantId(), options.tenantId, d->options.additionallyAllowedTenants);
    if (!tenant.error.isEmpty())
        return detail::ready(TokenResult(AuthError::authentication(tenant.error)));

    detail::InteractiveRequest request;
    request.tenant = tenant.tenant;
    request.scopes = options.scopes;
    request.cae = options.enableCae;
    request.claims = options.enableCae
                         ? detail::mergeClaimsWithCapabilities(options.claims, {QStringLiteral("CP1")})
                         : options.claims;

    auto interactiveOrRequired = [this](detail::InteractiveRequest req,
                                        const std::optional<AuthError> &silentError) {
        if (d->options.disableAutomaticAuthentication) {
            AuthError required = silentError && silentError->kind == ErrorKind::AuthenticationRequired
                                     ? *silentError
                                     : AuthError::authenticationRequired(req.scopes, req.claims);
            required.kind = ErrorKind::AuthenticationRequired;
            required.scopes = req.scopes;
            if (required.claims.isEmpty())
                required.claims = req.claims;
            return detail::ready(TokenResult(required));
        }
        if (silentError && !silentError->claims.isEmpty() && req.claims.isEmpty())
            req.claims =
                silentError->claims; // the authority's claims challenge goes to the interactive request
        return runInteractive(req).then(
            QtFuture::Launch::Sync, detail::guarded(this, [](const Result<detail::TokenOutcome> &outcome) {
                return outcome.ok() ? TokenResult(outcome.value().token) : TokenResult(outcome.error());
            }));
    };

    if (!d->record)
        return interactiveOrRequired(request, std::nullopt);

    return d->client
        ->acquireSilent(request.tenant, d->record->homeAccountId, d->client->environment(), request.scopes,
                        request.claims, request.cae)
        .then(QtFuture::Launch::Sync,
              detail::guarded(this,
                              [this, request, options, noChallenge = options.claims.isEmpty(),
                               interactiveOrRequired](const Result<detail::TokenOutcome> &silent) {
                                  if (silent.ok()) {
                                      if (noChallenge)
                                          d->recent.remember(options,
                                                             d->client->cache(request.cae).generation(),
                                                             silent.value().token);
                                      return detail::ready(TokenResult(silent.value().token));
                                  }
                                  // Network and server failures are reported; only "the user must act" goes
                                  // interactive.
                                  if (silent.error().kind == ErrorKind::ClientAuthentication)
                                      return detail::ready(TokenResult(silent.error()));
                                  return interactiveOrRequired(request, silent.error());
                              }))
        .unwrap();
}

QFuture<Result<detail::TokenOutcome>>
InteractiveCredential::runInteractive(const detail::InteractiveRequest &request)
{
    return requestToken(request).then(
        QtFuture::Launch::Sync, detail::guarded(this, [this](const Result<detail::TokenOutcome> &outcome) {
            if (outcome.ok()) {
                auto record = outcome.value().record();
                if (!record.ok())
                    return Result<detail::TokenOutcome>(record.error());
                d->record = record.value();
                // Who signed in is personal data: only with support logging on (enable_support_logging).
                if (d->options.enableSupportLogging) {
                    qCInfo(lcCredentials).noquote()
                        << "signed in as" << d->record->username << "in tenant" << d->record->tenantId;
                } else {
                    qCInfo(lcCredentials) << "signed in";
                }
            }
            return outcome;
        }));
}

QFuture<Result<AuthenticationRecord>> InteractiveCredential::authenticate(const QStringList &scopes,
                                                                          const QString &claims)
{
    if (d->configurationError)
        return detail::ready(Result<AuthenticationRecord>(*d->configurationError));
    QStringList requested = scopes;
    if (requested.isEmpty()) {
        const QString host = d->client->host().base.host();
        if (host == AzureAuthorityHosts::AzurePublicCloud)
            requested = {QStringLiteral("https://management.core.windows.net//.default")};
        else if (host == AzureAuthorityHosts::AzureGovernment)
            requested = {QStringLiteral("https://management.core.usgovcloudapi.net//.default")};
        else if (host == AzureAuthorityHosts::AzureChina)
            requested = {QStringLiteral("https://management.core.chinacloudapi.cn//.default")};
        else
            return detail::ready(Result<AuthenticationRecord>(AuthError::unavailable(
                QStringLiteral("Authenticating in this environment requires a value for the 'scopes' keyword "
                               "argument: %1 is not a cloud Azid knows the Resource Manager scope of.")
                    .arg(d->client->environment()))));
    }
    const QString scopeProblem = detail::validateScopes(requested);
    if (!scopeProblem.isEmpty())
        return detail::ready(Result<AuthenticationRecord>(AuthError::authentication(scopeProblem)));
    return authenticateFor(requested, claims);
}

QFuture<Result<AuthenticationRecord>> InteractiveCredential::authenticateIdentity(const QString &claims)
{
    if (d->configurationError)
        return detail::ready(Result<AuthenticationRecord>(*d->configurationError));
    return authenticateFor({}, claims); // the request adds the OpenID scopes to whatever it asks for
}

QFuture<Result<AuthenticationRecord>> InteractiveCredential::authenticateFor(const QStringList &scopes,
                                                                             const QString &claims)
{
    detail::InteractiveRequest request;
    request.tenant = d->client->tenantId();
    request.scopes = scopes;
    request.claims = claims;
    using Outcome = Result<detail::TokenOutcome>;
    return detail::withPersistence<Outcome>(d->persistence,
                                            [self = QPointer<InteractiveCredential>(this), request] {
                                                return self ? self->runInteractive(request)
                                                            : detail::Abandoned<QFuture<Outcome>>::value();
                                            })
        .then(QtFuture::Launch::Sync, detail::guarded(this, [](const Result<detail::TokenOutcome> &outcome) {
                  if (!outcome.ok())
                      return Result<AuthenticationRecord>(outcome.error());
                  return outcome.value().record();
              }));
}

} // namespace azid
