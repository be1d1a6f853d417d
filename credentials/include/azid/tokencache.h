#pragma once

#include "azid/result.h"
#include "azid/secret.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMutex>
#include <QString>
#include <QStringList>

#include <atomic>
#include <optional>

namespace azid {

struct CachedAccessToken
{
    Secret secret;
    QString homeAccountId;
    QString environment;
    QString clientId;
    QString realm;
    QString target; // scopes, sorted, space-separated
    QString tokenType = QStringLiteral("Bearer");
    qint64 cachedAt = 0;
    qint64 expiresOn = 0;
    qint64 extendedExpiresOn = 0;
    std::optional<qint64> refreshOn;
};

struct CachedRefreshToken
{
    Secret secret;
    QString homeAccountId;
    QString environment;
    QString clientId;
    QString familyId;
    QString target;
    qint64 lastModificationTime = 0;
};

struct CachedAccount
{
    QString homeAccountId;
    QString environment;
    QString realm;
    QString localAccountId;
    QString username;
    QString authorityType = QStringLiteral("MSSTS");
    QString accountSource;
};

// What one successful token response adds to the cache.
struct TokenResponseEntry
{
    QString clientId;
    QString environment;   // host[:port] of the authority
    QString realm;         // tenant path segment of the token endpoint
    QString homeAccountId; // empty for app-only tokens
    QStringList scopes;    // granted scopes (the response's, else the requested ones)
    Secret accessToken;
    QString tokenType = QStringLiteral("Bearer");
    qint64 now = 0;
    qint64 expiresOn = 0;
    qint64 extendedExpiresOn = 0;
    std::optional<qint64> refreshOn;
    Secret refreshToken;                  // empty: the response had none
    QString familyId;                     // "1" when the response said foci
    Secret idToken;                       // raw id_token, empty when absent
    std::optional<CachedAccount> account; // absent for app-only tokens and silent refreshes
};

// What a cache holds of one account (a home account id in one environment), as an accounts list
// shows it.
struct CachedAccountState
{
    QString homeAccountId; // as the cache spells it (compare without case)
    QString environment;
    qint64 validUntil = 0;        // the latest expiry of the account's access tokens (epoch s); 0: none
    QStringList validScopes;      // the scopes of those not expired, each once, as their targets spell them
    bool hasRefreshToken = false; // of any client
    QString displayName;          // the "name" claim of the account's cached ID token; empty: none
};

// What TokenCache::merge() made.
struct TokenCacheMerge
{
    Secret json;                // the cache after the merge, serialised: what a save writes
    quint64 generation = 0;     // the cache's generation that `json` is
    bool changed = false;       // the merge took something of theirs into the cache
    bool matchesTheirs = false; // `json` holds nothing that theirs lacks: nothing to write
};

// An in-memory token cache in MSAL's unified schema (AccessToken, RefreshToken, IdToken, Account,
// AppMetadata, with MSAL's keys), so that MSAL, azure.identity and Azid read each other's caches.
// Entries and fields Azid does not understand are kept and written back. Look-ups go through hash
// indexes; nothing scans every entry on the hot path. Thread-safe.
class TokenCache
{
public:
    TokenCache();
    ~TokenCache();
    TokenCache(const TokenCache &) = delete;
    TokenCache &operator=(const TokenCache &) = delete;

    // Stores access, refresh and id tokens, the account and app metadata of one response.
    void add(const TokenResponseEntry &entry);

    // A valid access token whose target contains every requested scope. Tokens with less than
    // `minimumLifetime` seconds left do not count.
    std::optional<CachedAccessToken> findAccessToken(const QString &homeAccountId, const QString &environment,
                                                     const QString &clientId, const QString &realm,
                                                     const QStringList &scopes, qint64 now,
                                                     qint64 minimumLifetime = 300) const;
    // The app-only token of a confidential client (no home account).
    std::optional<CachedAccessToken> findAppToken(const QString &environment, const QString &clientId,
                                                  const QString &realm, const QStringList &scopes, qint64 now,
                                                  qint64 minimumLifetime = 300) const;

    // The newest refresh token of the account usable by clientId: its own, or a family token when
    // the client is (or may be) a family member.
    std::optional<CachedRefreshToken> findRefreshToken(const QString &homeAccountId,
                                                       const QString &environment, const QString &clientId,
                                                       bool allowFamily = true) const;
    // Replaces the secret of the refresh token `old` with a rotated one (before anything else uses it).
    void updateRefreshToken(const CachedRefreshToken &old, const Secret &rotated, qint64 now);

    QList<CachedAccount> accounts() const;
    std::optional<CachedAccount> account(const QString &homeAccountId, const QString &environment) const;
    // What MSAL's remove_account deletes: the account's refresh tokens of this client (and of its
    // family), all its access tokens, id tokens and account entries, whatever the realm.
    void removeAccount(const QString &homeAccountId, const QString &environment, const QString &clientId);
    // Removes the account's access tokens (any client and realm) whose target covers every scope, so
    // that the next request for them is refreshed. Returns whether there was any.
    bool removeAccessTokens(const QString &homeAccountId, const QString &environment,
                            const QStringList &scopes);
    void clear();

    // MSAL's JSON, compact (MSAL Python indents it; no reader needs that, and a large cache is written
    // and read faster without). Unknown sections and fields survive a load/save round trip.
    QByteArray serialize() const;
    // Replaces the contents. On error the cache is unchanged.
    VoidResult deserialize(const QByteArray &json);

    // Per account with any entry in the cache (app-only tokens have none), ordered by home account id
    // and environment compared without case: what the tokens allow at `now`. See CachedAccountState.
    QList<CachedAccountState> accountStates(qint64 now) const;

    // Copies every entry of the account `homeAccountId` (spelled as the cache spells it; access, refresh and
    // ID tokens and account entries, in every environment and realm) and the app metadata of those entries'
    // clients from `from`, replacing entries of the same keys. Returns whether anything was copied; when
    // nothing was, the cache and its generation stay as they are.
    bool copyAccountFrom(const TokenCache &from, const QString &homeAccountId);
    // Removes every entry of the account `homeAccountId` (every client, environment and realm: all
    // that copyAccountFrom copies except the app metadata). Returns whether there was any.
    bool removeAccountEntries(const QString &homeAccountId);

    // Three-way merge with a stored copy of the cache: `theirs` is what is stored now, `base` what was
    // stored when this cache last matched it (empty: nothing, as for `theirs`). Entry by entry within
    // each section, an entry this cache changed, added or removed since `base` keeps this cache's
    // version (it wins a conflict); every other entry takes theirs. Top-level members that are not
    // sections merge the same way, as single values; a section goes only when both sides lost it.
    // Error: `base` or `theirs` is not a cache; the cache is then unchanged.
    Result<TokenCacheMerge> merge(const QByteArray &base, const QByteArray &theirs);
    // Adds the entries (and whole sections) only `json` has; entries both have keep this cache's.
    // Error: `json` is not a cache; the cache is then unchanged.
    VoidResult addMissingEntries(const QByteArray &json);
    // Whether `json` can be a token cache: a JSON object. The error says what is wrong.
    static VoidResult validate(const QByteArray &json);

    // Changes each time the contents change: persistence and in-process memos compare it.
    quint64 generation() const { return m_generation.load(std::memory_order_acquire); }
    qsizetype accessTokenCount() const;
    // No entry of any kind, not even one Azid does not understand.
    bool isEmpty() const;

    // MSAL's cache keys (lower-case, parts joined with '-').
    static QString accessTokenKey(const CachedAccessToken &token);
    static QString refreshTokenKey(const CachedRefreshToken &token);
    static QString accountKey(const CachedAccount &account);
    static QString normalizedTarget(const QStringList &scopes);

private:
    struct Data;
    void bumpGeneration();
    QByteArray serializeLocked() const; // serialize() with m_mutex held
    mutable QMutex m_mutex;
    Data *m_data;
    std::atomic<quint64> m_generation{1};
};

} // namespace azid
