#include "azid/model/records.h"

#include "azid/model/cloud.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <algorithm>

namespace azid::model {

QByteArray serializeRecords(const QList<AuthenticationRecord> &records, RecordsShape shape)
{
    if (records.size() == 1 && shape == RecordsShape::ObjectForOne)
        return records.first().serialize().toUtf8();
    QByteArray json = "[";
    for (qsizetype i = 0; i < records.size(); ++i)
        json += (i ? ", " : "") + records[i].serialize().toUtf8();
    json += "]";
    return json;
}

VoidResult writeRecordsFile(const QString &path, const QList<AuthenticationRecord> &records,
                            RecordsShape shape)
{
    const QByteArray json = serializeRecords(records, shape);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) ||
        !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner) ||
        file.write(json) != json.size() || !file.commit()) {
        return AuthError::unavailable(
            QCoreApplication::translate("azid::model::Records", "Cannot write %1: %2.")
                .arg(path, file.errorString()));
    }
    return Done{};
}

Result<QList<AuthenticationRecord>> parseRecords(const QByteArray &json)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError || (!document.isArray() && !document.isObject())) {
        return AuthError::unavailable(QCoreApplication::translate(
            "azid::model::Records", "The file is not an account record (JSON as azure.identity's "
                                    "AuthenticationRecord.serialize() writes it, or an array of them)."));
    }
    QList<AuthenticationRecord> records;
    const QJsonArray array = document.isArray() ? document.array() : QJsonArray{document.object()};
    for (const QJsonValue &value : array) {
        const auto record = AuthenticationRecord::deserialize(
            QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact)));
        if (!record.ok())
            return record.error();
        records << record.value();
    }
    return records;
}

namespace {

const StoredAccount *findAccount(const QList<StoredAccount> &existing, const QString &homeAccountId)
{
    const auto found = std::find_if(existing.cbegin(), existing.cend(), [&](const StoredAccount &stored) {
        return stored.record.homeAccountId == homeAccountId;
    });
    return found == existing.cend() ? nullptr : &*found;
}

bool isCustomAuthority(const QString &authority)
{
    return cloudOfAuthority(authority) == Cloud::Custom;
}

} // namespace

ImportPlan planImport(const QList<AuthenticationRecord> &records, const QList<StoredAccount> &existing)
{
    ImportPlan plan;
    for (const AuthenticationRecord &record : records) {
        const StoredAccount *known = findAccount(existing, record.homeAccountId);
        if (known && known->record == record) {
            plan.present << record;
            continue;
        }
        (known ? plan.replacing : plan.added) << record;
        const QString host = authorityHostPort(record.authority);
        if (isCustomAuthority(record.authority) && !plan.customAuthorities.contains(host))
            plan.customAuthorities << host;
    }
    return plan;
}

AccountMetadata metadataForImport(const AuthenticationRecord &record, const QList<StoredAccount> &existing,
                                  const ImportSettings &settings)
{
    const StoredAccount *known = findAccount(existing, record.homeAccountId);
    if (known && authorityHostPort(known->record.authority) == authorityHostPort(record.authority))
        return known->metadata;
    AccountMetadata metadata = known ? known->metadata : AccountMetadata{};
    if (!known) {
        metadata.signInMethod = QStringLiteral("imported");
        metadata.caBundle = settings.caBundle;
    }
    metadata.authorityUrl = record.authority;
    metadata.disableInstanceDiscovery =
        settings.disableInstanceDiscovery ||
        (isCustomAuthority(record.authority) &&
         settings.confirmedAuthorities.contains(authorityHostPort(record.authority)));
    return metadata;
}

} // namespace azid::model
