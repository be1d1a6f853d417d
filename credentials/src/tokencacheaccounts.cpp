// TokenCache's operations on one account's entries across sections: what an accounts list shows of
// it, and copying or removing all of it.
#include "tokencachedata.h"

#include <QMutexLocker>
#include <QSet>

#include <algorithm>
#include <map>

namespace azid {

using namespace detail::cachedata;

namespace {

// The states by lower-case home|environment (a std::map: in order), each made on first sight.
class AccountStates
{
public:
    CachedAccountState *of(const QJsonObject &entry)
    {
        return of(str(entry, cf::HomeAccountId), str(entry, cf::Environment));
    }

    CachedAccountState *of(const QString &home, const QString &environment)
    {
        if (home.isEmpty())
            return nullptr; // app-only tokens belong to no account
        auto [it, added] = m_states.try_emplace(accountIndexKey(home, environment));
        if (added) {
            it->second.homeAccountId = home;
            it->second.environment = environment;
        }
        return &it->second;
    }

    QList<CachedAccountState> list() const
    {
        QList<CachedAccountState> result;
        result.reserve(qsizetype(m_states.size()));
        for (const auto &[key, state] : m_states)
            result.append(state);
        return result;
    }

private:
    std::map<QString, CachedAccountState> m_states;
};

template <typename Entries> QList<QString> sortedKeys(const Entries &entries)
{
    QList<QString> keys = entries.keys();
    std::sort(keys.begin(), keys.end());
    return keys;
}

// The "name" claim of an ID token; empty when it has none or cannot be decoded.
QString nameClaim(const QJsonObject &idToken)
{
    QByteArray jwt = str(idToken, cf::SecretField).toUtf8();
    const std::optional<QJsonObject> claims = detail::decodeJwtPayload(jwt);
    scrub(jwt);
    return claims ? claims->value(cf::NameClaim).toString() : QString();
}

bool ofAccount(const QJsonObject &entry, const QString &homeAccountId)
{
    return str(entry, cf::HomeAccountId) == homeAccountId;
}

} // namespace

QList<CachedAccountState> TokenCache::accountStates(qint64 now) const
{
    QMutexLocker lock(&m_mutex);
    const Data &d = *m_data;
    AccountStates states;
    // In key order, as MSAL's JSON lists them: the scopes come in that order, and the last ID token
    // with a name gives it.
    for (const QString &key : sortedKeys(d.accessTokens)) {
        const AtEntry &entry = *d.accessTokens.constFind(key);
        CachedAccountState *state = states.of(entry.token.homeAccountId, entry.token.environment);
        if (!state)
            continue;
        state->validUntil = std::max(state->validUntil, entry.token.expiresOn);
        if (entry.token.expiresOn <= now)
            continue;
        for (const QString &scope : entry.token.target.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
            if (!state->validScopes.contains(scope))
                state->validScopes << scope;
        }
    }
    for (const QJsonObject &refreshToken : std::as_const(d.refreshTokens)) {
        if (CachedAccountState *state = states.of(refreshToken))
            state->hasRefreshToken = true;
    }
    for (const QJsonObject &account : std::as_const(d.accounts))
        states.of(account);
    for (const QString &key : sortedKeys(d.idTokens)) {
        const QJsonObject &idToken = *d.idTokens.constFind(key);
        CachedAccountState *state = states.of(idToken);
        const QString name = state ? nameClaim(idToken) : QString();
        if (!name.isEmpty())
            state->displayName = name;
    }
    return states.list();
}

bool TokenCache::copyAccountFrom(const TokenCache &from, const QString &homeAccountId)
{
    if (&from == this)
        return false;
    struct Copied
    {
        QString section;
        QString key;
        QJsonObject json;
    };
    QList<Copied> copied;
    {
        QMutexLocker lock(&from.m_mutex);
        const Data &d = *from.m_data;
        QSet<QString> clients;
        const auto take = [&](const QString &section, const QString &key, const QJsonObject &json) {
            if (!ofAccount(json, homeAccountId))
                return;
            copied.append({section, key, json});
            if (const QString client = str(json, cf::ClientId); !client.isEmpty())
                clients.insert(client);
        };
        for (auto it = d.accessTokens.constBegin(); it != d.accessTokens.constEnd(); ++it)
            take(cf::AccessTokenSection, it.key(), it->object());
        for (auto it = d.refreshTokens.constBegin(); it != d.refreshTokens.constEnd(); ++it)
            take(cf::RefreshTokenSection, it.key(), *it);
        for (auto it = d.idTokens.constBegin(); it != d.idTokens.constEnd(); ++it)
            take(cf::IdTokenSection, it.key(), *it);
        for (auto it = d.accounts.constBegin(); it != d.accounts.constEnd(); ++it)
            take(cf::AccountSection, it.key(), *it);
        if (copied.isEmpty())
            return false; // nothing of that account there: the cache and its generation stay
        for (auto it = d.appMetadata.constBegin(); it != d.appMetadata.constEnd(); ++it) {
            if (clients.contains(str(*it, cf::ClientId)))
                copied.append({cf::AppMetadataSection, it.key(), *it});
        }
    }
    QMutexLocker lock(&m_mutex);
    for (const Copied &entry : std::as_const(copied))
        m_data->putEntry(entry.section, entry.key, entry.json);
    bumpGeneration();
    return true;
}

bool TokenCache::removeAccountEntries(const QString &homeAccountId)
{
    QMutexLocker lock(&m_mutex);
    Data &d = *m_data;
    bool removed = false;
    for (const QString &key : d.accessTokens.keys()) {
        if (d.accessTokens.constFind(key)->token.homeAccountId == homeAccountId) {
            d.removeAccessToken(key);
            removed = true;
        }
    }
    for (const QString &key : d.refreshTokens.keys()) {
        if (ofAccount(*d.refreshTokens.constFind(key), homeAccountId)) {
            d.removeRefreshToken(key);
            removed = true;
        }
    }
    for (auto *section : {&d.idTokens, &d.accounts}) {
        for (auto it = section->begin(); it != section->end();) {
            if (ofAccount(*it, homeAccountId)) {
                it = section->erase(it);
                removed = true;
            } else {
                ++it;
            }
        }
    }
    if (removed)
        bumpGeneration();
    return removed;
}

} // namespace azid
