#pragma once

#include "azid/keychain/cachestorage.h"
#include "azid/keychain/secretstore.h"
#include "azid/keychain/tokencachepersistenceoptions.h"

#include <QFuture>
#include <QString>

#include <chrono>
#include <memory>

namespace azid {

class TokenCache;

// Keeps a TokenCache in a CacheStorage (by default Azid's EncryptedCacheFile, whose key is the
// SecretStore item "cache-key:<name>", created on the first save), in step with other processes
// using the same storage: Azid's, and msal-extensions' (azure.identity, Azure CLI) for the storages
// they share.
//
// Both operations merge: entries this process changed since the last sync keep this process's
// version, every other entry takes the stored one, so tokens that another process saved meanwhile are
// not lost and removals on either side stick. A change covers only the entries this process knew
// of, so load() before changing the cache (e.g. before removing an account) to include what others
// added meanwhile. Operations run one after another in call order.
//
// Many processes: a save takes msal-extensions' cross-process lock file ("<storage>.lockfile", with a
// flock; a lock left by a process that died is taken over), reads what is stored *under the lock*
// (whatever the stamps say), merges, and replaces the storage atomically (a file is written to a
// temporary name and renamed), so a writer killed at any point leaves either the old or the new cache.
// A load takes no lock and skips reading when the storage's stamp is unchanged.
//
// Threading: call it from the thread that owns the SecretStore (the main thread for the keychain).
// The file work and the lock run synchronously on that thread: local and short, except that a save
// waits (blocking, at most lockTimeout) while another process holds the lock.
//
// Damage: a file that cannot be decrypted or parsed, or whose key is missing from the keychain, is
// renamed to "<file>.corrupt-<time>" (never overwritten or deleted) and the operation fails with a
// message saying so (StorageFailure::CacheDamaged / CacheKeyMissing); the next save then writes a fresh
// file from the in-memory cache.
class CachePersistence
{
public:
    static constexpr std::chrono::milliseconds DefaultLockTimeout{5000};

    // Azid's encrypted file: `name` as in TokenCachePersistenceOptions::cacheName() (e.g.
    // "msal.cache.nocae"); `filePath` usually defaultCacheFilePath(profile, name). No fallback.
    CachePersistence(std::shared_ptr<SecretStore> store, std::shared_ptr<TokenCache> cache, QString name,
                     QString filePath);
    // Any storage; `name` names the cache in messages and must be a valid cache name.
    CachePersistence(std::shared_ptr<TokenCache> cache, std::shared_ptr<CacheStorage> storage, QString name);
    // Pending operations still complete: they keep what they need alive.
    ~CachePersistence();
    CachePersistence(const CachePersistence &) = delete;
    CachePersistence &operator=(const CachePersistence &) = delete;

    // Azid's encrypted cache of a profile as `options` say: the cache options.cacheName(cae) in
    // defaultCacheFilePath(profile, ...), its key in `keychain`; when no keychain is reachable and
    // options.allowUnencryptedStorage, the plain file unencryptedCacheFilePath(profile, ...) instead
    // (and once the keychain is back, that plain file is taken into the encrypted cache and deleted).
    static std::unique_ptr<CachePersistence>
    forProfile(std::shared_ptr<SecretStore> keychain, std::shared_ptr<TokenCache> cache,
               const QString &profile, const TokenCachePersistenceOptions &options, bool cae);

    QString name() const;
    // The storage's file (for the shared libsecret cache: its signal file).
    QString filePath() const;
    // The SecretStore item holding the file's key ("cache-key:<name>").
    QString keyName() const;
    std::shared_ptr<CacheStorage> storage() const;

    // Brings in what the storage holds if it changed since the last sync (everything, the first time).
    // No lock: storages are only ever replaced whole. Nothing stored changes nothing (as in
    // msal-extensions).
    QFuture<VoidResult> load();
    // Writes the cache if it changed since the last sync, under the lock, after merging in what other
    // processes saved meanwhile. The cache then holds the merged result too.
    QFuture<VoidResult> save();

    // The cache changed since the last load or save.
    bool hasUnsavedChanges() const;
    void setLockTimeout(std::chrono::milliseconds timeout);

    // What the user must be told about where the cache is kept, e.g. that it is kept unencrypted
    // because no keychain is reachable; empty otherwise. Valid after the first load or save.
    QString storageWarning() const;

private:
    struct State;
    std::shared_ptr<State> m_state;
};

} // namespace azid
