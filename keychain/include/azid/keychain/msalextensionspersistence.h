#pragma once

#include "azid/keychain/cachestorage.h"
#include "azid/keychain/tokencachepersistenceoptions.h"

#include <QString>

#include <chrono>
#include <memory>

namespace azid {

// The persistent token cache of azure.identity on Linux, in its own format, so that Azid, Python's
// azure.identity (msal-extensions' LibsecretPersistence) and other Microsoft developer tools share
// sign-ins:
//
//   - the cache (MSAL's JSON, whole) is one Secret Service password in the default collection, under a
//     libsecret schema named after the cache ("msal.cache.nocae"; "msal.cache" for azure.identity
//     before 1.14), matched by name, with the one string attribute
//     MsalClientID = "Microsoft.Developer.IdentityService" and the label "MSALCache";
//   - an empty "signal" file ~/.IdentityService/<cache name> whose modification time says "changed"
//     (touched after every write);
//   - msal-extensions' lock file ~/.IdentityService/<cache name>.lockfile (see CachePersistence).
//
// Use it as CachePersistence's storage, from the main thread (libsecret answers through the GLib
// main context that Qt's event loop runs there). A cache that is not JSON is copied to an item of
// schema "<cache name>.corrupt-<time>" (kept, never deleted) before it is replaced.
//
// Only on Linux; elsewhere every operation fails with StorageFailure::KeychainUnavailable.
class MsalExtensionsPersistence final : public CacheStorage
{
public:
    static const QString AttributeName;  // "MsalClientID"
    static const QString AttributeValue; // "Microsoft.Developer.IdentityService"
    static const QString Label;          // "MSALCache"
    static constexpr std::chrono::milliseconds DefaultTimeout{30000};

    // `cacheName`: the schema and the signal file's name. `directory`: where the signal and lock files
    // are (identityServiceDirectory() unless a test says otherwise).
    explicit MsalExtensionsPersistence(QString cacheName, QString directory = {},
                                       std::chrono::milliseconds timeout = DefaultTimeout);

    // The storage azure.identity uses for `options` on this system: the libsecret item, or, when no
    // Secret Service is reachable and options.allowUnencryptedStorage, msal-extensions' plaintext
    // fallback (the same path as the signal file, as azure.identity does; mode 0600 here). `legacyName`:
    // the name azure.identity before 1.14 uses (options.legacyCacheName()) instead of
    // options.cacheName(cae).
    static std::shared_ptr<CacheStorage> forOptions(const TokenCachePersistenceOptions &options, bool cae,
                                                    bool legacyName = false, const QString &directory = {});

    static bool isSupported();

    const QString &cacheName() const { return m_cacheName; }
    QString signalFilePath() const;

    // Whether the Secret Service answers a look-up of the item (present or not).
    QFuture<VoidResult> probe();
    // Deletes the item (not the signal file); deleting nothing succeeds.
    QFuture<VoidResult> clear();

    QString description() const override;
    QString lockFilePath() const override { return signalFilePath() + QStringLiteral(".lockfile"); }
    QString stampFilePath() const override { return signalFilePath(); }
    bool isEncrypted() const override { return true; }
    QFuture<Result<std::optional<CacheSnapshot>>> read() override;
    QFuture<Result<FileStamp>> write(const Secret &data, std::shared_ptr<void> keepLocked) override;

private:
    QString m_cacheName;
    QString m_directory;
    std::chrono::milliseconds m_timeout;
};

} // namespace azid
