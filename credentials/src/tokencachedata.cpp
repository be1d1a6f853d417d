#include "tokencachedata.h"

#include <QJsonDocument>

#include <algorithm>

namespace azid {

using namespace detail::cachedata;

namespace detail::cachedata {

Result<QJsonObject> parseCacheJson(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError) {
        return AuthError::unavailable(QStringLiteral("The token cache is not valid JSON (%1 at offset %2).")
                                          .arg(error.errorString())
                                          .arg(error.offset));
    }
    if (!doc.isObject())
        return AuthError::unavailable(QStringLiteral("The token cache is not a JSON object."));
    return doc.object();
}

const QJsonObject &AtEntry::object() const
{
    if (json.isEmpty() && !jsonText.isEmpty())
        json = QJsonDocument::fromJson(jsonText).object();
    return json;
}

} // namespace detail::cachedata

void TokenCache::Data::putAccessToken(const QString &key, AtEntry entry)
{
    const QString index =
        indexKey(entry.token.homeAccountId, entry.token.environment, entry.token.clientId, entry.token.realm);
    if (!accessTokens.contains(key))
        accessTokenIndex[index].append(key);
    accessTokens.emplace(key, std::move(entry)); // moved: the token and its text are not copied
}

void TokenCache::Data::removeAccessToken(const QString &key)
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

void TokenCache::Data::putRefreshToken(const QString &key, const QJsonObject &json)
{
    if (!refreshTokens.contains(key))
        refreshTokenIndex[accountIndexKey(str(json, cf::HomeAccountId), str(json, cf::Environment))].append(
            key);
    refreshTokens.insert(key, json);
}

void TokenCache::Data::removeRefreshToken(const QString &key)
{
    const auto it = refreshTokens.constFind(key);
    if (it == refreshTokens.constEnd())
        return;
    const QString index = accountIndexKey(str(*it, cf::HomeAccountId), str(*it, cf::Environment));
    auto &keys = refreshTokenIndex[index];
    keys.removeAll(key);
    if (keys.isEmpty())
        refreshTokenIndex.remove(index);
    refreshTokens.erase(it);
}

void TokenCache::Data::putEntry(const QString &section, const QString &key, const QJsonObject &json)
{
    if (section == cf::AccessTokenSection) {
        // An access token of the same key may be indexed under other fields: drop it first.
        removeAccessToken(key);
        AtEntry at;
        at.token = accessTokenFromJson(json);
        at.scopes = splitScopes(at.token.target);
        at.json = json;
        putAccessToken(key, std::move(at));
    } else if (section == cf::RefreshTokenSection) {
        removeRefreshToken(key);
        putRefreshToken(key, json);
    } else if (section == cf::IdTokenSection) {
        idTokens.insert(key, json);
    } else if (section == cf::AccountSection) {
        accounts.insert(key, json);
    } else if (section == cf::AppMetadataSection) {
        appMetadata.insert(key, json);
    }
}

void TokenCache::Data::clear()
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

bool TokenCache::Data::isKnownSection(const QString &name)
{
    return name == cf::AccessTokenSection || name == cf::RefreshTokenSection || name == cf::IdTokenSection ||
           name == cf::AccountSection || name == cf::AppMetadataSection;
}

Result<std::unique_ptr<TokenCache::Data>> TokenCache::Data::fromJson(const QJsonObject &root)
{
    auto fresh = std::make_unique<Data>();
    for (auto it = root.constBegin(); it != root.constEnd(); ++it) {
        const QString &name = it.key();
        if (!isKnownSection(name)) {
            fresh->otherSections.insert(name, it.value());
            continue;
        }
        if (!it.value().isObject()) {
            return AuthError::unavailable(
                QStringLiteral("The token cache's \"%1\" section is not a JSON object.").arg(name));
        }
        const QJsonObject entries = it.value().toObject();
        for (auto e = entries.constBegin(); e != entries.constEnd(); ++e) {
            if (e.value().isObject())
                fresh->putEntry(name, e.key(), e.value().toObject());
        }
    }
    return fresh;
}

namespace {

// Inserted in key order: a QJsonObject keeps its keys sorted, so each entry goes at the end and
// nothing is moved.
template <typename Entries, typename EntryJson>
QJsonObject sectionJson(const Entries &entries, EntryJson entryJson)
{
    QList<QString> keys = entries.keys();
    std::sort(keys.begin(), keys.end());
    QJsonObject section;
    for (const QString &key : std::as_const(keys))
        section.insert(key, entryJson(*entries.constFind(key)));
    return section;
}

} // namespace

QJsonObject TokenCache::Data::toJson() const
{
    const auto same = [](const QJsonObject &o) -> const QJsonObject & { return o; };
    QJsonObject root = otherSections;
    root.insert(
        cf::AccessTokenSection,
        sectionJson(accessTokens, [](const AtEntry &e) -> const QJsonObject & { return e.object(); }));
    root.insert(cf::RefreshTokenSection, sectionJson(refreshTokens, same));
    root.insert(cf::IdTokenSection, sectionJson(idTokens, same));
    root.insert(cf::AccountSection, sectionJson(accounts, same));
    root.insert(cf::AppMetadataSection, sectionJson(appMetadata, same));
    return root;
}

} // namespace azid
