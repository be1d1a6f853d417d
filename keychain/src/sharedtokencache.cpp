#include "azid/keychain/sharedtokencache.h"

#include "azid/keychain/cachepersistence.h"
#include "azid/keychain/msalextensionspersistence.h"
#include "azid/readyfuture.h"
#include "azid/tokencache.h"

#include <functional>

namespace azid {

namespace {

// Runs `next` once `first` succeeded; an error of `first` is the result.
QFuture<VoidResult> andThen(QFuture<VoidResult> first, std::function<QFuture<VoidResult>()> next)
{
    return first
        .then([next = std::move(next)](const VoidResult &result) {
            return result.ok() ? next() : ready(result);
        })
        .unwrap();
}

} // namespace

struct SharedTokenCache::State
{
    std::shared_ptr<TokenCache> cache = std::make_shared<TokenCache>();
    std::shared_ptr<TokenCache> caeCache = std::make_shared<TokenCache>();
    // Each with the cache it keeps, and that cache's generation after the last load or save.
    struct Entry
    {
        std::unique_ptr<CachePersistence> persistence;
        std::shared_ptr<TokenCache> cache;
    };
    std::vector<Entry> entries;
    quint64 loadedGeneration = 0;
    quint64 loadedCaeGeneration = 0;

    void remember()
    {
        loadedGeneration = cache->generation();
        loadedCaeGeneration = caeCache->generation();
    }
};

SharedTokenCache::SharedTokenCache(const TokenCachePersistenceOptions &options, Access access,
                                   const QString &directory)
    : m_state(std::make_shared<State>())
{
    TokenCachePersistenceOptions effective = options;
    if (access == Access::Read)
        effective.allowUnencryptedStorage = true; // as azure.identity's SharedTokenCacheCredential
    const auto add = [&](const QString &name, std::shared_ptr<CacheStorage> storage,
                         std::shared_ptr<TokenCache> cache) {
        m_state->entries.push_back(
            {std::make_unique<CachePersistence>(cache, std::move(storage), name), cache});
    };
    add(effective.cacheName(false), MsalExtensionsPersistence::forOptions(effective, false, false, directory),
        m_state->cache);
    add(effective.legacyCacheName(), MsalExtensionsPersistence::forOptions(effective, false, true, directory),
        m_state->cache);
    add(effective.cacheName(true), MsalExtensionsPersistence::forOptions(effective, true, false, directory),
        m_state->caeCache);
}

SharedTokenCache::~SharedTokenCache() = default;

std::shared_ptr<TokenCache> SharedTokenCache::cache() const
{
    return m_state->cache;
}

std::shared_ptr<TokenCache> SharedTokenCache::caeCache() const
{
    return m_state->caeCache;
}

QStringList SharedTokenCache::cacheNames() const
{
    QStringList names;
    for (const auto &entry : m_state->entries)
        names << entry.persistence->name();
    return names;
}

QFuture<VoidResult> SharedTokenCache::load()
{
    auto state = m_state;
    QFuture<VoidResult> result = ready(VoidResult(Done{}));
    for (auto &entry : state->entries) {
        CachePersistence *persistence = entry.persistence.get();
        result = andThen(result, [state, persistence] { return persistence->load(); });
    }
    return result.then([state](const VoidResult &loaded) {
        state->remember();
        return loaded;
    });
}

QFuture<VoidResult> SharedTokenCache::save()
{
    auto state = m_state;
    const bool changed = state->cache->generation() != state->loadedGeneration;
    const bool caeChanged = state->caeCache->generation() != state->loadedCaeGeneration;
    QFuture<VoidResult> result = ready(VoidResult(Done{}));
    for (auto &entry : state->entries) {
        if (!(entry.cache == state->cache ? changed : caeChanged))
            continue;
        CachePersistence *persistence = entry.persistence.get();
        result = andThen(result, [state, persistence] { return persistence->save(); });
    }
    return result.then([state](const VoidResult &saved) {
        if (saved)
            state->remember();
        return saved;
    });
}

void SharedTokenCache::copyAccount(const TokenCache &from, TokenCache &to, const QString &homeAccountId)
{
    // Nothing of that account in `from` leaves `to` (and its generation) alone.
    to.copyAccountFrom(from, homeAccountId);
}

QStringList SharedTokenCache::storageWarnings() const
{
    QStringList warnings;
    for (const auto &entry : m_state->entries) {
        const QString warning = entry.persistence->storageWarning();
        if (!warning.isEmpty() && !warnings.contains(warning))
            warnings << warning;
    }
    return warnings;
}

} // namespace azid
