#include "azid/apptokencredential.h"

#include "apptokenrequest.h"
#include "cachepersistencehooks.h"
#include "confidentialapp.h"
#include "futures.h"
#include "logging.h"
#include "oauth.h"
#include "recenttokens.h"

#include <QHash>
#include <QPointer>

namespace azid {
namespace {
constexpr qint64 kRefreshRetryDelay = 30; // DEFAULT_TOKEN_REFRESH_RETRY_DELAY
} // namespace

struct AppTokenCredential::Private
{
    std::shared_ptr<TokenCache> cache;
    // Tokens requested with enable_cae are kept apart, as azure.identity keeps them in another cache.
    std::shared_ptr<TokenCache> caeCache = std::make_shared<TokenCache>();
    const Clock *clock = nullptr;
    std::optional<AuthError> configurationError;
    std::shared_ptr<TokenCachePersistence> persistence; // cache_persistence_options, if given
    QHash<QString, std::shared_ptr<detail::Broadcast<TokenResult>>> inFlight;
    QHash<QString, qint64> lastRequest; // when each key last went to the network
    detail::RecentTokens recent;
};

AppTokenCredential::AppTokenCredential(std::shared_ptr<TokenCache> cache, const Clock *clock, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>())
{
    d->cache = cache ? std::move(cache) : std::make_shared<TokenCache>();
    d->clock = clock ? clock : &Clock::system();
}

AppTokenCredential::~AppTokenCredential() = default;

TokenCache &AppTokenCredential::tokenCache() const
{
    return *d->cache;
}

TokenCache &AppTokenCredential::cacheFor(bool cae) const
{
    return cae ? *d->caeCache : *d->cache;
}

const Clock &AppTokenCredential::clock() const
{
    return *d->clock;
}

void AppTokenCredential::setConfigurationError(const AuthError &error)
{
    if (!d->configurationError)
        d->configurationError = error.asConfigurationError();
}

std::optional<AuthError> AppTokenCredential::configurationError() const
{
    return d->configurationError;
}

Result<QString> AppTokenCredential::validate(const TokenRequestOptions &options) const
{
    if (options.scopes.isEmpty())
        return AuthError::authentication(QStringLiteral(
            "At least one scope is required, for example https://management.azure.com/.default."));
    return QString();
}

void AppTokenCredential::usePersistentCache(const std::optional<TokenCachePersistenceOptions> &options)
{
    detail::PersistentCaches caches = detail::persistentCaches(options);
    if (caches.error)
        setConfigurationError(*caches.error);
    if (!caches.persistence)
        return;
    d->persistence = caches.persistence;
    d->cache = caches.cache;
    d->caeCache = caches.caeCache;
}

QFuture<TokenResult> AppTokenCredential::getTokenInfo(const TokenRequestOptions &options)
{
    if (!d->persistence || d->configurationError)
        return tokenFromCacheOrNetwork(options);
    return detail::withPersistence<TokenResult>(
        d->persistence, [self = QPointer<AppTokenCredential>(this), options] {
            return self ? self->tokenFromCacheOrNetwork(options)
                        : detail::Abandoned<QFuture<TokenResult>>::value();
        });
}

QFuture<TokenResult> AppTokenCredential::tokenFromCacheOrNetwork(const TokenRequestOptions &options)
{
    if (d->configurationError)
        return detail::ready(TokenResult(*d->configurationError));
    TokenCache &cache = cacheFor(options.enableCae);
    // Read before the cache look-up: a change after it makes the remembered token a miss.
    const quint64 generation = cache.generation();
    const qint64 now = d->clock->now();
    if (options.claims.isEmpty()) {
        if (auto recent = d->recent.find(options, generation, now))
            return detail::ready(TokenResult(*std::move(recent)));
    }
    const Result<QString> tenant = validate(options);
    if (!tenant)
        return detail::ready(TokenResult(tenant.error()));

    detail::AppTokenRequest request;
    request.scopes = options.scopes;
    request.tenant = tenant.value();
    request.cae = options.enableCae;
    request.claims = options.enableCae
                         ? detail::mergeClaimsWithCapabilities(options.claims, {QStringLiteral("CP1")})
                         : options.claims;

    const AppTokenCacheKey key = cacheKey(tenant.value());
    std::optional<CachedAccessToken> cached;
    if (options.claims.isEmpty()) {
        // Anything not yet expired counts here; whether to refresh is decided below.
        cached = cache.findAccessToken(key.homeAccountId, key.environment, key.clientId, key.realm,
                                       options.scopes, now, 1);
    }
    const QString flightKey = QStringList{key.homeAccountId,
                                          key.environment,
                                          key.clientId,
                                          key.realm,
                                          TokenCache::normalizedTarget(options.scopes),
                                          request.claims}
                                  .join(QChar(0x1f));
    if (cached) {
        const AccessTokenInfo token{cached->secret, cached->expiresOn, cached->refreshOn, cached->tokenType};
        const bool aging = !detail::RecentTokens::stillFresh(token, now);
        const bool mayRetry = now - d->lastRequest.value(flightKey, 0) >= kRefreshRetryDelay;
        if (!aging)
            d->recent.remember(options, generation, token);
        if (!aging || !mayRetry || d->inFlight.contains(flightKey))
            return detail::ready(TokenResult(token));
    }
    if (const auto running = d->inFlight.constFind(flightKey); running != d->inFlight.constEnd())
        return (*running)->subscribe();

    auto broadcast = std::make_shared<detail::Broadcast<TokenResult>>();
    d->inFlight.insert(flightKey, broadcast);
    d->lastRequest.insert(flightKey, now);
    requestToken(request).then(QtFuture::Launch::Sync,
                               detail::guarded(this, [this, flightKey, key, request, options, cached,
                                                      broadcast](const TokenResult &result) {
                                   d->inFlight.remove(flightKey);
                                   broadcast->publish(answered(result, key, request, options, cached));
                               }));
    return broadcast->subscribe();
}

TokenResult AppTokenCredential::answered(const TokenResult &result, const AppTokenCacheKey &key,
                                         const detail::AppTokenRequest &request,
                                         const TokenRequestOptions &options,
                                         const std::optional<CachedAccessToken> &cached)
{
    if (result.ok()) {
        // A token issued for a claims challenge answers only that challenge.
        if (!options.claims.isEmpty())
            return result;
        TokenResponseEntry entry;
        entry.clientId = key.clientId;
        entry.environment = key.environment;
        entry.realm = key.realm;
        entry.homeAccountId = key.homeAccountId;
        entry.scopes = request.scopes;
        entry.accessToken = result.value().token;
        entry.tokenType = result.value().tokenType;
        entry.now = d->clock->now();
        entry.expiresOn = result.value().expiresOn;
        entry.refreshOn = result.value().refreshOn;
        TokenCache &cache = cacheFor(request.cae);
        cache.add(entry);
        d->recent.remember(options, cache.generation(), result.value());
        return result;
    }
    if (cached && cached->expiresOn > d->clock->now()) {
        qCInfo(lcCredentials).noquote()
            << "token refresh failed, the cached token stays in use:" << result.error().toString();
        return AccessTokenInfo{cached->secret, cached->expiresOn, cached->refreshOn, cached->tokenType};
    }
    return result;
}

ConfidentialClientCredential::ConfidentialClientCredential(const ConfidentialClientOptions &options,
                                                           QObject *parent)
    : AppTokenCredential(options.cache, options.clock, parent)
{
    if (!options.cache)
        usePersistentCache(options.cachePersistenceOptions);
}

ConfidentialClientCredential::~ConfidentialClientCredential() = default;

void ConfidentialClientCredential::setApp(std::unique_ptr<detail::ConfidentialApp> app)
{
    m_app = std::move(app);
    if (m_app->configurationError())
        setConfigurationError(*m_app->configurationError());
}

detail::ConfidentialApp &ConfidentialClientCredential::app() const
{
    return *m_app;
}

Result<QString> ConfidentialClientCredential::validate(const TokenRequestOptions &options) const
{
    return m_app->validate(options);
}

AppTokenCacheKey ConfidentialClientCredential::cacheKey(const QString &tenant) const
{
    return m_app->cacheKey(tenant);
}

QFuture<TokenResult> ConfidentialClientCredential::requestToken(const detail::AppTokenRequest &request)
{
    return m_app->requestToken(request,
                               {{QStringLiteral("grant_type"), QStringLiteral("client_credentials")}});
}

} // namespace azid
