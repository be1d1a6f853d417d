#include "accountsummaries.h"

#include "azid/keychain/secretstore.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>

namespace azid::detail {

namespace {

constexpr int FormatVersion = 1;

// qCompress's own limit on what it inflates: a damaged item cannot make it allocate more.
constexpr qsizetype MaxSummaryJson = 4 * 1024 * 1024;

Secret compressed(const QJsonObject &page)
{
    QByteArray json = QJsonDocument(page).toJson(QJsonDocument::Compact);
    Secret item(qCompress(json, 9));
    scrub(json);
    return item;
}

QJsonObject pageObject(const QJsonArray &accounts, const QString &stamp, int number, int count)
{
    QJsonObject page;
    page.insert(QStringLiteral("version"), FormatVersion);
    page.insert(QStringLiteral("index"), stamp);
    if (number == 0)
        page.insert(QStringLiteral("pages"), count);
    page.insert(QStringLiteral("accounts"), accounts);
    return page;
}

} // namespace

QJsonObject accountObject(const StoredAccount &account)
{
    const AccountMetadata &metadata = account.metadata;
    QJsonObject object;
    object.insert(QStringLiteral("version"), FormatVersion);
    object.insert(QStringLiteral("record"),
                  QJsonDocument::fromJson(account.record.serialize().toUtf8()).object());
    object.insert(QStringLiteral("signInMethod"), metadata.signInMethod);
    object.insert(QStringLiteral("authorityUrl"), metadata.authorityUrl);
    object.insert(QStringLiteral("lastSignIn"), metadata.lastSignIn);
    if (!metadata.caBundle.isEmpty())
        object.insert(QStringLiteral("caBundle"), metadata.caBundle);
    if (metadata.disableInstanceDiscovery)
        object.insert(QStringLiteral("disableInstanceDiscovery"), true);
    if (metadata.shareWithAzureTools)
        object.insert(QStringLiteral("shareWithAzureTools"), true);
    return object;
}

std::optional<StoredAccount> parseAccountObject(const QJsonObject &object)
{
    const QJsonValue record = object.value(QStringLiteral("record"));
    if (!record.isObject())
        return std::nullopt;
    const auto parsed = AuthenticationRecord::deserialize(
        QString::fromUtf8(QJsonDocument(record.toObject()).toJson(QJsonDocument::Compact)));
    if (!parsed)
        return std::nullopt;
    StoredAccount account;
    account.record = parsed.value();
    account.metadata.signInMethod = object.value(QStringLiteral("signInMethod")).toString();
    account.metadata.authorityUrl = object.value(QStringLiteral("authorityUrl")).toString();
    account.metadata.lastSignIn = object.value(QStringLiteral("lastSignIn")).toInteger();
    account.metadata.caBundle = object.value(QStringLiteral("caBundle")).toString();
    account.metadata.disableInstanceDiscovery =
        object.value(QStringLiteral("disableInstanceDiscovery")).toBool();
    account.metadata.shareWithAzureTools = object.value(QStringLiteral("shareWithAzureTools")).toBool();
    return account;
}

QString indexStamp(const QStringList &ids)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(ids.join(QLatin1Char('\n')).toUtf8(), QCryptographicHash::Sha256)
            .toHex()
            .left(32));
}

QList<Secret> packSummaries(const QList<StoredAccount> &accounts, const QString &stamp)
{
    // Room for the page count of page 0. A page takes as many accounts as fit compressed; the size is
    // checked where the entries so far say the page could be full, then entry by entry back.
    const qsizetype limit = SecretStore::MaxItemSize - 16;
    const auto fits = [&](const QJsonArray &entries) {
        return compressed(pageObject(entries, stamp, 0, 1)).size() <= limit;
    };
    QList<QJsonArray> groups;
    qsizetype next = 0;
    while (next < accounts.size()) {
        QJsonArray page{accountObject(accounts.at(next++))};
        while (next < accounts.size()) {
            const qsizetype size = compressed(pageObject(page, stamp, 0, 1)).size();
            const qsizetype room = (limit - size) * page.size() / qMax<qsizetype>(size, 1);
            const qsizetype take = qBound<qsizetype>(1, room, accounts.size() - next);
            QJsonArray candidate = page;
            for (qsizetype i = 0; i < take; ++i)
                candidate.append(accountObject(accounts.at(next + i)));
            while (candidate.size() > page.size() && !fits(candidate))
                candidate.removeLast();
            if (candidate.size() == page.size())
                break;
            next += candidate.size() - page.size();
            page = candidate;
        }
        groups << page;
    }
    if (groups.isEmpty())
        groups << QJsonArray();
    QList<Secret> pages;
    for (int i = 0; i < groups.size(); ++i)
        pages << compressed(pageObject(groups.at(i), stamp, i, int(groups.size())));
    return pages;
}

std::optional<SummaryPage> unpackSummaries(const Secret &item)
{
    const QByteArray &bytes = item.reveal();
    // qCompress's header: the inflated size, big-endian.
    if (bytes.size() < 4)
        return std::nullopt;
    const quint32 size = (quint32(quint8(bytes[0])) << 24) | (quint32(quint8(bytes[1])) << 16) |
                         (quint32(quint8(bytes[2])) << 8) | quint32(quint8(bytes[3]));
    if (size > MaxSummaryJson)
        return std::nullopt;
    QByteArray json = qUncompress(bytes);
    const QJsonDocument document = QJsonDocument::fromJson(json);
    scrub(json);
    const QJsonObject page = document.object();
    if (page.value(QStringLiteral("version")).toInt() != FormatVersion)
        return std::nullopt;
    SummaryPage summary;
    summary.stamp = page.value(QStringLiteral("index")).toString();
    summary.pages = qBound(1, page.value(QStringLiteral("pages")).toInt(1), 100000);
    for (const QJsonValue &value : page.value(QStringLiteral("accounts")).toArray()) {
        const auto account = parseAccountObject(value.toObject());
        if (!account)
            return std::nullopt;
        summary.accounts << *account;
    }
    return summary;
}

} // namespace azid::detail
