#include "azid/keychain/cachepersistence.h"

#include "azid/keychain/encryptedcachefile.h"
#include "azid/keychain/storagelocation.h"
#include "azid/tokencache.h"
#include "cachemerge.h"
#include "filelock.h"
#include "keychainlogging.h"
#include "operationqueue.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <atomic>

namespace azid {

struct CachePersistence::State : std::enable_shared_from_this<State>
{
    std::shared_ptr<SecretStore> store;
    std::shared_ptr<TokenCache> cache;
    QString name;
    QString keyName;
    EncryptedCacheFile file;
    std::optional<AuthError> invalid;
    std::atomic<qint64> lockTimeoutMs{DefaultLockTimeout.count()};
    detail::OperationQueue queue;

    // What the last sync saw; only operations touch it, and the queue runs them one at a time.
    bool synced = false;
    FileStamp stamp; // the file
    Secret base;     // the cache's JSON
    std::atomic<quint64> generation{0};

    State(std::shared_ptr<SecretStore> s, std::shared_ptr<TokenCache> c, QString n, QString path)
        : store(std::move(s)), cache(std::move(c)), name(std::move(n)),
          keyName(QStringLiteral("cache-key:") + name), file(std::move(path))
    {
        if (!isValidCacheName(name)) {
            invalid = AuthError::unavailable(
                QStringLiteral("'%1' is not a valid token cache name: use letters, digits, '.', '_' and '-'.")
                    .arg(name));
        }
    }

    QFuture<VoidResult> load();
    QFuture<VoidResult> save();
    VoidResult mergeFile(const std::optional<EncryptedCacheFile::Contents> &contents);
    VoidResult mergeIntoCache(const QJsonObject &theirs, const FileStamp &theirsStamp);
    VoidResult writeLocked(const Secret &key);
    AuthError missingKey();
    AuthError readFailed(const AuthError &error);
    void forgetSync();
};

namespace {

QJsonObject parseCache(const Secret &json, bool *ok = nullptr)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json.reveal(), &error);
    if (ok)
        *ok = error.error == QJsonParseError::NoError && document.isObject();
    return document.object();
}

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
    // The file is gone (kept aside): start over, and make the next save write the whole cache.
    synced = false;
    stamp = FileStamp();
    base.clear();
    generation = 0;
}

AuthError CachePersistence::State::readFailed(const AuthError &error)
{
    if (!file.stamp().exists)
        forgetSync();
    return error;
}

AuthError CachePersistence::State::missingKey()
{
    const QString problem =
        QStringLiteral("The token cache file %1 cannot be decrypted: its key (keychain item "
                       "'%2') was not found; the keychain may be locked, or the key was deleted.")
            .arg(file.path(), keyName);
    const Result<QString> kept = file.moveAside();
    if (!kept) {
        return AuthError::unavailable(
            problem +
            QStringLiteral(" It could not be moved aside (%1); move or delete it, then sign in again.")
                .arg(kept.error().message));
    }
    forgetSync();
    return AuthError::unavailable(problem +
                                  QStringLiteral(" It has been kept as %1 (unlock the keychain and rename "
                                                 "it back to recover it); sign in again.")
                                      .arg(kept.value()));
}

VoidResult CachePersistence::State::mergeIntoCache(const QJsonObject &theirs, const FileStamp &theirsStamp)
{
    const QJsonObject baseObject = synced ? parseCache(base) : QJsonObject();
    for (int attempt = 0; attempt < 3; ++attempt) {
        auto [oursJson, oursGeneration] = snapshot(*cache);
        const QJsonObject ours = parseCache(oursJson);
        const QJsonObject merged = detail::mergeCaches(baseObject, ours, theirs);
        if (merged == ours) {
            base = std::move(oursJson);
            generation = oursGeneration;
        } else {
            if (cache->generation() != oursGeneration)
                continue; // changed meanwhile: merge again rather than drop that change
            QByteArray mergedJson = QJsonDocument(merged).toJson(QJsonDocument::Compact);
            const VoidResult applied = cache->deserialize(mergedJson);
            scrub(mergedJson);
            if (!applied)
                return applied.error();
            auto [newBase, newGeneration] = snapshot(*cache);
            base = std::move(newBase);
            generation = newGeneration;
        }
        stamp = theirsStamp;
        synced = true;
        return Done{};
    }
    return AuthError::unavailable(
        QStringLiteral("The token cache %1 kept changing while it was being merged; try again.").arg(name));
}

VoidResult CachePersistence::State::mergeFile(const std::optional<EncryptedCacheFile::Contents> &contents)
{
    // As in msal-extensions, a missing file changes nothing in memory: whoever removed it (or moved it
    // aside) did not mean to sign out this process, whose next save writes the file again.
    if (!contents)
        return mergeIntoCache(synced ? parseCache(base) : QJsonObject(), FileStamp());
    bool ok = false;
    const QJsonObject theirs = parseCache(contents->plaintext, &ok);
    if (!ok) {
        // Decrypted, so written with our key, yet not a cache: keep it for inspection like any damage.
        const Result<QString> kept = file.moveAside();
        const QString problem =
            QStringLiteral("The token cache file %1 does not hold a token cache.").arg(file.path());
        if (!kept)
            return AuthError::unavailable(
                problem + QStringLiteral(" It could not be moved aside (%1).").arg(kept.error().message));
        forgetSync();
        return AuthError::unavailable(
            problem + QStringLiteral(" It has been kept as %1; sign in again.").arg(kept.value()));
    }
    return mergeIntoCache(theirs, contents->stamp);
}

VoidResult CachePersistence::State::writeLocked(const Secret &key)
{
    const FileStamp current = file.stamp();
    VoidResult merged = Done{};
    if (synced && current == stamp) {
        merged = mergeIntoCache(parseCache(base), stamp); // nobody else wrote: take the cache as it is
    } else {
        const auto contents = file.read(key);
        if (!contents)
            return readFailed(contents.error());
        merged = mergeFile(contents.value());
    }
    if (!merged)
        return merged;
    const Result<FileStamp> written = file.write(base, key);
    if (!written)
        return written.error();
    stamp = written.value();
    qCDebug(lcKeychain) << "saved the token cache" << name << "to" << file.path();
    return Done{};
}

QFuture<VoidResult> CachePersistence::State::load()
{
    if (invalid)
        return QtFuture::makeReadyFuture(VoidResult(*invalid));
    const FileStamp current = file.stamp();
    if (synced && current == stamp)
        return QtFuture::makeReadyFuture(VoidResult(Done{}));
    if (!current.exists)
        return QtFuture::makeReadyFuture(mergeFile(std::nullopt));
    auto self = shared_from_this();
    return store->read(keyName).then([self](const SecretResult &key) -> VoidResult {
        if (!key)
            return key.error();
        if (!key.value())
            return self->file.stamp().exists ? self->missingKey() : self->mergeFile(std::nullopt);
        const auto contents = self->file.read(*key.value());
        if (!contents)
            return self->readFailed(contents.error());
        return self->mergeFile(contents.value());
    });
}

QFuture<VoidResult> CachePersistence::State::save()
{
    if (invalid)
        return QtFuture::makeReadyFuture(VoidResult(*invalid));
    if (synced && cache->generation() == generation)
        return QtFuture::makeReadyFuture(VoidResult(Done{}));
    if (const VoidResult folder = file.createFolder(); !folder)
        return QtFuture::makeReadyFuture(folder);
    auto locked =
        detail::FileLock::acquire(file.lockFilePath(), std::chrono::milliseconds(lockTimeoutMs.load()));
    if (!locked)
        return QtFuture::makeReadyFuture(VoidResult(locked.error()));
    std::shared_ptr<detail::FileLock> lock = locked.value();

    // The lock stays held across the keychain round trip, so that two processes saving for the first
    // time cannot both create a key.
    auto self = shared_from_this();
    QFuture<VoidResult> work =
        store->read(keyName)
            .then([self](const SecretResult &key) -> QFuture<VoidResult> {
                if (!key)
                    return QtFuture::makeReadyFuture(VoidResult(key.error()));
                if (key.value())
                    return QtFuture::makeReadyFuture(self->writeLocked(*key.value()));
                if (self->file.stamp().exists)
                    return QtFuture::makeReadyFuture(VoidResult(self->missingKey()));
                const Secret fresh = EncryptedCacheFile::generateKey();
                if (fresh.isEmpty()) {
                    return QtFuture::makeReadyFuture(VoidResult(AuthError::unavailable(QStringLiteral(
                        "Cannot create a key for the token cache: no random bytes available."))));
                }
                return self->store->write(self->keyName, fresh).then([self, fresh](const VoidResult &stored) {
                    return stored ? self->writeLocked(fresh) : stored;
                });
            })
            .unwrap();
    return work
        .then([lock](const VoidResult &result) {
            lock->release();
            return result;
        })
        .onCanceled([lock] {
            lock->release();
            return VoidResult(
                AuthError::unavailable(QStringLiteral("Saving the token cache was cancelled.")));
        });
}

CachePersistence::CachePersistence(std::shared_ptr<SecretStore> store, std::shared_ptr<TokenCache> cache,
                                   QString name, QString filePath)
    : m_state(
          std::make_shared<State>(std::move(store), std::move(cache), std::move(name), std::move(filePath)))
{}

CachePersistence::~CachePersistence() = default;

QString CachePersistence::name() const
{
    return m_state->name;
}

QString CachePersistence::filePath() const
{
    return m_state->file.path();
}

QString CachePersistence::keyName() const
{
    return m_state->keyName;
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

} // namespace azid
