#pragma once

#include "azid/browseropener.h"
#include "azid/clock.h"
#include "azid/httpoptions.h"
#include "azid/keychain/accountstore.h"
#include "azid/keychain/keychainavailability.h"
#include "azid/keychain/profilestorage.h"
#include "azid/model/embeddedbrowser.h"
#include "azid/model/sharedcache.h"
#include "azid/model/signin.h"
#include "azid/model/signinoperation.h"
#include "azid/tokencredential.h"

#include <QElapsedTimer>
#include <QFuture>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QPromise>

#include <functional>
#include <memory>
#include <optional>

namespace azid {
class InteractiveBrowserCredential;
}

namespace azid::model {

// What the token caches hold for an account.
struct AccountTokenState
{
    qint64 validUntil = 0;   // the latest expiry of its cached access tokens (epoch s); 0: none
    QStringList validScopes; // the scopes of those still valid
    bool hasRefreshToken = false;
};

struct AccountEntry
{
    StoredAccount stored;
    QString displayName; // from the cached ID token, if any
    AccountTokenState tokens;
    QString attention; // why the account needs a sign-in (the last silent request said so)
    // Signed in while the keychain could not be written: kept in memory (tokens can be copied) and
    // saved as soon as the keychain opens.
    bool unsaved = false;

    QString id() const { return stored.record.homeAccountId; }
    const AuthenticationRecord &record() const { return stored.record; }
    // Nothing silent can work: flagged by a request, or neither a refresh token nor a valid token.
    bool needsSignIn(qint64 now) const
    {
        return !attention.isEmpty() || (!tokens.hasRefreshToken && tokens.validUntil <= now);
    }
};

// The model layer of the desktop app over one profile's storage (the same storage azid-cli uses)
// and the user sign-in credentials: the list of accounts and their token state, silent tokens,
// sign-ins, removal, default, import and export. Everything is asynchronous; nothing here shows a
// widget.
class AccountService : public QObject
{
    Q_OBJECT
public:
    explicit AccountService(std::unique_ptr<ProfileStorage> storage, QObject *parent = nullptr);
    ~AccountService() override;

    ProfileStorage &storage() const { return *m_storage; }

    // Proxy and CA certificates of every request from now on.
    void setHttpOptions(const HttpOptions &options);
    HttpOptions httpOptions() const { return m_http; }
    // How the system browser is opened; default: $BROWSER, else the desktop's browser.
    void setBrowserOpener(BrowserOpener opener);
    EmbeddedBrowser &embeddedBrowser() { return m_embeddedBrowser; }
    void setEmbeddedBrowser(const EmbeddedBrowser &browser);
    void setClock(const Clock *clock);
    const Clock &clock() const { return *m_clock; }

    // Reads the accounts and caches again; accountsChanged() follows.
    void reload();
    bool isLoaded() const { return m_loaded; }
    // Why the accounts or caches could not be read, if they could not.
    QString loadError() const { return m_loadError; }

    // Whether the keychain can be used, like KeePassXC's locked database: Locked (or refused, or not
    // reachable) is a state of its own, never "no accounts". While it is not Open, what was loaded
    // stays shown, tokens in memory can still be copied, and sign-ins are kept in memory until it
    // opens (watched with KeychainAvailability, or after unlockKeychain()).
    enum class KeychainState { Open, Locked, Unavailable };
    Q_ENUM(KeychainState)
    KeychainState keychainState() const { return m_keychainState; }
    // What the person reads about it (empty while Open).
    QString keychainMessage() const { return m_keychainMessage; }
    // How the keychain is watched and unlocked: by default the profile's keychain (the Secret Service's
    // default collection), none for a store given by the caller. Tests set their own.
    using UnlockRequest = std::function<QFuture<VoidResult>()>;
    void setKeychainWatch(KeychainAvailability::Probe probe, UnlockRequest unlock);
    // Asks the keychain to unlock (its own prompt), then loads and saves what waits.
    void unlockKeychain();
    // Sign-ins kept in memory until the keychain opens.
    int unsavedSignIns() const { return int(m_unsaved.size()); }

    QList<AccountEntry> accounts() const { return m_entries; }
    std::optional<AccountEntry> account(const QString &id) const;
    std::optional<AccountEntry> defaultAccount() const;
    QList<AccountEntry> accountsNeedingSignIn() const;
    int pendingRequests() const { return m_pendingRequests; }

    // A token from the cache or a refresh, never interactive: an AuthenticationRequired error says a
    // sign-in is needed (and the account is flagged until one succeeds).
    //
    // Cancelling the returned future (QFuture::cancel()) abandons the request: it stops counting as
    // pending at once, no result is delivered (the future finishes cancelled), and a network request
    // already on its way is left to finish in the background, its token going to the cache only.
    QFuture<TokenResult> token(const QString &id, const QStringList &scopes, const QString &claims = {});
    // The same with every option of a request: also a tenant other than the account's, and CAE.
    QFuture<TokenResult> tokenFor(const QString &id, const TokenRequestOptions &request);

    // Starts a sign-in; the operation is a child of `parent` and reports to whoever shows it.
    SignInOperation *signIn(const SignInRequest &request, QObject *parent);

    // The account, its cache entries and keychain items.
    QFuture<VoidResult> remove(const QString &id);
    QFuture<VoidResult> setDefault(const QString &id);
    // Records in azure.identity's format (see records.h): one object, or an array of them. Returns how
    // many. Instance discovery is turned off only for the custom authorities (host[:port]) the person
    // confirmed (metadataForImport()).
    QFuture<Result<int>> importRecords(const QByteArray &json, const QStringList &confirmedAuthorities = {});

    // "Share with Azure tools": an account with AccountMetadata::shareWithAzureTools has its entries
    // copied into azure.identity's shared token cache (SharedTokenCache, "msal.cache", where
    // SharedTokenCacheCredential and other Microsoft tools look) after each sign-in and each token
    // refresh made here, as `azid-cli login --shared-cache` does once. Switching it off removes the
    // account from that cache. Not in memory-only mode, which writes nothing anywhere.
    bool canShareWithAzureTools() const;
    // Why the switch is off limits (empty when it is not), for a tooltip.
    QString shareWithAzureToolsUnavailableReason() const;
    // Saves the setting with the account, then copies it into (or removes it from) the shared cache.
    // The result is that of both; failures are also reported by sharedCacheFailed().
    QFuture<VoidResult> setShareWithAzureTools(const QString &id, bool share);
    // Where the shared cache's signal and lock files are; empty (the default): ~/.IdentityService.
    void setSharedCacheDirectory(const QString &directory) { m_sharedCacheDirectory = directory; }

signals:
    void accountsChanged();
    void keychainStateChanged(azid::model::AccountService::KeychainState state);
    void pendingRequestsChanged(int pending);
    // The shared cache now holds the account's current entries (shared) or none of them (!shared).
    void sharedCacheUpdated(const QString &accountId, bool shared);
    // What went wrong with the shared cache, and what to do about it, in one message for a person.
    void sharedCacheFailed(const QString &accountId, const QString &message);
    // What the shared cache's storage says the user must know (e.g. that it is kept unencrypted).
    void sharedCacheWarning(const QString &warning);

private:
    InteractiveBrowserCredential *credentialFor(const AccountEntry &entry);
    void releaseCredential(InteractiveBrowserCredential *credential);
    void retireCredential(InteractiveBrowserCredential *credential);
    void retireCredentials();
    void rebuildEntries();
    void runSignIn(SignInOperation *operation, const SignInRequest &request);
    SignInPrompts promptsFor(SignInOperation *operation, SignInMethod method) const;
    void storeSignedIn(SignInOperation *operation, const SignInRequest &request,
                       const AuthenticationRecord &record);
    void setPending(int delta);
    // A storage error that means the keychain is locked, refused or away: enters that state and starts
    // watching for it to open. Returns false for other errors.
    bool noteKeychainError(const AuthError &error);
    void keychainOpened();
    void saveUnsaved();

    // One change of the shared cache for one account; they run one after another, because a save
    // holds the shared cache's lock file while the keychain writes.
    struct SharedCacheJob
    {
        AuthenticationRecord record;
        bool share = true; // copy the account's entries in; false: remove them
        QList<std::shared_ptr<QPromise<VoidResult>>> waiting;
    };
    void queueSharedCacheJob(const AuthenticationRecord &record, bool share,
                             std::shared_ptr<QPromise<VoidResult>> promise = {});
    void runSharedCacheJob();
    void finishSharedCacheJob(const SharedCacheJob &job, const SharedCacheUpdate &update);
    void publishIfShared(const QString &id);

    std::unique_ptr<ProfileStorage> m_storage;
    HttpOptions m_http;
    BrowserOpener m_browserOpener;
    EmbeddedBrowser m_embeddedBrowser;
    const Clock *m_clock;

    QList<StoredAccount> m_stored;
    QList<AccountEntry> m_entries;
    QHash<QString, QString> m_attention;
    bool m_loaded = false;
    QString m_loadError;
    KeychainState m_keychainState = KeychainState::Open;
    QString m_keychainMessage;
    std::unique_ptr<KeychainAvailability> m_keychainWatch;
    UnlockRequest m_unlock;
    QElapsedTimer m_sinceOpened; // since the keychain was last seen to open
    QList<StoredAccount> m_unsaved;
    quint64 m_reloadGeneration = 0;

    // One silent credential per account, shared by its requests; replaced when the account or the
    // network settings change, and deleted once no request uses it.
    QHash<QString, QPointer<InteractiveBrowserCredential>> m_credentials;
    QHash<InteractiveBrowserCredential *, int> m_inUse;
    QHash<InteractiveBrowserCredential *, QString> m_credentialKeys;
    quint64 m_credentialGeneration = 1;
    int m_pendingRequests = 0;

    QList<SharedCacheJob> m_sharedCacheJobs;
    bool m_sharedCacheJobRunning = false;
    QString m_sharedCacheDirectory;
};

} // namespace azid::model
