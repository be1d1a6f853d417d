#include "azid/keychain/profilestorage.h"

#include "azid/keychain/cachepersistence.h"
#include "azid/keychain/keychainsecretstore.h"
#include "azid/keychain/storagelocation.h"
#include "azid/tokencache.h"

#include <functional>

namespace azid {

const QString ProfileStorage::CacheName = QStringLiteral("azid.cache.nocae");
const QString ProfileStorage::CaeCacheName = QStringLiteral("azid.cache.cae");

namespace {

bool isDefault(const QString &profile)
{
    return profile.isEmpty() || profile == QStringLiteral("default");
}

QFuture<VoidResult> readyResult(VoidResult result)
{
    return QtFuture::makeReadyFuture(std::move(result));
}

// Runs `next` once `first` succeeded; an error of `first` is the result.
QFuture<VoidResult> andThen(QFuture<VoidResult> first, std::function<QFuture<VoidResult>()> next)
{
    return first
        .then(QtFuture::Launch::Sync,
              [next = std::move(next)](const VoidResult &result) {
                  return result.ok() ? next() : readyResult(result);
              })
        .unwrap();
}

} // namespace

struct ProfileStorage::State
{
    QString profile;
    TokenPersistence persistence;
    std::shared_ptr<SecretStore> store;
    std::shared_ptr<TokenCache> cache = std::make_shared<TokenCache>();
    std::shared_ptr<TokenCache> caeCache = std::make_shared<TokenCache>();
    std::unique_ptr<AccountStore> accounts;
    std::unique_ptr<CachePersistence> persistenceNoCae;
    std::unique_ptr<CachePersistence> persistenceCae;

    QList<CachePersistence *> persisted() const
    {
        if (!persistenceNoCae)
            return {};
        return {persistenceNoCae.get(), persistenceCae.get()};
    }
};

QFuture<VoidResult> ProfileStorage::saveChanged(const std::shared_ptr<State> &state)
{
    QFuture<VoidResult> result = readyResult(Done{});
    for (CachePersistence *persistence : state->persisted()) {
        result = andThen(result, [state, persistence]() {
            return persistence->hasUnsavedChanges() ? persistence->save() : readyResult(Done{});
        });
    }
    return result;
}

ProfileStorage::ProfileStorage(const QString &profile, TokenPersistence persistence,
                               std::shared_ptr<SecretStore> store)
    : m_state(std::make_shared<State>())
{
    m_state->profile = isDefault(profile) ? QStringLiteral("default") : profile;
    m_state->persistence = persistence;
    m_state->store = store ? std::move(store)
                           : std::make_shared<KeychainSecretStore>(isDefault(profile) ? QString() : profile);
    m_state->accounts = std::make_unique<AccountStore>(m_state->store);
    if (persistence == TokenPersistence::Encrypted) {
        m_state->persistenceNoCae = std::make_unique<CachePersistence>(
            m_state->store, m_state->cache, CacheName, defaultCacheFilePath(m_state->profile, CacheName));
        m_state->persistenceCae = std::make_unique<CachePersistence>(
            m_state->store, m_state->caeCache, CaeCacheName,
            defaultCacheFilePath(m_state->profile, CaeCacheName));
    }
}

ProfileStorage::~ProfileStorage() = default;

QString ProfileStorage::profile() const
{
    return m_state->profile;
}

ProfileStorage::TokenPersistence ProfileStorage::tokenPersistence() const
{
    return m_state->persistence;
}

std::shared_ptr<SecretStore> ProfileStorage::secretStore() const
{
    return m_state->store;
}

std::shared_ptr<TokenCache> ProfileStorage::cache() const
{
    return m_state->cache;
}

std::shared_ptr<TokenCache> ProfileStorage::caeCache() const
{
    return m_state->caeCache;
}

AccountStore &ProfileStorage::accounts() const
{
    return *m_state->accounts;
}

QStringList ProfileStorage::cacheFilePaths() const
{
    return {defaultCacheFilePath(m_state->profile, CacheName),
            defaultCacheFilePath(m_state->profile, CaeCacheName)};
}

QFuture<VoidResult> ProfileStorage::loadCaches()
{
    QFuture<VoidResult> result = readyResult(Done{});
    for (CachePersistence *persistence : m_state->persisted()) {
        result = andThen(result, [state = m_state, persistence]() { return persistence->load(); });
    }
    return result;
}

QFuture<VoidResult> ProfileStorage::saveCaches()
{
    return saveChanged(m_state);
}

bool ProfileStorage::hasUnsavedChanges() const
{
    for (CachePersistence *persistence : m_state->persisted()) {
        if (persistence->hasUnsavedChanges())
            return true;
    }
    return false;
}

QFuture<VoidResult> ProfileStorage::removeAccount(const AuthenticationRecord &record)
{
    auto state = m_state;
    return andThen(loadCaches(), [state, record]() {
        for (const auto &cache : {state->cache, state->caeCache})
            cache->removeAccount(record.homeAccountId, record.authority, record.clientId);
        return andThen(saveChanged(state),
                       [state, record]() { return state->accounts->remove(record.homeAccountId); });
    });
}

} // namespace azid
