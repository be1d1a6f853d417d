#include "azid/keychain/profilestorage.h"

#include "azid/keychain/cachepersistence.h"
#include "azid/keychain/filesecretstore.h"
#include "azid/keychain/keychainsecretstore.h"
#include "azid/keychain/memorysecretstore.h"
#include "azid/keychain/storagelocation.h"

#include "azid/keychain/cachestorage.h"
#include "azid/keychain/storagefailure.h"
#include "azid/readyfuture.h"
#include "azid/tokencache.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <functional>

namespace azid {

const QString ProfileStorage::CacheName = QStringLiteral("azid.cache.nocae");
const QString ProfileStorage::CaeCacheName = QStringLiteral("azid.cache.cae");

namespace {

bool isDefault(const QString &profile)
{
    return profile.isEmpty() || profile == QStringLiteral("default");
}

// Runs `next` once `first` succeeded; an error of `first` is the result.
QFuture<VoidResult> andThen(QFuture<VoidResult> first, std::function<QFuture<VoidResult>()> next)
{
    return first
        .then(QtFuture::Launch::Sync,
              [next = std::move(next)](const VoidResult &result) {
                  return result.ok() ? next() : ready(result);
              })
        .unwrap();
}

} // namespace

struct ProfileStorage::State
{
    QString profile;
    TokenPersistence persistence;
    Options options;
    std::shared_ptr<SecretStore> store;
    std::shared_ptr<SecretStore> keys; // the keychain, which holds the caches' keys
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
    QFuture<VoidResult> result = ready(VoidResult(Done{}));
    for (CachePersistence *persistence : state->persisted()) {
        result = andThen(result, [state, persistence]() {
            return persistence->hasUnsavedChanges() ? persistence->save() : ready(VoidResult(Done{}));
        });
    }
    return result;
}

ProfileStorage::ProfileStorage(const QString &profile, TokenPersistence persistence,
                               std::shared_ptr<SecretStore> store)
    : ProfileStorage(profile, Options{persistence, false, Options().cache}, std::move(store))
{}

ProfileStorage::ProfileStorage(const QString &profile, const Options &options,
                               std::shared_ptr<SecretStore> store)
    : m_state(std::make_shared<State>())
{
    m_state->profile = isDefault(profile) ? QStringLiteral("default") : profile;
    m_state->options = options;
    m_state->persistence = options.memoryOnly ? TokenPersistence::MemoryOnly : options.tokens;
    // The keys of the encrypted caches always go to the keychain itself (never to plain files).
    std::shared_ptr<SecretStore> keychain;
    if (store) {
        keychain = store;
    } else if (options.memoryOnly) {
        keychain = std::make_shared<MemorySecretStore>(); // no keychain access at all
    } else {
        keychain = std::make_shared<KeychainSecretStore>(isDefault(profile) ? QString() : profile);
    }
    m_state->store = keychain;
    if (!store && !options.memoryOnly && options.cache.allowUnencryptedStorage) {
        m_state->store = std::make_shared<FallbackSecretStore>(
            keychain,
            std::make_shared<FileSecretStore>(
                QDir(profileDataDirectory(m_state->profile)).filePath(QStringLiteral("unencrypted-items"))),
            true);
    }
    m_state->keys = keychain;
    m_state->accounts = std::make_unique<AccountStore>(
        m_state->store,
        options.memoryOnly
            ? QString()
            : QDir(profileDataDirectory(m_state->profile)).filePath(QStringLiteral("accounts.lockfile")));
    if (m_state->persistence == TokenPersistence::Encrypted) {
        m_state->persistenceNoCae =
            CachePersistence::forProfile(keychain, m_state->cache, m_state->profile, options.cache, false);
        m_state->persistenceCae =
            CachePersistence::forProfile(keychain, m_state->caeCache, m_state->profile, options.cache, true);
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

const ProfileStorage::Options &ProfileStorage::options() const
{
    return m_state->options;
}

QStringList ProfileStorage::storageWarnings() const
{
    QStringList warnings;
    if (const auto *fallback = dynamic_cast<const FallbackSecretStore *>(m_state->store.get());
        fallback && !fallback->warning().isEmpty())
        warnings << fallback->warning();
    for (CachePersistence *persistence : m_state->persisted()) {
        const QString warning = persistence->storageWarning();
        if (!warning.isEmpty() && !warnings.contains(warning))
            warnings << warning;
    }
    return warnings;
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
    return {defaultCacheFilePath(m_state->profile, m_state->options.cache.cacheName(false)),
            defaultCacheFilePath(m_state->profile, m_state->options.cache.cacheName(true))};
}

QFuture<VoidResult> ProfileStorage::loadCaches(Caches which)
{
    QFuture<VoidResult> result = ready(VoidResult(Done{}));
    for (CachePersistence *persistence : m_state->persisted()) {
        const bool cae = persistence == m_state->persistenceCae.get();
        if ((cae && which == Caches::WithoutCae) || (!cae && which == Caches::WithCae))
            continue;
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
        // The record names the issuer's host[:port]; the credentials file tokens under the host alone.
        QStringList environments{record.authority};
        const qsizetype colon = record.authority.lastIndexOf(QLatin1Char(':'));
        if (colon > 0 && !record.authority.contains(QLatin1Char(']')))
            environments << record.authority.left(colon);
        for (const auto &cache : {state->cache, state->caeCache}) {
            for (const QString &environment : std::as_const(environments))
                cache->removeAccount(record.homeAccountId, environment, record.clientId);
        }
        return andThen(andThen(saveChanged(state),
                               [state, record]() { return state->accounts->remove(record.homeAccountId); }),
                       [state]() { return removeSetAsideCopiesWhenNoAccountIsLeft(state); });
    });
}

// Copies of damaged caches (<cache file>.corrupt-<time>) hold the tokens of the accounts that were in
// them: once the last account of the profile is removed, nothing in them is anyone's any more.
QFuture<VoidResult>
ProfileStorage::removeSetAsideCopiesWhenNoAccountIsLeft(const std::shared_ptr<State> &state)
{
    return state->accounts->list().then(
        QtFuture::Launch::Sync, [state](const Result<QList<StoredAccount>> &accounts) -> VoidResult {
            if (!accounts)
                return accounts.error();
            if (!accounts.value().isEmpty())
                return Done{};
            for (CachePersistence *persistence : state->persisted()) {
                const EncryptedFileStorage storage(state->keys, persistence->keyName(),
                                                   defaultCacheFilePath(state->profile, persistence->name()));
                for (const QString &copy : storage.setAsideCopies()) {
                    if (!QFile::remove(copy))
                        return storageError(
                            StorageFailure::FileError,
                            QStringLiteral("The account was removed, but the copy of a damaged "
                                           "token cache %1 could not be deleted: delete it by hand.")
                                .arg(copy));
                }
            }
            return Done{};
        });
}

QFuture<Result<QStringList>> ProfileStorage::restorableCaches()
{
    if (m_state->persistence != TokenPersistence::Encrypted)
        return ready(Result<QStringList>(QStringList()));
    auto state = m_state;
    auto found = std::make_shared<QStringList>();
    QFuture<VoidResult> result = ready(VoidResult(Done{}));
    for (CachePersistence *persistence : state->persisted()) {
        const auto storage = std::make_shared<EncryptedFileStorage>(
            state->keys, persistence->keyName(), defaultCacheFilePath(state->profile, persistence->name()));
        result = andThen(result, [storage, found]() {
            return storage->restorableCopies().then(QtFuture::Launch::Sync,
                                                    [found](const Result<QStringList> &copies) -> VoidResult {
                                                        if (!copies)
                                                            return copies.error();
                                                        *found << copies.value();
                                                        return Done{};
                                                    });
        });
    }
    return result.then(QtFuture::Launch::Sync, [found](const VoidResult &done) -> Result<QStringList> {
        if (!done)
            return done.error();
        return *found;
    });
}

QFuture<VoidResult> ProfileStorage::restoreCache(const QString &path)
{
    auto state = m_state;
    const QString fileName = QFileInfo(path).fileName();
    for (CachePersistence *persistence : state->persisted()) {
        const QString cacheFile = defaultCacheFilePath(state->profile, persistence->name());
        if (!fileName.startsWith(QFileInfo(cacheFile).fileName() + QStringLiteral(".corrupt-")))
            continue;
        const std::shared_ptr<TokenCache> cache =
            persistence == state->persistenceCae.get() ? state->caeCache : state->cache;
        const auto storage =
            std::make_shared<EncryptedFileStorage>(state->keys, persistence->keyName(), cacheFile);
        auto copy = std::make_shared<Secret>();
        QFuture<VoidResult> read = storage->readCopy(path).then(
            QtFuture::Launch::Sync, [copy](const Result<Secret> &contents) -> VoidResult {
                if (!contents)
                    return contents.error();
                *copy = contents.value();
                return Done{};
            });
        return andThen(andThen(read, [persistence]() { return persistence->load(); }), [state, persistence,
                                                                                        cache, copy, path]() {
            if (const VoidResult applied = cache->addMissingEntries(copy->reveal()); !applied) {
                return ready(VoidResult(storageError(
                    StorageFailure::CacheDamaged, QStringLiteral("The sign-ins of %1 cannot be restored: %2")
                                                      .arg(path, applied.error().message))));
            }
            return andThen(persistence->save(), [path]() {
                if (!QFile::remove(path)) {
                    return ready(VoidResult(
                        storageError(StorageFailure::FileError,
                                     QStringLiteral("The sign-ins of %1 were restored, but the file could "
                                                    "not be deleted; delete it yourself.")
                                         .arg(path))));
                }
                return ready(VoidResult(Done{}));
            });
        });
    }
    return ready(VoidResult(storageError(
        StorageFailure::CacheDamaged,
        QStringLiteral("%1 is not a set-aside copy of this profile's token caches (their files are %2).")
            .arg(path, cacheFilePaths().join(QStringLiteral(", "))))));
}

} // namespace azid
