#include "azid/tokencache.h"

#include "tokencachedata.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QMutexLocker>
#include <QSet>

#include <algorithm>

namespace azid {
using namespace detail::cachedata;

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
    return QStringList{t.homeAccountId, t.environment, cf::AccessTokenKeyPart, t.clientId, t.realm, t.target}
        .join(QLatin1Char('-'))
        .toLower();
}

QString TokenCache::refreshTokenKey(const CachedRefreshToken &t)
{
    return QStringList{t.homeAccountId, t.environment, cf::RefreshTokenKeyPart,
                       t.clientId,      QString(),     t.target}
        .join(QLatin1Char('-'))
        .toLower();
}

QString TokenCache::accountKey(const CachedAccount &a)
{
    return QStringList{a.homeAccountId, a.environment, a.realm}.join(QLatin1Char('-')).toLower();
}

void TokenCache::Data::addAccessToken(const TokenResponseEntry &e, const QString &target)
{
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
    QJsonObject json{{cf::CredentialType, cf::AccessTokenSection},
                     {cf::SecretField, e.accessToken.revealString()},
                     {cf::HomeAccountId, e.homeAccountId},
                     {cf::Environment, e.environment},
                     {cf::ClientId, e.clientId},
                     {cf::Realm, e.realm},
                     {cf::Target, target},
                     {cf::TokenType, e.tokenType},
                     {cf::CachedAt, epochText(e.now)},
                     {cf::ExpiresOn, epochText(e.expiresOn)},
                     {cf::ExtendedExpiresOn, epochText(at.token.extendedExpiresOn)}};
    if (e.refreshOn)
        json.insert(cf::RefreshOn, epochText(*e.refreshOn));
    if (e.homeAccountId.isEmpty())
        json.remove(cf::HomeAccountId);
    at.json = json;
    const QString key = TokenCache::accessTokenKey(at.token);
    // A newer token for an overlapping set of scopes makes the older ones redundant.
    const QString index = indexKey(e.homeAccountId, e.environment, e.clientId, e.realm);
    const QList<QString> sameAccount = accessTokenIndex.value(index);
    for (const QString &other : sameAccount) {
        if (other == key)
            continue;
        const AtEntry &existing = accessTokens[other];
        const bool overlaps = std::any_of(existing.scopes.begin(), existing.scopes.end(),
                                          [&](const QString &s) { return at.scopes.contains(s); });
        if (overlaps || existing.token.expiresOn < e.now)
            removeAccessToken(other);
    }
    putAccessToken(key, std::move(at));
}

void TokenCache::Data::addRefreshToken(const TokenResponseEntry &e, const QString &target)
{
    CachedRefreshToken rt;
    rt.homeAccountId = e.homeAccountId;
    rt.environment = e.environment;
    rt.clientId = e.clientId;
    rt.familyId = e.familyId;
    rt.target = target;
    const QString key = TokenCache::refreshTokenKey(rt);
    // One refresh token per account and client: a newer one supersedes the rest.
    const QList<QString> existing = refreshTokenIndex.value(accountIndexKey(e.homeAccountId, e.environment));
    for (const QString &other : existing) {
        if (other != key &&
            str(refreshTokens.value(other), cf::ClientId).compare(e.clientId, Qt::CaseInsensitive) == 0)
            removeRefreshToken(other);
    }
    QJsonObject json = refreshTokens.value(key);
    json.insert(cf::CredentialType, cf::RefreshTokenSection);
    json.insert(cf::SecretField, e.refreshToken.revealString());
    json.insert(cf::HomeAccountId, e.homeAccountId);
    json.insert(cf::Environment, e.environment);
    json.insert(cf::ClientId, e.clientId);
    json.insert(cf::Target, target);
    json.insert(cf::LastModificationTime, epochText(e.now));
    if (!e.familyId.isEmpty())
        json.insert(cf::FamilyId, e.familyId);
    putRefreshToken(key, json);
}

void TokenCache::Data::addIdToken(const TokenResponseEntry &e)
{
    const QString key =
        QStringList{e.homeAccountId, e.environment, cf::IdTokenKeyPart, e.clientId, e.realm, QString()}
            .join(QLatin1Char('-'))
            .toLower();
    idTokens.insert(key, QJsonObject{{cf::CredentialType, cf::IdTokenSection},
                                     {cf::SecretField, e.idToken.revealString()},
                                     {cf::HomeAccountId, e.homeAccountId},
                                     {cf::Environment, e.environment},
                                     {cf::Realm, e.realm},
                                     {cf::ClientId, e.clientId}});
}

void TokenCache::Data::addAccount(const CachedAccount &a)
{
    QJsonObject json = accounts.value(TokenCache::accountKey(a));
    json.insert(cf::HomeAccountId, a.homeAccountId);
    json.insert(cf::Environment, a.environment);
    json.insert(cf::Realm, a.realm);
    json.insert(cf::LocalAccountId, a.localAccountId);
    json.insert(cf::Username, a.username);
    json.insert(cf::AuthorityType, a.authorityType);
    if (!a.accountSource.isEmpty())
        json.insert(cf::AccountSource, a.accountSource);
    accounts.insert(TokenCache::accountKey(a), json);
}

void TokenCache::Data::addAppMetadata(const TokenResponseEntry &e)
{
    const QString appKey = appMetadataKey(e.environment, e.clientId);
    QJsonObject app = appMetadata.value(appKey);
    app.insert(cf::ClientId, e.clientId);
    app.insert(cf::Environment, e.environment);
    if (!e.familyId.isEmpty())
        app.insert(cf::FamilyId, e.familyId);
    appMetadata.insert(appKey, app);
}

void TokenCache::add(const TokenResponseEntry &e)
{
    QMutexLocker lock(&m_mutex);
    const QString target = normalizedTarget(e.scopes);
    if (!e.accessToken.isEmpty())
        m_data->addAccessToken(e, target);
    if (!e.refreshToken.isEmpty())
        m_data->addRefreshToken(e, target);
    if (!e.idToken.isEmpty())
        m_data->addIdToken(e);
    if (e.account)
        m_data->addAccount(*e.account);
    m_data->addAppMetadata(e);
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
    const QJsonObject app = m_data->appMetadata.value(appMetadataKey(environment, clientId));
    const bool appKnownNonFamily = app.contains(cf::ClientId) && app.value(cf::FamilyId).toString().isEmpty();
    std::optional<CachedRefreshToken> best;
    int bestRank = -1;
    for (const QString &key : *index) {
        CachedRefreshToken rt = refreshTokenFromJson(m_data->refreshTokens[key]);
        int rank = -1;
        if (rt.clientId.compare(clientId, Qt::CaseInsensitive) == 0)
            rank = 2;
        else if (allowFamily && !appKnownNonFamily && rt.familyId == cf::FociFamilyId)
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
    it->insert(cf::SecretField, rotated.revealString());
    it->insert(cf::LastModificationTime, epochText(now));
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
        return str(o, cf::HomeAccountId).compare(homeAccountId, Qt::CaseInsensitive) == 0 &&
               str(o, cf::Environment).compare(environment, Qt::CaseInsensitive) == 0;
    };
    const QJsonObject app = m_data->appMetadata.value(appMetadataKey(environment, clientId));
    const QString appFamily = str(app, cf::FamilyId);

    const QList<QString> rtKeys =
        m_data->refreshTokenIndex.value(accountIndexKey(homeAccountId, environment));
    for (const QString &key : rtKeys) {
        const QJsonObject rt = m_data->refreshTokens.value(key);
        const bool own = str(rt, cf::ClientId).compare(clientId, Qt::CaseInsensitive) == 0;
        const bool family = !appFamily.isEmpty() && str(rt, cf::FamilyId) == appFamily;
        if (own || family)
            m_data->removeRefreshToken(key);
    }
    const QList<QString> atKeys = m_data->accessTokens.keys();
    for (const QString &key : atKeys) {
        const CachedAccessToken &token = m_data->accessTokens[key].token;
        if (token.homeAccountId.compare(homeAccountId, Qt::CaseInsensitive) == 0 &&
            token.environment.compare(environment, Qt::CaseInsensitive) == 0)
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

bool TokenCache::removeAccessTokens(const QString &homeAccountId, const QString &environment,
                                    const QStringList &scopes)
{
    QMutexLocker lock(&m_mutex);
    bool removed = false;
    const QList<QString> keys = m_data->accessTokens.keys();
    for (const QString &key : keys) {
        const AtEntry &entry = m_data->accessTokens[key];
        if (entry.token.homeAccountId.compare(homeAccountId, Qt::CaseInsensitive) == 0 &&
            entry.token.environment.compare(environment, Qt::CaseInsensitive) == 0 &&
            coversScopes(entry.scopes, scopes)) {
            m_data->removeAccessToken(key);
            removed = true;
        }
    }
    if (removed)
        bumpGeneration();
    return removed;
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
    return serializeLocked();
}

QByteArray TokenCache::serializeLocked() const
{
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
    appendSection(out, cf::AccessTokenSection, d.accessTokens,
                  [](const AtEntry &entry) -> const QByteArray & {
                      if (entry.jsonText.isEmpty())
                          entry.jsonText = compactJson(entry.json);
                      return entry.jsonText;
                  });
    out += ',';
    appendSection(out, cf::RefreshTokenSection, d.refreshTokens, compactJson);
    out += ',';
    appendSection(out, cf::IdTokenSection, d.idTokens, compactJson);
    out += ',';
    appendSection(out, cf::AccountSection, d.accounts, compactJson);
    out += ',';
    appendSection(out, cf::AppMetadataSection, d.appMetadata, compactJson);
    out += '}';
    return out;
}

VoidResult TokenCache::deserialize(const QByteArray &json)
{
    std::unique_ptr<Data> fresh = Data::fromText(json);
    if (!fresh) {
        const Result<QJsonObject> root = parseCacheJson(json);
        if (!root)
            return root.error();
        Result<std::unique_ptr<Data>> parsed = Data::fromJson(root.value());
        if (!parsed)
            return parsed.error();
        fresh = std::move(parsed.value());
    }
    QMutexLocker lock(&m_mutex);
    delete m_data;
    m_data = fresh.release();
    bumpGeneration();
    return Done{};
}

} // namespace azid
