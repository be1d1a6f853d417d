#include "azid/keychain/cachestorage.h"

#include "atomicfile.h"
#include "azid/keychain/storagefailure.h"
#include "azid/readyfuture.h"
#include "azid/tokencache.h"
#include "cachejson.h"
#include "filelock.h"
#include "keychainlogging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <unistd.h>
#include <utility>

namespace azid {

namespace {

using SnapshotResult = Result<std::optional<CacheSnapshot>>;

// The encrypted cache `primary` (in `primaryPlace`) with the entries only the unencrypted cache
// `secondary` (the file `secondaryPath`) has: a plain cache of an earlier session taken into the
// encrypted one.
Result<Secret> withMissingEntries(const Secret &primary, const QString &primaryPlace, const Secret &secondary,
                                  const QString &secondaryPath)
{
    TokenCache cache;
    if (const VoidResult loaded = cache.deserialize(primary.reveal()); !loaded) {
        return storageError(
            StorageFailure::CacheDamaged,
            QStringLiteral("The token cache in %1 cannot be read: %2 Nothing was overwritten: "
                           "move it away (or delete it) to start with an empty cache, then "
                           "sign in again.")
                .arg(primaryPlace, loaded.error().message));
    }
    if (const VoidResult filled = cache.addMissingEntries(secondary.reveal()); !filled) {
        return storageError(
            StorageFailure::CacheDamaged,
            QStringLiteral("The unencrypted token cache %1 cannot be taken into the encrypted "
                           "one: %2 Move it away, then sign in again.")
                .arg(secondaryPath, filled.error().message));
    }
    return Secret(cache.serialize());
}

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
    return storageError(
        StorageFailure::CacheKeyMissing,
        QStringLiteral("The token cache file %1 cannot be decrypted: its key (keychain item '%2') is not in "
                       "the keychain, although the keychain is open. The file was left as it is; if the key "
                       "was deleted or the keychain was reset, the next sign-in keeps the file aside as "
                       "%1.corrupt-<time> and starts a new cache.")
            .arg(m_file.path(), m_keyName));
}

Result<QString> EncryptedFileStorage::setAside() const
{
    // Under the cache's lock, so that no writer replaces the file while it is renamed.
    std::shared_ptr<detail::FileLock> lock;
    if (!detail::FileLock::isHeldHere(lockFilePath())) {
        auto locked = detail::FileLock::acquire(lockFilePath(), std::chrono::seconds(5));
        if (!locked)
            return locked.error();
        lock = locked.value();
    }
    return m_file.moveAside();
}

QStringList EncryptedFileStorage::setAsideCopies() const
{
    const QFileInfo info(m_file.path());
    QStringList names = info.dir().entryList({info.fileName() + QStringLiteral(".corrupt-*")}, QDir::Files,
                                             QDir::Name | QDir::Reversed); // newest first
    for (QString &name : names)
        name = info.dir().filePath(name);
    return names;
}

Result<std::optional<Secret>> EncryptedFileStorage::decryptCopy(const QString &path, const Secret &key)
{
    const auto file = detail::readWholeFile(path);
    if (!file)
        return file.error();
    if (!file.value())
        return std::optional<Secret>();
    std::optional<Secret> plaintext = EncryptedCacheFile::decrypt(file.value()->data, key);
    if (!plaintext || !detail::looksLikeCacheJson(*plaintext))
        return std::optional<Secret>();
    return plaintext;
}

void EncryptedFileStorage::restoreSetAsideCopy(const Secret &key) const
{
    for (const QString &copy : setAsideCopies()) {
        const auto decrypted = decryptCopy(copy, key);
        if (!decrypted || !decrypted.value())
            continue;
        std::shared_ptr<detail::FileLock> lock;
        if (!detail::FileLock::isHeldHere(lockFilePath())) {
            auto locked = detail::FileLock::acquire(lockFilePath(), std::chrono::seconds(5));
            if (!locked) {
                qCWarning(lcKeychain).noquote() << "cannot restore" << copy << ":" << locked.error().message;
                return;
            }
            lock = locked.value();
        }
        if (m_file.stamp().exists)
            return; // a newer cache came meanwhile: the copy waits for `azid-cli accounts restore-cache`
        const QByteArray from = QFile::encodeName(copy);
        const QByteArray to = QFile::encodeName(m_file.path());
        // link() never replaces a file that appeared meanwhile.
        if (::link(from.constData(), to.constData()) == 0) {
            ::unlink(from.constData());
            qCInfo(lcKeychain).noquote() << "restored the token cache" << m_file.path() << "from" << copy
                                         << "(set aside earlier while its key could not be read)";
        } else {
            qCWarning(lcKeychain).noquote()
                << "cannot restore" << copy << "as" << m_file.path() << ":" << detail::errnoText(errno);
        }
        return;
    }
}

QFuture<Result<QStringList>> EncryptedFileStorage::restorableCopies() const
{
    const QStringList copies = setAsideCopies();
    if (copies.isEmpty())
        return ready(Result<QStringList>(QStringList()));
    return m_keys->read(m_keyName).then([copies](const SecretResult &key) -> Result<QStringList> {
        if (!key)
            return key.error();
        QStringList restorable;
        if (!key.value())
            return restorable;
        for (const QString &copy : copies) {
            const auto decrypted = decryptCopy(copy, *key.value());
            if (decrypted && decrypted.value())
                restorable << copy;
        }
        return restorable;
    });
}

QFuture<Result<Secret>> EncryptedFileStorage::readCopy(const QString &path) const
{
    const QString cache = m_file.path();
    return m_keys->read(m_keyName).then([path, cache](const SecretResult &key) -> Result<Secret> {
        if (!key)
            return key.error();
        const auto decrypted = key.value() ? decryptCopy(path, *key.value())
                                           : Result<std::optional<Secret>>(std::optional<Secret>());
        if (!decrypted)
            return decrypted.error();
        if (!decrypted.value()) {
            return storageError(StorageFailure::CacheDamaged,
                                QStringLiteral("%1 is not a copy of the token cache %2 that its key can "
                                               "decrypt: it cannot be restored.")
                                    .arg(path, cache));
        }
        return *decrypted.value();
    });
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
    // A missing file needs no key (nothing to read, no reason to ask the keychain), unless an earlier
    // version set the cache aside because it took a locked keychain for a missing key.
    if (!m_file.stamp().exists && setAsideCopies().isEmpty()) {
        m_probedKey->reset();
        return ready(SnapshotResult(std::optional<CacheSnapshot>()));
    }
    const EncryptedFileStorage copy(m_keys, m_keyName, m_file.path());
    return readKey().then([copy](const SecretResult &key) -> SnapshotResult {
        if (!key)
            return key.error(); // locked, refused, unreachable: nothing is touched
        if (!key.value()) {
            if (!copy.m_file.stamp().exists)
                return std::optional<CacheSnapshot>();
            if (!detail::FileLock::isHeldHere(copy.lockFilePath()))
                return copy.missingKey(); // a load: the file stays
            // A save, under the lock: the open keychain holds no key, so nobody can decrypt the file
            // any more. It is kept aside and the save starts a new cache.
            const Result<QString> kept = copy.m_file.moveAside();
            if (!kept) {
                return storageError(
                    StorageFailure::CacheKeyMissing,
                    copy.missingKey().message +
                        QStringLiteral(" It could not be set aside (%1).").arg(kept.error().message));
            }
            qCWarning(lcKeychain).noquote()
                << "the key of" << copy.m_file.path() << "is not in the open keychain; the file was kept as"
                << kept.value() << "and a new cache is started";
            return std::optional<CacheSnapshot>();
        }
        if (!copy.m_file.stamp().exists)
            copy.restoreSetAsideCopy(*key.value());
        const auto contents = copy.m_file.read(*key.value(), EncryptedCacheFile::OnDamage::Keep);
        if (!contents) {
            if (storageFailure(contents.error()) != StorageFailure::CacheDamaged ||
                copy.m_file.isFromNewerVersion())
                return contents.error();
            // The key is there and does not decrypt the file: real damage. Kept, never deleted.
            const Result<QString> kept = copy.setAside();
            if (!kept) {
                return storageError(StorageFailure::CacheDamaged,
                                    contents.error().message +
                                        QStringLiteral(" It could not be set aside (%1); move it away, then "
                                                       "sign in again.")
                                            .arg(kept.error().message));
            }
            return storageError(
                StorageFailure::CacheDamaged,
                contents.error().message +
                    QStringLiteral(" Its key is in the keychain, so the file itself is damaged: "
                                   "it has been kept as %1; sign in again.")
                        .arg(kept.value()));
        }
        if (!contents.value())
            return std::optional<CacheSnapshot>();
        if (!detail::looksLikeCacheJson(contents.value()->plaintext)) {
            // Decrypted, so written with our key, yet not a cache: keep it for inspection like any damage.
            const QString problem = QStringLiteral("The token cache file %1 does not hold a token cache.")
                                        .arg(copy.m_file.path());
            const Result<QString> kept = copy.setAside();
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
                return ready(Result<FileStamp>(key.error())); // never a new key over a locked keychain
            if (key.value())
                return ready(copy.m_file.write(data, *key.value()));
            if (copy.m_file.stamp().exists) {
                // The keychain is open (the store checked) and holds no key: nobody can decrypt the file
                // any more. Keep it aside (under the lock we hold) and start a new cache.
                const Result<QString> kept = copy.m_file.moveAside();
                if (!kept) {
                    return ready(Result<FileStamp>(storageError(
                        StorageFailure::CacheKeyMissing,
                        copy.missingKey().message +
                            QStringLiteral(" It could not be set aside (%1).").arg(kept.error().message))));
                }
                qCWarning(lcKeychain).noquote() << "the key of" << copy.m_file.path()
                                                << "is not in the open keychain; the file was kept as"
                                                << kept.value() << "and a new cache is started";
            }
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
    if (!TokenCache::validate(data.reveal())) {
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
                    const Result<Secret> filled =
                        withMissingEntries(encrypted.value()->data, state->encrypted->description(),
                                           plain.value()->data, state->plain->path());
                    if (!filled)
                        return filled.error();
                    merged.data = filled.value();
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
