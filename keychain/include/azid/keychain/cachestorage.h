#pragma once

#include "azid/keychain/encryptedcachefile.h"
#include "azid/keychain/secretstore.h"

#include <QFuture>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace azid {

// What a CacheStorage read: the cache's bytes (MSAL's JSON) and the stamp that was current then.
struct CacheSnapshot
{
    Secret data;
    FileStamp stamp;
};

// Where the bytes of one token cache live, for CachePersistence, which adds the cross-process lock,
// the merge and the bookkeeping. Implementations: Azid's encrypted file (key in the keychain), a plain
// file (only with allow_unencrypted_storage), the libsecret item azure.identity uses on Linux
// (MsalExtensionsPersistence), and a fallback that picks between an encrypted storage and a plain one.
//
// Errors are CredentialUnavailable AuthErrors carrying a StorageFailure reason. Every method is called
// on one thread, the one CachePersistence is used on.
class CacheStorage
{
public:
    virtual ~CacheStorage();

    // For messages: "the encrypted file F (key in keychain item K)", "the libsecret item N", ...
    virtual QString description() const = 0;
    // msal-extensions' convention: the persistence's file + ".lockfile".
    virtual QString lockFilePath() const = 0;
    // The file whose stamp says "changed" (the cache file, or msal-extensions' signal file).
    virtual QString stampFilePath() const = 0;
    virtual FileStamp stamp() const { return FileStamp::of(stampFilePath()); }
    // False for plain files: the caller tells the user (see CachePersistence::storageWarning()).
    virtual bool isEncrypted() const = 0;
    // A warning for the user about how this storage keeps the cache; empty when there is none.
    virtual QString warning() const { return QString(); }

    // Called before every load and save, before the lock is taken: whatever must be settled first
    // (FallbackCacheStorage chooses between its two storages here). The default has nothing to do.
    virtual QFuture<VoidResult> prepare();

    // The stored cache, or an empty optional when there is none yet.
    virtual QFuture<Result<std::optional<CacheSnapshot>>> read() = 0;
    // Replaces the stored cache; the caller holds the lock. `keepLocked` is held until the write has
    // really finished, even when the future reports a timeout earlier, so that a late write cannot
    // land outside the lock. Returns the new stamp.
    virtual QFuture<Result<FileStamp>> write(const Secret &data, std::shared_ptr<void> keepLocked) = 0;
};

// Azid's own format: an EncryptedCacheFile whose key is the SecretStore item `keyName` (created on the
// first write, under the lock). A keychain that cannot be read (locked, refused, unreachable) changes
// nothing: no file is set aside and no key is written. A file that its key (present) cannot decrypt is
// damaged: it is set aside as "<file>.corrupt-<time>" under the lock, never deleted. A file whose key
// the open keychain does not hold is left in place by a read and set aside by the next write, which
// starts a new cache. When the file is missing and a set-aside copy decrypts with the key (an earlier
// version set caches aside when it took a locked keychain for an empty one), that copy is restored.
class EncryptedFileStorage final : public CacheStorage
{
public:
    EncryptedFileStorage(std::shared_ptr<SecretStore> keys, QString keyName, QString filePath);

    const QString &keyName() const { return m_keyName; }
    const EncryptedCacheFile &file() const { return m_file; }
    // Reads the key (nothing else): whether the keychain answers. The key it read serves the read or
    // write that follows, so that a first load asks the keychain once, not twice.
    QFuture<VoidResult> probe();

    QString description() const override;
    QString lockFilePath() const override { return m_file.lockFilePath(); }
    QString stampFilePath() const override { return m_file.path(); }
    bool isEncrypted() const override { return true; }
    QFuture<Result<std::optional<CacheSnapshot>>> read() override;
    QFuture<Result<FileStamp>> write(const Secret &data, std::shared_ptr<void> keepLocked) override;

    // The set-aside copies of this cache that its key decrypts (newest first): sign-ins that can be
    // restored, e.g. with `azid-cli accounts restore-cache`.
    QFuture<Result<QStringList>> restorableCopies() const;
    // The cache JSON of such a copy; an error when the key does not decrypt it.
    QFuture<Result<Secret>> readCopy(const QString &path) const;
    // Every set-aside copy of this cache (<file>.corrupt-*), newest first, whether its key decrypts it or
    // not.
    QStringList setAsideCopies() const;

private:
    AuthError missingKey() const;
    Result<QString> setAside() const;
    static Result<std::optional<Secret>> decryptCopy(const QString &path, const Secret &key);
    void restoreSetAsideCopy(const Secret &key) const;
    // The key probe() has just read (once), else the keychain's answer.
    QFuture<SecretResult> readKey() const;

    std::shared_ptr<SecretStore> m_keys;
    QString m_keyName;
    EncryptedCacheFile m_file;
    std::shared_ptr<std::optional<Secret>> m_probedKey = std::make_shared<std::optional<Secret>>();
};

// A plain JSON file of mode 0600, replaced atomically: only for allow_unencrypted_storage.
// `emptyMeansNone`: an empty file is no cache (msal-extensions' signal file doubles as its plaintext
// fallback, and stays empty while the cache lives in libsecret). A file that is not JSON is moved aside.
class PlainFileStorage final : public CacheStorage
{
public:
    explicit PlainFileStorage(QString filePath, bool emptyMeansNone = false);

    const QString &path() const { return m_path; }
    // Removes the plain text: deletes the file, or with emptyMeansNone empties it.
    VoidResult discard();

    QString description() const override;
    QString lockFilePath() const override { return m_path + QStringLiteral(".lockfile"); }
    QString stampFilePath() const override { return m_path; }
    bool isEncrypted() const override { return false; }
    QString warning() const override;
    QFuture<Result<std::optional<CacheSnapshot>>> read() override;
    QFuture<Result<FileStamp>> write(const Secret &data, std::shared_ptr<void> keepLocked) override;

private:
    QString m_path;
    bool m_emptyMeansNone;
};

// `encrypted` unless no keychain is reachable (StorageFailure::KeychainUnavailable), in which case
// `plain` if `allowUnencrypted`, else an EncryptionUnavailable error that says how to opt in. The choice
// is made by the first prepare() (probing the keychain even when there is no file yet, so that a
// plain cache of an earlier session without a keychain is found) and kept for the object's life; a
// locked keychain, a denied access or a timeout are errors, never a reason to write plain text.
// While the plain file is in use, warning() says so.
//
// `migratePlain`: once the encrypted storage works again, what an earlier session left in the plain
// file is taken into the encrypted cache, and the plain file is discarded after the next successful
// write, so that no plaintext copy of tokens stays behind.
class FallbackCacheStorage final : public CacheStorage
{
public:
    // `probe` asks the keychain something the encrypted storage needs (e.g. reads its key), to learn
    // whether the keychain is reachable.
    FallbackCacheStorage(std::shared_ptr<CacheStorage> encrypted, std::shared_ptr<PlainFileStorage> plain,
                         bool allowUnencrypted, std::function<QFuture<VoidResult>()> probe,
                         bool migratePlain = false);

    QString description() const override;
    QString lockFilePath() const override;
    QString stampFilePath() const override;
    bool isEncrypted() const override;
    QString warning() const override;
    QFuture<VoidResult> prepare() override;
    QFuture<Result<std::optional<CacheSnapshot>>> read() override;
    QFuture<Result<FileStamp>> write(const Secret &data, std::shared_ptr<void> keepLocked) override;

    // Which one is in use: empty until the first operation has decided.
    std::optional<bool> usesPlainFile() const;

private:
    CacheStorage &current() const;

    struct State;
    std::shared_ptr<State> m_state;
};

} // namespace azid
