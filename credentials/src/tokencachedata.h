#pragma once

// What a TokenCache holds, entry by entry, and the helpers its sources share to read and index MSAL's
// JSON. Private to the token cache's own sources.

#include "azid/tokencache.h"
#include "oauth.h"
#include "tokencacheformat.h"

#include <QJsonObject>

#include <memory>

namespace azid {

namespace detail::cachedata {

namespace cf = detail::cacheformat;

// MSAL's key of a client's app metadata.
inline QString appMetadataKey(const QString &environment, const QString &clientId)
{
    return QStringList{cf::AppMetadataKeyPrefix, environment, clientId}.join(QLatin1Char('-'));
}

inline QString str(const QJsonObject &o, const QString &key)
{
    return o.value(key).toString();
}

// MSAL writes timestamps as strings; other writers have used numbers. Accept both, within
// [0, limits::MaxEpochSeconds]: a cache file is outside data, and these are compared with and
// subtracted from the current time.
inline qint64 epoch(const QJsonObject &o, const QString &key)
{
    return detail::clampEpoch(detail::jsonInteger(o.value(key)).value_or(0));
}

inline QString epochText(qint64 value)
{
    return QString::number(value);
}

inline QString indexKey(const QString &home, const QString &environment, const QString &clientId,
                        const QString &realm)
{
    return (home + QLatin1Char('|') + environment + QLatin1Char('|') + clientId + QLatin1Char('|') + realm)
        .toLower();
}

inline QString accountIndexKey(const QString &home, const QString &environment)
{
    return (home + QLatin1Char('|') + environment).toLower();
}

inline QStringList splitScopes(const QString &target)
{
    QStringList scopes = target.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (QString &s : scopes)
        s = s.toLower();
    return scopes;
}

struct AtEntry
{
    CachedAccessToken token;
    QStringList scopes; // lower-case, for the subset test
    // The entry as loaded or written, with fields Azid does not know, as an object and as compact JSON
    // text; at least one of them is set. The text is made by the first serialize() and kept with the
    // entry (entries are replaced, never changed): saving a large cache does not convert its unchanged
    // tokens again. An entry read by the fast reader has only its text: the object is parsed from it
    // when first needed (object()), which a cache that is only read never does. The text holds the
    // token, so it is scrubbed with the entry.
    mutable QJsonObject json;
    mutable QByteArray jsonText;

    const QJsonObject &object() const;

    AtEntry() = default;
    AtEntry(const AtEntry &) = default;
    AtEntry(AtEntry &&) = default;
    AtEntry &operator=(const AtEntry &) = default;
    AtEntry &operator=(AtEntry &&) = default;
    ~AtEntry() { scrub(jsonText); }
};

inline CachedAccessToken accessTokenFromJson(const QJsonObject &o)
{
    CachedAccessToken t;
    t.secret = Secret::fromString(str(o, cf::SecretField));
    t.homeAccountId = str(o, cf::HomeAccountId);
    t.environment = str(o, cf::Environment);
    t.clientId = str(o, cf::ClientId);
    t.realm = str(o, cf::Realm);
    t.target = str(o, cf::Target);
    const QString type = str(o, cf::TokenType);
    if (!type.isEmpty())
        t.tokenType = type;
    t.cachedAt = epoch(o, cf::CachedAt);
    t.expiresOn = epoch(o, cf::ExpiresOn);
    t.extendedExpiresOn = epoch(o, cf::ExtendedExpiresOn);
    if (o.contains(cf::RefreshOn))
        t.refreshOn = epoch(o, cf::RefreshOn);
    return t;
}

inline CachedRefreshToken refreshTokenFromJson(const QJsonObject &o)
{
    CachedRefreshToken t;
    t.secret = Secret::fromString(str(o, cf::SecretField));
    t.homeAccountId = str(o, cf::HomeAccountId);
    t.environment = str(o, cf::Environment);
    t.clientId = str(o, cf::ClientId);
    t.familyId = str(o, cf::FamilyId);
    t.target = str(o, cf::Target);
    t.lastModificationTime = epoch(o, cf::LastModificationTime);
    return t;
}

inline CachedAccount accountFromJson(const QJsonObject &o)
{
    CachedAccount a;
    a.homeAccountId = str(o, cf::HomeAccountId);
    a.environment = str(o, cf::Environment);
    a.realm = str(o, cf::Realm);
    a.localAccountId = str(o, cf::LocalAccountId);
    a.username = str(o, cf::Username);
    a.authorityType = str(o, cf::AuthorityType);
    a.accountSource = str(o, cf::AccountSource);
    return a;
}

// `json` parsed. Error: not JSON, or not an object (as every MSAL cache is).
Result<QJsonObject> parseCacheJson(const QByteArray &json);

} // namespace detail::cachedata

struct TokenCache::Data
{
    using AtEntry = detail::cachedata::AtEntry;
    QHash<QString, AtEntry> accessTokens;
    QHash<QString, QList<QString>> accessTokenIndex; // home|env|client|realm -> keys
    QHash<QString, QJsonObject> refreshTokens;
    QHash<QString, QList<QString>> refreshTokenIndex; // home|env -> keys
    QHash<QString, QJsonObject> idTokens;
    QHash<QString, QJsonObject> accounts;
    QHash<QString, QJsonObject> appMetadata;
    QJsonObject otherSections; // sections Azid does not know, kept as they are

    void putAccessToken(const QString &key, AtEntry entry);
    void removeAccessToken(const QString &key);
    void putRefreshToken(const QString &key, const QJsonObject &json);
    void removeRefreshToken(const QString &key);
    // Stores `json` as the entry `key` of the known section `section` (see isKnownSection).
    void putEntry(const QString &section, const QString &key, const QJsonObject &json);
    void clear();

    // What TokenCache::add() stores of one response, section by section (`target`: its scopes).
    void addAccessToken(const TokenResponseEntry &e, const QString &target);
    void addRefreshToken(const TokenResponseEntry &e, const QString &target);
    void addIdToken(const TokenResponseEntry &e);
    void addAccount(const CachedAccount &a);
    void addAppMetadata(const TokenResponseEntry &e);

    static bool isKnownSection(const QString &name);
    // The entries of a cache's JSON; entries that are not objects are skipped. Error: a known
    // section that is not a JSON object.
    static Result<std::unique_ptr<Data>> fromJson(const QJsonObject &root);
    // The same straight from the cache's text, for the common case, without building a QJsonObject
    // per access token (tokencachereader.cpp). Null when the text needs the general parser (it is not
    // JSON, or uses what the fast reader leaves to it); never accepts text that the general parser
    // rejects.
    static std::unique_ptr<Data> fromText(const QByteArray &json);
    // Reads one section's entries (`sectionText`: its JSON object) as fromJson() does; false when it is
    // not a JSON object.
    bool readSection(const QString &name, QByteArrayView sectionText);
    // The cache as one JSON object: what serialize() writes, parsed.
    QJsonObject toJson() const;
};

} // namespace azid
