#pragma once

#include "azid/authenticationrecord.h"
#include "azid/keychain/secretstore.h"

#include <QFuture>
#include <QList>
#include <QString>

#include <memory>

namespace azid {

struct AccountMetadata
{
    QString signInMethod;   // how the account signed in: "browser", "webengine", "device-code", "password"
    QString authorityUrl;   // the authority as the user gave it (host or URL)
    qint64 lastSignIn = 0;  // epoch seconds
    bool isDefault = false; // at most one account is the default
    QString caBundle;       // extra CA certificates the authority needs (a file path), if any
    bool disableInstanceDiscovery = false;
    // The account's sign-ins and token refreshes are also copied into azure.identity's shared token
    // cache (SharedTokenCache), for SharedTokenCacheCredential and other Microsoft tools. Stored only
    // when true: records written before the field existed read as false.
    bool shareWithAzureTools = false;

    friend bool operator==(const AccountMetadata &, const AccountMetadata &) = default;
};

struct StoredAccount
{
    AuthenticationRecord record;
    AccountMetadata metadata;

    friend bool operator==(const StoredAccount &, const StoredAccount &) = default;
};

// The signed-in accounts, kept in a SecretStore so that they survive restarts: one item per account,
// "account:<homeAccountId>" (the AuthenticationRecord in azure.identity's format plus metadata), and
// an index, "account-index:0", "account-index:1", ..., listing them, because a keychain cannot be
// enumerated. Every item stays under SecretStore::MaxItemSize; the index is split when it would not.
// One account per home account id: putting it again replaces it. A list reads the index and the
// summaries ("account-summaries:<n>": every account's item again, compressed, a few dozen accounts per
// item) instead of one item per account; the account's own item stays what find() reads and what an
// index written without summaries (an older version of Azid) is listed from.
//
// Operations run one after another in call order. A change of the list (put, remove) reads, changes
// and writes the index under the cross-process lock file `lockPath`, so that two processes changing
// the list at once (the tray app and azid-cli, two logins) never lose an account; without a lock path
// (one process alone, e.g. memory-only) it runs unlocked. A failed read of the index (a locked
// keychain) changes nothing.
class AccountStore
{
public:
    explicit AccountStore(std::shared_ptr<SecretStore> store, QString lockPath = {});
    ~AccountStore();
    AccountStore(const AccountStore &) = delete;
    AccountStore &operator=(const AccountStore &) = delete;

    // In the order they were first added. Items that are missing or unreadable are skipped (and logged).
    QFuture<Result<QList<StoredAccount>>> list();
    // Adds or replaces the account. isDefault = true makes it the default and others not; false on the
    // current default leaves no default.
    QFuture<VoidResult> put(const AuthenticationRecord &record, const AccountMetadata &metadata);
    // Adds or replaces all of `accounts` in one change of the list: their items, then the index and the
    // summaries once (put() one by one writes those once per account), then the user-name items. As
    // put() for each, in order (the last one marked default is the default). Nothing is stored when
    // one of them has no valid home account id.
    QFuture<VoidResult> putAll(const QList<StoredAccount> &accounts);
    // Deletes the account's item and its index entry. Removing an unknown account succeeds.
    QFuture<VoidResult> remove(const QString &homeAccountId);

    // The one account `selector` names (a home account id or a user name, case-insensitive; empty:
    // the default account) in a fixed number of keychain reads, whatever the number of accounts: the
    // first index page for the default, the account's item, and for a user name the item that maps it
    // to its account ("account-user:<name>"). An empty optional when that does not decide it (no
    // default, several accounts of that name, an account stored before the user-name items existed,
    // no match): list() then does.
    QFuture<Result<std::optional<StoredAccount>>> find(const QString &selector);

    static QString accountKey(const QString &homeAccountId);
    static QString indexKey(int page);
    static QString userKey(const QString &username);
    static QString summaryKey(int page);

private:
    struct State;
    std::shared_ptr<State> m_state;
};

} // namespace azid
