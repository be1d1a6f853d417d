#include "azid/tokencache.h"

#include "oauth.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QMutexLocker>
#include <QSet>

#include <algorithm>

namespace azid {
namespace {

const QString kAccessToken = QStringLiteral("AccessToken");
const QString kRefreshToken = QStringLiteral("RefreshToken");
const QString kIdToken = QStringLiteral("IdToken");
const QString kAccount = QStringLiteral("Account");
const QString kAppMetadata = QStringLiteral("AppMetadata");

QString str(const QJsonObject &o, const QString &key)
{
    return o.value(key).toString();
}

// MSAL writes timestamps as strings; other writers have used numbers. Accept both, within
// [0, limits::MaxEpochSeconds]: a cache file is outside data, and these are compared with and
// subtracted from the current time.
qint64 epoch(const QJsonObject &o, const QString &key)
{
    return detail::clampEpoch(detail::jsonInteger(o.value(key)).value_or(0));
}

QString epochText(qint64 value)
{
    return QString::number(value);
}

QString indexKey(const QString &home, const QString &environment, const QString &clientId,
                 const QString &realm)
{
    return (home + QLatin1Char('|') + environment + QLatin1Char('|') + clientId + QLatin1Char('|') + realm)
        .toLower();
}

QString accountIndexKey(const QString &home, const QString &environment)
{
    return (home + QLatin1Char('|') + environment).toLower();
}

QStringList splitScopes(const QString &target)
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
    QJsonObject json;   // as loaded or written, with fields Azid does not know
    // `json` as compact JSON text, made by the first serialize() and kept with the entry (entries are
    // replaced, never changed): saving a large cache does not convert its unchanged tokens again.
    // It holds the token, so it is scrubbed with the entry.
    mutable QByteArray jsonText;

    AtEntry() = default;
    AtEntry(const AtEntry &) = default;
    AtEntry(AtEntry &&) = default;
    AtEntry &operator=(const AtEntry &) = default;
    AtEntry &operator=(AtEntry &&) = default;
    ~AtEntry() { scrub(jsonText); }
};

CachedAccessToken accessTokenFromJson(const QJsonObject &o)
{
    CachedAccessToken t;
    t.secret = Secret::fromString(str(o, QStringLiteral("secret")));
    t.homeAccountId = str(o, QStringLiteral("home_account_id"));
    t.environment = str(o, QStringLiteral("environment"));
    t.clientId = str(o, QStringLiteral("client_id"));
    t.realm = str(o, QStringLiteral("realm"));
    t.target = str(o, QStringLiteral("target"));
    const QString type = str(o, QStringLiteral("token_type"));
    if (!type.isEmpty())
        t.tokenType = type;
    t.cachedAt = epoch(o, QStringLiteral("cached_at"));
    t.expiresOn = epoch(o, QStringLiteral("expires_on"));
    t.extendedExpiresOn = epoch(o, QStringLiteral("extended_expires_on"));
    if (o.contains(QStringLiteral("refresh_on")))
        t.refreshOn = epoch(o, QStringLiteral("refresh_on"));
    return t;
}

CachedRefreshToken refreshTokenFromJson(const QJsonObject &o)
{
    CachedRefreshToken t;
    t.secret = Secret::fromString(str(o, QStringLiteral("secret")));
    t.homeAccountId = str(o, QStringLiteral("home_account_id"));
    t.environment = str(o, QStringLiteral("environment"));
    t.clientId = str(o, QStringLiteral("client_id"));
    t.familyId = str(o, QStringLiteral("family_id"));
    t.target = str(o, QStringLiteral("target"));
    t.lastModificationTime = epoch(o, QStringLiteral("last_modification_time"));
    return t;
}

CachedAccount accountFromJson(const QJsonObject &o)
{
    CachedAccount a;
    a.homeAccountId = str(o, QStringLiteral("home_account_id"));
    a.environment = str(o, QStringLiteral("environment"));
    a.realm = str(o, QStringLiteral("realm"));
    a.localAccountId = str(o, QStringLiteral("local_account_id"));
    a.username = str(o, QStringLiteral("username"));
    a.authorityType = str(o, QStringLiteral("authority_type"));
    a.accountSource = str(o, QStringLiteral("account_source"));
    return a;
}

} // namespace

struct TokenCache::Data
{
    QHash<QString, AtEntry> accessTokens;
    QHash<QString, QList<QString>> accessTokenIndex; // home|env|client|realm -> keys
    QHash<QString, QJsonObject> refreshTokens;
    QHash<QString, QList<QString>> refreshTokenIndex; // home|env -> keys
    QHash<QString, QJsonObject> idTokens;
    QHash<QString, QJsonObject> accounts;
    QHash<QString, QJsonObject> appMetadata;
    QJsonObject otherSections; // sections Azid does not know, kept as they are

    void putAccessToken(const QString &key, AtEntry entry)
    {
        const QString index = indexKey(entry.token.homeAccountId, entry.token.environment,
                                       entry.token.clientId, entry.token.realm);
        if (!accessTokens.contains(key))
            accessTokenIndex[index].append(key);
        accessTokens.insert(key, std::move(entry));
    }

    void removeAccessToken(const QString &key)
    {
        const auto it = accessTokens.constFind(key);
        if (it == accessTokens.constEnd())
            return;
        const QString index =
            indexKey(it->token.homeAccountId, it->token.environment, it->token.clientId, it->token.realm);
        auto &keys = accessTokenIndex[index];
        keys.removeAll(key);
        if (keys.isEmpty())
            accessTokenIndex.remove(index);
        accessTokens.erase(it);
    }

    void putRefreshToken(const QString &key, const QJsonObject &json)
    {
        if (!refreshTokens.contains(key)) {
            refreshTokenIndex[accountIndexKey(str(json, QStringLiteral("home_account_id")),
                                              str(json, QStringLiteral("environment")))]
                .append(key);
        }
        refreshTokens.insert(key, json);
    }

    void removeRefreshToken(const QString &key)
    {
        const auto it = refreshTokens.constFind(key);
        if (it == refreshTokens.constEnd())
            return;
        const QString index = accountIndexKey(str(*it, QStringLiteral("home_account_id")),
                                              str(*it, QStringLiteral("environment")));
        auto &keys = refreshTokenIndex[index];
        keys.removeAll(key);
        if (keys.isEmpty())
            refreshTokenIndex.remove(index);
        refreshTokens.erase(it);
    }

    void clear()
    {
        accessTokens.clear();
        accessTokenIndex.clear();
        refreshTokens.clear();
        refreshTokenIndex.clear();
        idTokens.clear();
        accounts.clear();
        appMetadata.clear();
        otherSections = {};
    }
};

TokenCache::TokenCache() : m_data(new Data) {}

TokenCache::~TokenCache()
{
    delete m_data;
}

void TokenCache::bumpGeneration()
{
    m_generation.fetch_add(1, std::memory_order_acq_rel);
}

QString TokenCache::normalizedTarget(const QStringList &scopes)
{
    QStringList sorted = scopes;
    sorted.removeDuplicates();
    std::sort(sorted.begin(), sorted.end());
    return sorted.join(QLatin1Char(' '));
}

QString TokenCache::accessTokenKey(const CachedAccessToken &t)
{
    return QStringList{t.homeAccountId, t.environment, QStringLiteral("accesstoken"),
                       t.clientId,      t.realm,       t.target}
        .join(QLatin1Char('-'))
        .toLower();
}

QString TokenCache::refreshTokenKey(const CachedRefreshToken &t)
{
    return QStringList{t.homeAccountId, t.environment, QStringLiteral("refreshtoken"),
                       t.clientId,      QString(),     t.target}
        .join(QLatin1Char('-'))
        .toLower();
}

QString TokenCache::accountKey(const CachedAccount &a)
{
    return QStringList{a.homeAccountId, a.environment, a.realm}.join(QLatin1Char('-')).toLower();
}

void TokenCache::add(const TokenResponseEntry &e)
{
    QMutexLocker lock(&m_mutex);
    const QString target = normalizedTarget(e.scopes);

    if (!e.accessToken.isEmpty()) {
        AtEntry at;
        at.token.secret = e.accessToken;
        at.token.homeAccountId = e.homeAccountId;
        at.token.environment = e.environment;
        at.token.clientId = e.clientId;
        at.token.realm = e.realm;
        at.token.target = target;
        at.token.tokenType = e.tokenType;
        at.token.cachedAt = e.now;
        at.token.expiresOn = e.expiresOn;
        at.token.extendedExpiresOn = e.extendedExpiresOn ? e.extendedExpiresOn : e.expiresOn;
        at.token.refreshOn = e.refreshOn;
        at.scopes = splitScopes(target);
        QJsonObject json{{QStringLiteral("credential_type"), kAccessToken},
                         {QStringLiteral("secret"), e.accessToken.revealString()},
                         {QStringLiteral("home_account_id"), e.homeAccountId},
                         {QStringLiteral("environment"), e.environment},
                         {QStringLiteral("client_id"), e.clientId},
                         {QStringLiteral("realm"), e.realm},
                         {QStringLiteral("target"), target},
                         {QStringLiteral("token_type"), e.tokenType},
                         {QStringLiteral("cached_at"), epochText(e.now)},
                         {QStringLiteral("expires_on"), epochText(e.expiresOn)},
                         {QStringLiteral("extended_expires_on"), epochText(at.token.extendedExpiresOn)}};
        if (e.refreshOn)
            json.insert(QStringLiteral("refresh_on"), epochText(*e.refreshOn));
        if (e.homeAccountId.isEmpty())
            json.remove(QStringLiteral("home_account_id"));
        at.json = json;
        const QString key = accessTokenKey(at.token);
        // A newer token for an overlapping set of scopes makes the older ones redundant.
        const QString index = indexKey(e.homeAccountId, e.environment, e.clientId, e.realm);
        const QList<QString> sameAccount = m_data->accessTokenIndex.value(index);
        for (const QString &other : sameAccount) {
            if (other == key)
                continue;
            const AtEntry &existing = m_data->accessTokens[other];
            const bool overlaps = std::any_of(existing.scopes.begin(), existing.scopes.end(),
                                              [&](const QString &s) { return at.scopes.contains(s); });
            if (overlaps || existing.token.expiresOn < e.now)
                m_data->removeAccessToken(other);
        }
        m_data->putAccessToken(key, std::move(at));
    }

    if (!e.refreshToken.isEmpty()) {
        CachedRefreshToken rt;
        rt.homeAccountId = e.homeAccountId;
        rt.environment = e.environment;
        rt.clientId = e.clientId;
        rt.familyId = e.familyId;
        rt.target = target;
        const QString key = refreshTokenKey(rt);
        // One refresh token per account and client: a newer one supersedes the rest.
        const QList<QString> existing =
            m_data->refreshTokenIndex.value(accountIndexKey(e.homeAccountId, e.environment));
        for (const QString &other : existing) {
            if (other != key && str(m_data->refreshTokens.value(other), QStringLiteral("client_id"))
                                        .compare(e.clientId, Qt::CaseInsensitive) == 0)
                m_data->removeRefreshToken(other);
        }
        QJsonObject json = m_data->refreshTokens.value(key);
        json.insert(QStringLiteral("credential_type"), kRefreshToken);
        json.insert(QStringLiteral("secret"), e.refreshToken.revealString());
        json.insert(QStringLiteral("home_account_id"), e.homeAccountId);
        json.insert(QStringLiteral("environment"), e.environment);
        json.insert(QStringLiteral("client_id"), e.clientId);
        json.insert(QStringLiteral("target"), target);
        json.insert(QStringLiteral("last_modification_time"), epochText(e.now));
        if (!e.familyId.isEmpty())
            json.insert(QStringLiteral("family_id"), e.familyId);
        m_data->putRefreshToken(key, json);
    }

    if (!e.idToken.isEmpty()) {
        const QString key = QStringList{e.homeAccountId, e.environment, QStringLiteral("idtoken"),
                                        e.clientId,      e.realm,       QString()}
                                .join(QLatin1Char('-'))
                                .toLower();
        m_data->idTokens.insert(key, QJsonObject{{QStringLiteral("credential_type"), kIdToken},
                                                 {QStringLiteral("secret"), e.idToken.revealString()},
                                                 {QStringLiteral("home_account_id"), e.homeAccountId},
                                                 {QStringLiteral("environment"), e.environment},
                                                 {QStringLiteral("realm"), e.realm},
                                                 {QStringLiteral("client_id"), e.clientId}});
    }

    if (e.account) {
        const CachedAccount &a = *e.account;
        QJsonObject json = m_data->accounts.value(accountKey(a));
        json.insert(QStringLiteral("home_account_id"), a.homeAccountId);
        json.insert(QStringLiteral("environment"), a.environment);
        json.insert(QStringLiteral("realm"), a.realm);
        json.insert(QStringLiteral("local_account_id"), a.localAccountId);
        json.insert(QStringLiteral("username"), a.username);
        json.insert(QStringLiteral("authority_type"), a.authorityType);
        if (!a.accountSource.isEmpty())
            json.insert(QStringLiteral("account_source"), a.accountSource);
        m_data->accounts.insert(accountKey(a), json);
    }

    const QString appKey = QStringLiteral("appmetadata-%1-%2").arg(e.environment, e.clientId);
    QJsonObject app = m_data->appMetadata.value(appKey);
    app.insert(QStringLiteral("client_id"), e.clientId);
    app.insert(QStringLiteral("environment"), e.environment);
    if (!e.familyId.isEmpty())
        app.insert(QStringLiteral("family_id"), e.familyId);
    m_data->appMetadata.insert(appKey, app);
    bumpGeneration();
}

namespace {
bool coversScopes(const QStringList &granted, const QStringList &requested)
{
    for (const QString &scope : requested) {
        bool found = false;
        for (const QString &g : granted) {
            if (g.compare(scope, Qt::CaseInsensitive) == 0) {
                found = true;
                break;
            }
        }
        if (!found)
            return false;
    }
    return true;
}
} // namespace

std::optional<CachedAccessToken> TokenCache::findAccessToken(const QString &homeAccountId,
                                                             const QString &environment,
                                                             const QString &clientId, const QString &realm,
                                                             const QStringList &scopes, qint64 now,
                                                             qint64 minimumLifetime) const
{
    QMutexLocker lock(&m_mutex);
    const auto index =
        m_data->accessTokenIndex.constFind(indexKey(homeAccountId, environment, clientId, realm));
    if (index == m_data->accessTokenIndex.constEnd())
        return std::nullopt;
    for (const QString &key : *index) {
        const AtEntry &entry = m_data->accessTokens[key];
        if (entry.token.expiresOn - now >= minimumLifetime && coversScopes(entry.scopes, scopes))
            return entry.token;
    }
    return std::nullopt;
}

std::optional<CachedAccessToken> TokenCache::findAppToken(const QString &environment, const QString &clientId,
                                                          const QString &realm, const QStringList &scopes,
                                                          qint64 now, qint64 minimumLifetime) const
{
    return findAccessToken(QString(), environment, clientId, realm, scopes, now, minimumLifetime);
}

std::optional<CachedRefreshToken> TokenCache::findRefreshToken(const QString &homeAccountId,
                                                               const QString &environment,
                                                               const QString &clientId,
                                                               bool allowFamily) const
{
    QMutexLocker lock(&m_mutex);
    const auto index = m_data->refreshTokenIndex.constFind(accountIndexKey(homeAccountId, environment));
    if (index == m_data->refreshTokenIndex.constEnd())
        return std::nullopt;
    // A client known to be outside any family must not try family tokens.
    const QJsonObject app =
        m_data->appMetadata.value(QStringLiteral("appmetadata-%1-%2").arg(environment, clientId));
    const bool appKnownNonFamily = app.contains(QStringLiteral("client_id")) &&
                                   app.value(QStringLiteral("family_id")).toString().isEmpty();
    std::optional<CachedRefreshToken> best;
    int bestRank = -1;
    for (const QString &key : *index) {
        CachedRefreshToken rt = refreshTokenFromJson(m_data->refreshTokens[key]);
        int rank = -1;
        if (rt.clientId.compare(clientId, Qt::CaseInsensitive) == 0)
            rank = 2;
        else if (allowFamily && !appKnownNonFamily && rt.familyId == QStringLiteral("1"))
            rank = 1;
        if (rank < 0)
            continue;
        if (rank > bestRank || (rank == bestRank && rt.lastModificationTime > best->lastModificationTime)) {
            bestRank = rank;
            best = std::move(rt);
        }
    }
    return best;
}

void TokenCache::updateRefreshToken(const CachedRefreshToken &old, const Secret &rotated, qint64 now)
{
    QMutexLocker lock(&m_mutex);
    const QString key = refreshTokenKey(old);
    auto it = m_data->refreshTokens.find(key);
    if (it == m_data->refreshTokens.end())
        return;
    it->insert(QStringLiteral("secret"), rotated.revealString());
    it->insert(QStringLiteral("last_modification_time"), epochText(now));
    bumpGeneration();
}

QList<CachedAccount> TokenCache::accounts() const
{
    QMutexLocker lock(&m_mutex);
    QList<CachedAccount> result;
    result.reserve(m_data->accounts.size());
    for (const QJsonObject &json : std::as_const(m_data->accounts))
        result.append(accountFromJson(json));
    std::sort(result.begin(), result.end(), [](const CachedAccount &a, const CachedAccount &b) {
        return std::tie(a.username, a.homeAccountId, a.realm) <
               std::tie(b.username, b.homeAccountId, b.realm);
    });
    return result;
}

std::optional<CachedAccount> TokenCache::account(const QString &homeAccountId,
                                                 const QString &environment) const
{
    QMutexLocker lock(&m_mutex);
    for (const QJsonObject &json : std::as_const(m_data->accounts)) {
        CachedAccount a = accountFromJson(json);
        if (a.homeAccountId.compare(homeAccountId, Qt::CaseInsensitive) == 0 &&
            a.environment.compare(environment, Qt::CaseInsensitive) == 0)
            return a;
    }
    return std::nullopt;
}

void TokenCache::removeAccount(const QString &homeAccountId, const QString &environment,
                               const QString &clientId)
{
    QMutexLocker lock(&m_mutex);
    auto sameAccount = [&](const QJsonObject &o) {
        return str(o, QStringLiteral("home_account_id")).compare(homeAccountId, Qt::CaseInsensitive) == 0 &&
               str(o, QStringLiteral("environment")).compare(environment, Qt::CaseInsensitive) == 0;
    };
    const QJsonObject app =
        m_data->appMetadata.value(QStringLiteral("appmetadata-%1-%2").arg(environment, clientId));
    const QString appFamily = str(app, QStringLiteral("family_id"));

    const QList<QString> rtKeys =
        m_data->refreshTokenIndex.value(accountIndexKey(homeAccountId, environment));
    for (const QString &key : rtKeys) {
        const QJsonObject rt = m_data->refreshTokens.value(key);
        const bool own = str(rt, QStringLiteral("client_id")).compare(clientId, Qt::CaseInsensitive) == 0;
        const bool family = !appFamily.isEmpty() && str(rt, QStringLiteral("family_id")) == appFamily;
        if (own || family)
            m_data->removeRefreshToken(key);
    }
    const QList<QString> atKeys = m_data->accessTokens.keys();
    for (const QString &key : atKeys) {
        if (sameAccount(m_data->accessTokens[key].json))
            m_data->removeAccessToken(key);
    }
    for (auto *section : {&m_data->idTokens, &m_data->accounts}) {
        for (auto it = section->begin(); it != section->end();) {
            if (sameAccount(*it))
                it = section->erase(it);
            else
                ++it;
        }
    }
    bumpGeneration();
}

void TokenCache::clear()
{
    QMutexLocker lock(&m_mutex);
    m_data->clear();
    bumpGeneration();
}

qsizetype TokenCache::accessTokenCount() const
{
    QMutexLocker lock(&m_mutex);
    return m_data->accessTokens.size();
}

bool TokenCache::isEmpty() const
{
    QMutexLocker lock(&m_mutex);
    const Data &d = *m_data;
    return d.accessTokens.isEmpty() && d.refreshTokens.isEmpty() && d.idTokens.isEmpty() &&
           d.accounts.isEmpty() && d.appMetadata.isEmpty() && d.otherSections.isEmpty();
}

namespace {

// A JSON string (RFC 8259): quotes, backslashes and control characters escaped, the rest as UTF-8.
void appendJsonString(QByteArray &out, const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    const auto needsEscape = [](char c) {
        return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
    };
    out += '"';
    if (std::none_of(utf8.cbegin(), utf8.cend(), needsEscape)) {
        out += utf8; // cache keys: the common case
    } else {
        for (const char c : utf8) {
            if (!needsEscape(c)) {
                out += c;
            } else if (c == '"' || c == '\\') {
                out += '\\';
                out += c;
            } else {
                static const char hex[] = "0123456789abcdef";
                const auto byte = static_cast<unsigned char>(c);
                out += "\\u00";
                out += hex[byte >> 4];
                out += hex[byte & 0xf];
            }
        }
    }
    out += '"';
}

// `"name":{"key":entry,...}`, keys in order, each entry's text from `entryText`.
template <typename Entries, typename EntryText>
void appendSection(QByteArray &out, const QString &name, const Entries &entries, EntryText entryText)
{
    QList<QString> keys = entries.keys();
    std::sort(keys.begin(), keys.end());
    appendJsonString(out, name);
    out += ":{";
    for (qsizetype i = 0; i < keys.size(); ++i) {
        if (i > 0)
            out += ',';
        appendJsonString(out, keys.at(i));
        out += ':';
        out += entryText(*entries.constFind(keys.at(i)));
    }
    out += '}';
}

QByteArray compactJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

QByteArray TokenCache::serialize() const
{
    QMutexLocker lock(&m_mutex);
    const Data &d = *m_data;
    QByteArray out;
    out.reserve(d.accessTokens.size() * 2048 + d.refreshTokens.size() * 1536 + 4096); // about, to grow rarely
    out += '{';
    // Sections Azid does not know first, as they are (a value of any kind: written inside an array).
    for (auto it = d.otherSections.constBegin(); it != d.otherSections.constEnd(); ++it) {
        appendJsonString(out, it.key());
        out += ':';
        const QByteArray wrapped = QJsonDocument(QJsonArray{it.value()}).toJson(QJsonDocument::Compact);
        out += QByteArrayView(wrapped).sliced(1, wrapped.size() - 2);
        out += ',';
    }
    appendSection(out, kAccessToken, d.accessTokens, [](const AtEntry &entry) -> const QByteArray & {
        if (entry.jsonText.isEmpty())
            entry.jsonText = compactJson(entry.json);
        return entry.jsonText;
    });
    out += ',';
    appendSection(out, kRefreshToken, d.refreshTokens, compactJson);
    out += ',';
    appendSection(out, kIdToken, d.idTokens, compactJson);
    out += ',';
    appendSection(out, kAccount, d.accounts, compactJson);
    out += ',';
    appendSection(out, kAppMetadata, d.appMetadata, compactJson);
    out += '}';
    return out;
}

VoidResult TokenCache::deserialize(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        return AuthError::unavailable(QStringLiteral("The token cache is not valid JSON (%1 at offset %2).")
                                          .arg(error.errorString())
                                          .arg(error.offset));
    }
    auto fresh = std::make_unique<Data>();
    const QJsonObject root = doc.object();
    for (auto it = root.constBegin(); it != root.constEnd(); ++it) {
        const QString &name = it.key();
        if (name != kAccessToken && name != kRefreshToken && name != kIdToken && name != kAccount &&
            name != kAppMetadata) {
            fresh->otherSections.insert(name, it.value());
            continue;
        }
        if (!it.value().isObject()) {
            return AuthError::unavailable(
                QStringLiteral("The token cache's \"%1\" section is not a JSON object.").arg(name));
        }
        const QJsonObject entries = it.value().toObject();
        for (auto e = entries.constBegin(); e != entries.constEnd(); ++e) {
            if (!e.value().isObject())
                continue;
            const QJsonObject o = e.value().toObject();
            if (name == kAccessToken) {
                AtEntry at;
                at.token = accessTokenFromJson(o);
                at.scopes = splitScopes(at.token.target);
                at.json = o;
                fresh->putAccessToken(e.key(), std::move(at));
            } else if (name == kRefreshToken) {
                fresh->putRefreshToken(e.key(), o);
            } else if (name == kIdToken) {
                fresh->idTokens.insert(e.key(), o);
            } else if (name == kAccount) {
                fresh->accounts.insert(e.key(), o);
            } else {
                fresh->appMetadata.insert(e.key(), o);
            }
        }
    }
    QMutexLocker lock(&m_mutex);
    delete m_data;
    m_data = fresh.release();
    bumpGeneration();
    return Done{};
}

} // namespace azid
