#pragma once

#include "azid/authenticationrecord.h"
#include "azid/keychain/accountstore.h"
#include "azid/keychain/secretstore.h"
#include "azid/keychain/tokencachepersistenceoptions.h"
#include "azid/result.h"

#include <QFuture>
#include <QString>
#include <QStringList>

#include <memory>

namespace azid {

class TokenCache;

// Everything one profile stores, put together the same way for azid-cli and the tray app so that both
// see the same accounts and tokens: the account records (AccountStore) and two token caches, without
// and with CAE ("azid.cache.nocae", "azid.cache.cae"), in encrypted files under the profile's folder
// whose keys are items of the profile's keychain service.
//
// Use it from the thread that owns the SecretStore (the main thread for the OS keychain). Operations
// keep what they need alive, so the object may go before they finish.
class ProfileStorage
{
public:
    static const QString CacheName;
    static const QString CaeCacheName;

    enum class TokenPersistence {
        Encrypted,  // the caches are loaded from and saved to their encrypted files
        MemoryOnly, // tokens stay in this process; account records are still kept in the keychain
    };

    // How a profile keeps what it stores (azid-cli's --memory-only, --allow-unencrypted-storage and
    // --cache-name; the app's settings).
    struct Options
    {
        TokenPersistence tokens = TokenPersistence::Encrypted;
        // Nothing at all is read from or written to storage, not even the keychain: account records and
        // tokens live in this process only (SSH sessions, headless machines, kiosks).
        bool memoryOnly = false;
        // The caches: `name` (files "<name>.nocae", "<name>.cae"), and allowUnencryptedStorage, which lets
        // the caches and the account records go to plain files of mode 0600 when no keychain is
        // reachable at all (storageWarnings() then says so). Without it, no keychain is an error.
        TokenCachePersistenceOptions cache{QStringLiteral("azid.cache"), false};
    };

    // The empty name and "default" both mean the default profile. Without a store, the OS keychain
    // (KeychainSecretStore) of the profile.
    explicit ProfileStorage(const QString &profile,
                            TokenPersistence persistence = TokenPersistence::Encrypted,
                            std::shared_ptr<SecretStore> store = {});
    ProfileStorage(const QString &profile, const Options &options, std::shared_ptr<SecretStore> store = {});
    ~ProfileStorage();
    ProfileStorage(const ProfileStorage &) = delete;
    ProfileStorage &operator=(const ProfileStorage &) = delete;

    // "default" for the default profile.
    QString profile() const;
    TokenPersistence tokenPersistence() const;
    const Options &options() const;
    // What the user must be told about where things are kept (e.g. unencrypted, because no keychain is
    // reachable), one sentence each; empty when all is encrypted. Valid after the first operations.
    QStringList storageWarnings() const;
    std::shared_ptr<SecretStore> secretStore() const;
    std::shared_ptr<TokenCache> cache() const;
    std::shared_ptr<TokenCache> caeCache() const;
    AccountStore &accounts() const;
    // The encrypted files of both caches (also in MemoryOnly mode, where nothing is written to them).
    QStringList cacheFilePaths() const;

    // Which caches an operation needs: a token request without CAE reads only the cache without
    // (a cached `azid-cli token` then decrypts one file, not two).
    enum class Caches { Both, WithoutCae, WithCae };

    // Brings in what other processes saved to the caches asked for; stops at the first error.
    QFuture<VoidResult> loadCaches(Caches which = Caches::Both);
    // Saves the caches that changed; stops at the first error.
    QFuture<VoidResult> saveCaches();
    bool hasUnsavedChanges() const;

    // What `azid-cli accounts remove` and the app's "Remove" do: the account's entries leave both
    // caches (after loading what others saved meanwhile), the caches are saved, then the record goes.
    // With the last account, the copies of damaged caches set aside (.corrupt-*) go too.
    QFuture<VoidResult> removeAccount(const AuthenticationRecord &record);

    // Copies of the caches that were set aside ("<file>.corrupt-<time>") and that the caches' keys
    // still decrypt: sign-ins an earlier version set aside when it took a locked keychain for an empty
    // one. A copy is restored by itself when its cache file is missing; otherwise restoreCache() takes
    // its entries in (what the current cache holds wins) and deletes the copy.
    QFuture<Result<QStringList>> restorableCaches();
    QFuture<VoidResult> restoreCache(const QString &path);

private:
    struct State;
    static QFuture<VoidResult> saveChanged(const std::shared_ptr<State> &state);
    static QFuture<VoidResult> removeSetAsideCopiesWhenNoAccountIsLeft(const std::shared_ptr<State> &state);
    std::shared_ptr<State> m_state;
};

} // namespace azid
