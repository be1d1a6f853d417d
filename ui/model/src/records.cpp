#include "azid/model/records.h"

#include "azid/model/cloud.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

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

AccountMetadata metadataForImport(const AuthenticationRecord &record, const QList<StoredAccount> &existing,
                                  const ImportSettings &settings)
{
    for (const StoredAccount &stored : existing) {
        if (stored.record.homeAccountId == record.homeAccountId)
            return stored.metadata;
    }
    AccountMetadata metadata;
    metadata.signInMethod = QStringLiteral("imported");
    metadata.authorityUrl = record.authority;
    metadata.caBundle = settings.caBundle;
    metadata.disableInstanceDiscovery =
        settings.disableInstanceDiscovery || cloudOfAuthority(record.authority) == Cloud::Custom;
    return metadata;
}

} // namespace azid::model
