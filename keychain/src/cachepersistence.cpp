#include "azid/keychain/cachepersistence.h"

#include "atomicfile.h"
#include "azid/keychain/storagefailure.h"
#include "azid/keychain/storagelocation.h"
#include "azid/readyfuture.h"
#include "azid/tokencache.h"
#include "filelock.h"
#include "keychainlogging.h"
#include "operationqueue.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QTimer>

#include <atomic>

namespace azid {

namespace {

QString keyNameFor(const QString &name)
{
    return QStringLiteral("cache-key:") + name;
}

} // namespace

struct CachePersistence::State : std::enable_shared_from_this<State>
{
    std::shared_ptr<CacheStorage> storage;
    std::shared_ptr<TokenCache> cache;
    QString name;
    std::optional<AuthError> invalid;
    std::atomic<qint64> lockTimeoutMs{DefaultLockTimeout.count()};
    detail::OperationQueue queue;

    // What the last sync saw; only operations touch it, and the queue runs them one at a time.
    bool synced = false;
    FileStamp stamp; // of the storage's stamp file
    Secret base;     // what the storage held: the common ancestor of the next three-way merge
    // The cache's generation when it last matched what is stored; 0: it holds changes still to save.
    std::atomic<quint64> generation{0};
    // The lock of the last save, which lives on until its keychain job has really ended.
    QFuture<void> lastLockReleased = QtFuture::makeReadyFuture();

    State(std::shared_ptr<CacheStorage> s, std::shared_ptr<TokenCache> c, QString n)
        : storage(std::move(s)), cache(std::move(c)), name(std::move(n))
    {
        // An empty cache has nothing to save until something is added: a process that never loads or
        // uses this cache (azid-cli token without CAE and the CAE cache) never locks or writes its file.
        if (cache->isEmpty())
            generation = cache->generation();
        if (!isValidCacheName(name)) {
            invalid = storageError(
                StorageFailure::InvalidName,
                QStringLiteral("'%1' is not a valid token cache name: use letters, digits, '.', '_' and '-'.")
                    .arg(name));
        }
    }

    QFuture<VoidResult> load();
    QFuture<VoidResult> save();
    // save() once the last save's lock is released, waited for in the event loop: acquiring it would
    // block this thread, which the keychain job holding it needs to end. At most the lock timeout.
    QFuture<VoidResult> saveAfterOwnLock(QCoreApplication *app);
    // Merges what is stored into the cache; returns what the cache holds then (what a save writes)
    // and the cache's generation at that moment.
    Result<std::pair<Secret, quint64>> mergeSnapshot(const std::optional<CacheSnapshot> &snapshot);
    // The three-way merge of what is stored (`theirs`; empty: nothing) into the cache.
    Result<std::pair<Secret, quint64>> mergeIntoCache(const Secret &theirs, const FileStamp &theirsStamp);
    // The first load into an empty cache (a process starting): nothing to merge, so what is stored
    // is parsed once and becomes the cache and the base as it is.
    Result<std::pair<Secret, quint64>> adoptIntoEmptyCache(const CacheSnapshot &stored);
    AuthError readFailed(const AuthError &error);
    // What is stored is not a token cache (`why`: the parser's words, if any). Nothing is overwritten.
    AuthError notACache(const QString &why) const
    {
        return storageError(
            StorageFailure::CacheDamaged,
            QStringLiteral("The token cache in %1 cannot be read%2. Nothing was overwritten: "
                           "move it away (or delete it) to start with an empty cache, then "
                           "sign in again.")
                .arg(storage->description(), why.isEmpty() ? QString()
                                                           : QStringLiteral(" (%1)").arg(why.chopped(
                                                                 why.endsWith(QLatin1Char('.')) ? 1 : 0))));
    }
    // Writes `data` (the cache at `dataGeneration`) while `lock` is held, and records it as the base.
    QFuture<VoidResult> writeLocked(Secret data, quint64 dataGeneration, std::shared_ptr<void> lock);
    void forgetSync();
};

namespace {

// The cache's JSON together with the generation it belongs to.
std::pair<Secret, quint64> snapshot(const TokenCache &cache)
{
    for (int attempt = 0;; ++attempt) {
        const quint64 before = cache.generation();
        Secret json(cache.serialize());
        if (cache.generation() == before || attempt == 10)
            return {std::move(json), before};
    }
}

} // namespace

void CachePersistence::State::forgetSync()
{
    // The stored cache is gone (kept aside): start over, and make the next save write the whole cache.
    synced = false;
    stamp = FileStamp();
    base.clear();
    generation = 0;
}

AuthError CachePersistence::State::readFailed(const AuthError &error)
{
    if (!storage->stamp().exists)
        forgetSync();
    return error;
}

Result<std::pair<Secret, quint64>> CachePersistence::State::mergeIntoCache(const Secret &theirs,
                                                                           const FileStamp &theirsStamp)
{
    const Result<TokenCacheMerge> merged =
        cache->merge(synced ? base.reveal() : QByteArray(), theirs.reveal());
    if (!merged)
        return notACache(merged.error().message);
    base = theirs;
    stamp = theirsStamp;
    synced = true;
    // In step with the storage only when the merge brought nothing of ours the storage lacks.
    generation = merged.value().matchesTheirs ? merged.value().generation : 0;
    return std::pair<Secret, quint64>(merged.value().json, merged.value().generation);
}

Result<std::pair<Secret, quint64>> CachePersistence::State::adoptIntoEmptyCache(const CacheSnapshot &stored)
{
    const quint64 before = cache->generation();
    const VoidResult applied = cache->deserialize(stored.data.reveal());
    if (!applied) {
        return notACache(applied.error().message);
    }
    // Changed by someone else meanwhile (the cache is shared with the credentials): that change is ours
    // to save, so the cache counts as changed.
    const quint64 adopted = cache->generation();
    base = stored.data;
    stamp = stored.stamp;
    synced = true;
    generation = adopted == before + 1 ? adopted : 0;
    return std::pair<Secret, quint64>(stored.data, adopted);
}

Result<std::pair<Secret, quint64>>
CachePersistence::State::mergeSnapshot(const std::optional<CacheSnapshot> &stored)
{
    // As in msal-extensions, nothing stored changes nothing in memory: whoever removed it (or moved it
    // aside) did not mean to sign out this process, whose next save writes it again.
    if (!stored)
        return mergeIntoCache(synced ? base : Secret(), FileStamp());
    if (!synced && cache->isEmpty())
        return adoptIntoEmptyCache(*stored);
    return mergeIntoCache(stored->data, stored->stamp);
}

QFuture<VoidResult> CachePersistence::State::load()
{
    if (invalid)
        return ready(VoidResult(*invalid));
    auto self = shared_from_this();
    return storage->prepare()
        .then([self](const VoidResult &prepared) -> QFuture<VoidResult> {
            if (!prepared)
                return ready(prepared);
            const FileStamp current = self->storage->stamp();
            if (self->synced && current == self->stamp)
                return ready(VoidResult(Done{}));
            if (self->synced && !current.exists) {
                const auto merged = self->mergeSnapshot(std::nullopt);
                return ready(merged ? VoidResult(Done{}) : VoidResult(merged.error()));
            }
            return self->storage->read().then([self](const Result<std::optional<CacheSnapshot>> &stored) {
                if (!stored)
                    return VoidResult(self->readFailed(stored.error()));
                const auto merged = self->mergeSnapshot(stored.value());
                return merged ? VoidResult(Done{}) : VoidResult(merged.error());
            });
        })
        .unwrap();
}

QFuture<VoidResult> CachePersistence::State::save()
{
    if (invalid)
        return ready(VoidResult(*invalid));
    if (synced && cache->generation() == generation)
        return ready(VoidResult(Done{}));
    if (QCoreApplication *app = QCoreApplication::instance(); app && !lastLockReleased.isFinished())
        return saveAfterOwnLock(app);
    auto self = shared_from_this();
    return storage->prepare()
        .then([self](const VoidResult &prepared) -> QFuture<VoidResult> {
            if (!prepared)
                return ready(prepared);
            const QString lockPath = self->storage->lockFilePath();
            if (const auto problem = detail::ensureDirectory(QFileInfo(lockPath).absolutePath())) {
                return ready(VoidResult(storageError(
                    StorageFailure::FileError,
                    QStringLiteral("Cannot save the token cache %1: %2.").arg(self->name, *problem))));
            }
            auto locked =
                detail::FileLock::acquire(lockPath, std::chrono::milliseconds(self->lockTimeoutMs.load()));
            if (!locked)
                return ready(VoidResult(locked.error()));
            // Held until the write has really finished (see CacheStorage::write); released when the
            // last copy goes.
            std::shared_ptr<detail::FileLock> lock = locked.value();
            self->lastLockReleased = lock->released();
            if (self->synced && self->storage->stamp() == self->stamp) {
                // Nobody wrote since our last load or save: what is stored is our base, so the cache
                // as it is now is the merge, and the file need not be read again.
                auto [data, dataGeneration] = snapshot(*self->cache);
                return self->writeLocked(std::move(data), dataGeneration, lock);
            }
            return self->storage->read()
                .then(
                    [self, lock](const Result<std::optional<CacheSnapshot>> &stored) -> QFuture<VoidResult> {
                        if (!stored)
                            return ready(VoidResult(self->readFailed(stored.error())));
                        const auto merged = self->mergeSnapshot(stored.value());
                        if (!merged)
                            return ready(VoidResult(merged.error()));
                        const quint64 mergedGeneration = merged.value().second;
                        if (self->generation == mergedGeneration)
                            return ready(VoidResult(Done{})); // the storage holds all of it already
                        return self->writeLocked(merged.value().first, mergedGeneration, lock);
                    })
                .unwrap()
                .onCanceled([] {
                    return VoidResult(storageError(StorageFailure::FileError,
                                                   QStringLiteral("Saving the token cache was cancelled.")));
                });
        })
        .unwrap();
}

QFuture<VoidResult> CachePersistence::State::saveAfterOwnLock(QCoreApplication *app)
{
    auto self = shared_from_this();
    auto waited = std::make_shared<QPromise<bool>>();
    waited->start();
    // Both run in the application's thread, one after the other: the first one settles.
    auto settle = [waited](bool released) {
        if (waited->future().isFinished())
            return;
        waited->addResult(released);
        waited->finish();
    };
    lastLockReleased.then(app, [settle] { settle(true); });
    QTimer::singleShot(std::chrono::milliseconds(lockTimeoutMs.load()), app, [settle] { settle(false); });
    return waited->future()
        .then(QtFuture::Launch::Sync,
              [self](bool released) -> QFuture<VoidResult> {
                  if (released)
                      return self->save();
                  return ready(VoidResult(storageError(
                      StorageFailure::CacheLocked,
                      QStringLiteral("The token cache %1 is still locked by this process: its last save "
                                     "waits for the keychain to answer. Try again once the keychain "
                                     "responds.")
                          .arg(self->name))));
              })
        .unwrap();
}

QFuture<VoidResult> CachePersistence::State::writeLocked(Secret data, quint64 dataGeneration,
                                                         std::shared_ptr<void> lock)
{
    auto self = shared_from_this();
    return storage->write(data, std::move(lock))
        .then([self, data, dataGeneration](const Result<FileStamp> &written) {
            if (!written)
                return VoidResult(written.error()); // the merge's bookkeeping stands: unsaved
            self->base = data;
            self->generation = dataGeneration;
            self->stamp = written.value();
            qCDebug(lcKeychain).noquote()
                << "saved the token cache" << self->name << "to" << self->storage->description();
            return VoidResult(Done{});
        });
}

CachePersistence::CachePersistence(std::shared_ptr<SecretStore> store, std::shared_ptr<TokenCache> cache,
                                   QString name, QString filePath)
    : CachePersistence(
          std::move(cache),
          std::make_shared<EncryptedFileStorage>(std::move(store), keyNameFor(name), std::move(filePath)),
          name)
{}

CachePersistence::CachePersistence(std::shared_ptr<TokenCache> cache, std::shared_ptr<CacheStorage> storage,
                                   QString name)
    : m_state(std::make_shared<State>(std::move(storage), std::move(cache), std::move(name)))
{}

CachePersistence::~CachePersistence() = default;

std::unique_ptr<CachePersistence>
CachePersistence::forProfile(std::shared_ptr<SecretStore> keychain, std::shared_ptr<TokenCache> cache,
                             const QString &profile, const TokenCachePersistenceOptions &options, bool cae)
{
    const QString name = options.cacheName(cae);
    auto encrypted = std::make_shared<EncryptedFileStorage>(std::move(keychain), keyNameFor(name),
                                                            defaultCacheFilePath(profile, name));
    auto plain = std::make_shared<PlainFileStorage>(unencryptedCacheFilePath(profile, name));
    auto storage = std::make_shared<FallbackCacheStorage>(
        encrypted, plain, options.allowUnencryptedStorage, [encrypted] { return encrypted->probe(); },
        /*migratePlain=*/true);
    return std::make_unique<CachePersistence>(std::move(cache), std::move(storage), name);
}

QString CachePersistence::name() const
{
    return m_state->name;
}

QString CachePersistence::filePath() const
{
    return m_state->storage->stampFilePath();
}

QString CachePersistence::keyName() const
{
    return keyNameFor(m_state->name);
}

std::shared_ptr<CacheStorage> CachePersistence::storage() const
{
    return m_state->storage;
}

QFuture<VoidResult> CachePersistence::load()
{
    auto state = m_state;
    return state->queue.enqueue<VoidResult>([state] { return state->load(); });
}

QFuture<VoidResult> CachePersistence::save()
{
    auto state = m_state;
    return state->queue.enqueue<VoidResult>([state] { return state->save(); });
}

bool CachePersistence::hasUnsavedChanges() const
{
    return m_state->cache->generation() != m_state->generation.load();
}

void CachePersistence::setLockTimeout(std::chrono::milliseconds timeout)
{
    m_state->lockTimeoutMs = timeout.count();
}

QString CachePersistence::storageWarning() const
{
    return m_state->storage->warning();
}

} // namespace azid
