#include "azid/keychain/cachestorage.h"

#include "atomicfile.h"
#include "azid/keychain/storagefailure.h"
#include "cachejson.h"
#include "keychainlogging.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <cerrno>
#include <unistd.h>
#include <utility>

namespace azid {

namespace {

template <typename T> QFuture<T> ready(T value)
{
    return QtFuture::makeReadyFuture(std::move(value));
}

using SnapshotResult = Result<std::optional<CacheSnapshot>>;

} // namespace

CacheStorage::~CacheStorage() = default;

QFuture<VoidResult> CacheStorage::prepare()
{
    return ready(VoidResult(Done{}));
}

// ---- EncryptedFileStorage ------------------------------------------------------------------------

EncryptedFileStorage::EncryptedFileStorage(std::shared_ptr<SecretStore> keys, QString keyName,
                                           QString filePath)
    : m_keys(std::move(keys)), m_keyName(std::move(keyName)), m_file(std::move(filePath))
{}

QString EncryptedFileStorage::description() const
{
    return QStringLiteral("the encrypted file %1 (key in keychain item '%2')").arg(m_file.path(), m_keyName);
}

AuthError EncryptedFileStorage::missingKey() const
{
    const QString problem =
        QStringLiteral("The token cache file %1 cannot be decrypted: its key (keychain item "
                       "'%2') was not found; the keychain may be locked, or the key was deleted.")
            .arg(m_file.path(), m_keyName);
    const Result<QString> kept = m_file.moveAside();
    if (!kept) {
        return storageError(
            StorageFailure::CacheKeyMissing,
            problem +
                QStringLiteral(" It could not be moved aside (%1); move or delete it, then sign in again.")
                    .arg(kept.error().message));
    }
    return storageError(StorageFailure::CacheKeyMissing,
                        problem + QStringLiteral(" It has been kept as %1 (unlock the keychain and rename "
                                                 "it back to recover it); sign in again.")
                                      .arg(kept.value()));
}

QFuture<VoidResult> EncryptedFileStorage::probe()
{
    return m_keys->read(m_keyName).then([probed = m_probedKey](const SecretResult &key) -> VoidResult {
        if (!key)
            return key.error();
        // Handed to the next read or write only: a key kept longer could outlive a key another process
        // replaced together with the file.
        *probed = key.value();
        return Done{};
    });
}

QFuture<SecretResult> EncryptedFileStorage::readKey() const
{
    if (std::optional<Secret> probed = std::exchange(*m_probedKey, std::nullopt))
        return ready(SecretResult(std::move(probed)));
    return m_keys->read(m_keyName);
}

QFuture<SnapshotResult> EncryptedFileStorage::read()
{
    // A missing file needs no key: nothing to read, and no reason to ask the keychain.
    if (!m_file.stamp().exists) {
        m_probedKey->reset();
        return ready(SnapshotResult(std::optional<CacheSnapshot>()));
    }
    const EncryptedFileStorage copy(m_keys, m_keyName, m_file.path());
    return readKey().then([copy](const SecretResult &key) -> SnapshotResult {
        if (!key)
            return key.error();
        if (!key.value()) {
            if (!copy.m_file.stamp().exists)
                return std::optional<CacheSnapshot>();
            return copy.missingKey();
        }
        const auto contents = copy.m_file.read(*key.value());
        if (!contents)
            return contents.error();
        if (!contents.value())
            return std::optional<CacheSnapshot>();
        if (!detail::looksLikeCacheJson(contents.value()->plaintext)) {
            // Decrypted, so written with our key, yet not a cache: keep it for inspection like any damage.
            const QString problem = QStringLiteral("The token cache file %1 does not hold a token cache.")
                                        .arg(copy.m_file.path());
            const Result<QString> kept = copy.m_file.moveAside();
            if (!kept) {
                return storageError(
                    StorageFailure::CacheDamaged,
                    problem + QStringLiteral(" It could not be moved aside (%1).").arg(kept.error().message));
            }
            return storageError(
                StorageFailure::CacheDamaged,
                problem + QStringLiteral(" It has been kept as %1; sign in again.").arg(kept.value()));
        }
        return std::optional<CacheSnapshot>(
            CacheSnapshot{std::move(contents.value()->plaintext), contents.value()->stamp});
    });
}

QFuture<Result<FileStamp>> EncryptedFileStorage::write(const Secret &data, std::shared_ptr<void> keepLocked)
{
    const EncryptedFileStorage copy(m_keys, m_keyName, m_file.path());
    return readKey()
        .then([copy, data, keepLocked](const SecretResult &key) -> QFuture<Result<FileStamp>> {
            if (!key)
                return ready(Result<FileStamp>(key.error()));
            if (key.value())
                return ready(copy.m_file.write(data, *key.value()));
            if (copy.m_file.stamp().exists)
                return ready(Result<FileStamp>(copy.missingKey()));
            const Secret fresh = EncryptedCacheFile::generateKey();
            if (fresh.isEmpty()) {
                return ready(Result<FileStamp>(storageError(
                    StorageFailure::FileError,
                    QStringLiteral("Cannot create a key for the token cache: no random bytes available."))));
            }
            return copy.m_keys->write(copy.m_keyName, fresh)
                .then([copy, data, fresh, keepLocked](const VoidResult &stored) -> Result<FileStamp> {
                    if (!stored)
                        return stored.error();
                    return copy.m_file.write(data, fresh);
                });
        })
        .unwrap();
}

// ---- PlainFileStorage ----------------------------------------------------------------------------

PlainFileStorage::PlainFileStorage(QString filePath, bool emptyMeansNone)
    : m_path(std::move(filePath)), m_emptyMeansNone(emptyMeansNone)
{}

QString PlainFileStorage::description() const
{
    return QStringLiteral("the unencrypted file %1").arg(m_path);
}

QString PlainFileStorage::warning() const
{
    return QStringLiteral("No keychain is reachable, so the token cache is kept UNENCRYPTED in %1 (mode "
                          "0600), as allowed by allow_unencrypted_storage: whoever can read your files "
                          "can use its tokens.")
        .arg(m_path);
}

VoidResult PlainFileStorage::discard()
{
    if (m_emptyMeansNone) {
        const auto emptied = detail::writeFileAtomically(m_path, QByteArray());
        return emptied ? VoidResult(Done{}) : VoidResult(emptied.error());
    }
    if (::unlink(QFile::encodeName(m_path).constData()) != 0 && errno != ENOENT) {
        return storageError(StorageFailure::FileError,
                            QStringLiteral("Cannot delete the unencrypted token cache %1: %2.")
                                .arg(m_path, detail::errnoText(errno)));
    }
    return Done{};
}

QFuture<SnapshotResult> PlainFileStorage::read()
{
    const auto file = detail::readWholeFile(m_path);
    if (!file)
        return ready(SnapshotResult(file.error()));
    if (!file.value() || (m_emptyMeansNone && file.value()->data.trimmed().isEmpty()))
        return ready(SnapshotResult(std::optional<CacheSnapshot>()));
    Secret data(file.value()->data);
    if (!detail::isCacheJson(data)) {
        const QString problem =
            QStringLiteral("The token cache file %1 does not hold a token cache.").arg(m_path);
        const Result<QString> kept = detail::moveFileAside(m_path);
        if (!kept) {
            return ready(SnapshotResult(storageError(
                StorageFailure::CacheDamaged,
                problem + QStringLiteral(" It could not be moved aside (%1).").arg(kept.error().message))));
        }
        return ready(SnapshotResult(storageError(
            StorageFailure::CacheDamaged,
            problem + QStringLiteral(" It has been kept as %1; sign in again.").arg(kept.value()))));
    }
    return ready(
        SnapshotResult(std::optional<CacheSnapshot>(CacheSnapshot{std::move(data), file.value()->stamp})));
}

QFuture<Result<FileStamp>> PlainFileStorage::write(const Secret &data, std::shared_ptr<void> keepLocked)
{
    Q_UNUSED(keepLocked) // synchronous: done before this returns
    return ready(detail::writeFileAtomically(m_path, data.reveal()));
}

// ---- FallbackCacheStorage ------------------------------------------------------------------------

struct FallbackCacheStorage::State
{
    std::shared_ptr<CacheStorage> encrypted;
    std::shared_ptr<PlainFileStorage> plain;
    bool allowUnencrypted = false;
    bool migratePlain = false;
    std::function<QFuture<VoidResult>()> probe;
    std::optional<bool> usesPlain;
    bool discardPlainAfterWrite = false;
};

FallbackCacheStorage::FallbackCacheStorage(std::shared_ptr<CacheStorage> encrypted,
                                           std::shared_ptr<PlainFileStorage> plain, bool allowUnencrypted,
                                           std::function<QFuture<VoidResult>()> probe, bool migratePlain)
    : m_state(std::make_shared<State>())
{
    m_state->encrypted = std::move(encrypted);
    m_state->plain = std::move(plain);
    m_state->allowUnencrypted = allowUnencrypted;
    m_state->migratePlain = migratePlain;
    m_state->probe = std::move(probe);
}

CacheStorage &FallbackCacheStorage::current() const
{
    if (m_state->usesPlain.value_or(false))
        return *m_state->plain;
    return *m_state->encrypted;
}

std::optional<bool> FallbackCacheStorage::usesPlainFile() const
{
    return m_state->usesPlain;
}

QString FallbackCacheStorage::description() const
{
    return current().description();
}

QString FallbackCacheStorage::lockFilePath() const
{
    return current().lockFilePath();
}

QString FallbackCacheStorage::stampFilePath() const
{
    return current().stampFilePath();
}

bool FallbackCacheStorage::isEncrypted() const
{
    return current().isEncrypted();
}

QString FallbackCacheStorage::warning() const
{
    return current().warning();
}

QFuture<VoidResult> FallbackCacheStorage::prepare()
{
    if (m_state->usesPlain)
        return ready(VoidResult(Done{}));
    auto state = m_state;
    return state->probe().then([state](const VoidResult &probed) -> VoidResult {
        if (probed) {
            state->usesPlain = false;
            return Done{};
        }
        if (storageFailure(probed.error()) != StorageFailure::KeychainUnavailable)
            return probed; // locked, denied, late: never a reason to write plain text
        if (!state->allowUnencrypted) {
            return storageError(
                StorageFailure::EncryptionUnavailable,
                QStringLiteral("Cache encryption is impossible because no keychain is reachable (%1). Allow "
                               "unencrypted storage (allow_unencrypted_storage; azid-cli "
                               "--allow-unencrypted-storage) to keep the cache in a file of mode 0600 "
                               "instead, or use memory-only mode (azid-cli --memory-only).")
                    .arg(probed.error().message));
        }
        qCWarning(lcKeychain).noquote() << state->plain->warning();
        state->usesPlain = true;
        return Done{};
    });
}

QFuture<SnapshotResult> FallbackCacheStorage::read()
{
    if (m_state->usesPlain.value_or(false) || !m_state->migratePlain)
        return current().read();
    auto state = m_state;
    return state->encrypted->read()
        .then([state](const SnapshotResult &encrypted) -> QFuture<SnapshotResult> {
            if (!encrypted)
                return ready(encrypted);
            return state->plain->read().then(
                [state, encrypted](const SnapshotResult &plain) -> SnapshotResult {
                    if (!plain || !plain.value())
                        return encrypted; // nothing (readable) left behind in plain text
                    qCInfo(lcKeychain) << "taking the unencrypted token cache" << state->plain->path()
                                       << "into the encrypted one";
                    state->discardPlainAfterWrite = true;
                    if (!encrypted.value())
                        return std::optional<CacheSnapshot>(CacheSnapshot{plain.value()->data, FileStamp()});
                    CacheSnapshot merged = *encrypted.value();
                    merged.data = detail::fillMissingEntries(encrypted.value()->data, plain.value()->data);
                    return std::optional<CacheSnapshot>(std::move(merged));
                });
        })
        .unwrap();
}

QFuture<Result<FileStamp>> FallbackCacheStorage::write(const Secret &data, std::shared_ptr<void> keepLocked)
{
    auto state = m_state;
    const bool plain = state->usesPlain.value_or(false);
    return current()
        .write(data, std::move(keepLocked))
        .then([state, plain](const Result<FileStamp> &written) {
            if (written && !plain && state->discardPlainAfterWrite) {
                if (const VoidResult discarded = state->plain->discard(); !discarded)
                    qCWarning(lcKeychain).noquote() << discarded.error().message;
                else
                    state->discardPlainAfterWrite = false;
            }
            return written;
        });
}

} // namespace azid
