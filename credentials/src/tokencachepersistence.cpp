#include "azid/tokencachepersistence.h"

#include "cachepersistencehooks.h"
#include "futures.h"
#include "logging.h"

#include <QMutex>
#include <QMutexLocker>

namespace azid {

namespace {

QMutex factoryMutex;
TokenCachePersistenceFactory &installedFactory()
{
    static TokenCachePersistenceFactory factory;
    return factory;
}

} // namespace

void setTokenCachePersistenceFactory(TokenCachePersistenceFactory factory)
{
    QMutexLocker lock(&factoryMutex);
    installedFactory() = std::move(factory);
}

bool hasTokenCachePersistenceFactory()
{
    QMutexLocker lock(&factoryMutex);
    return bool(installedFactory());
}

Result<std::shared_ptr<TokenCachePersistence>>
makeTokenCachePersistence(const TokenCachePersistenceOptions &options)
{
    TokenCachePersistenceFactory factory;
    {
        QMutexLocker lock(&factoryMutex);
        factory = installedFactory();
    }
    if (!factory) {
        return AuthError::configuration(QStringLiteral(
            "cache_persistence_options needs a persistent cache: call "
            "azid::enableKeychainTokenCachePersistence() (the keychain module) once at start."));
    }
    return factory(options);
}

namespace detail {

PersistentCaches persistentCaches(const std::optional<TokenCachePersistenceOptions> &options)
{
    PersistentCaches caches;
    if (!options)
        return caches;
    Result<std::shared_ptr<TokenCachePersistence>> made = makeTokenCachePersistence(*options);
    if (!made) {
        caches.error = made.error();
        return caches;
    }
    caches.persistence = made.value();
    caches.cache = caches.persistence->cache(false);
    caches.caeCache = caches.persistence->cache(true);
    return caches;
}

void warnPersistenceFailed(const char *what, const AuthError &error)
{
    qCWarning(lcCredentials).noquote()
        << "the persistent token cache could not be" << what << ":" << error.message;
}

} // namespace detail

} // namespace azid
