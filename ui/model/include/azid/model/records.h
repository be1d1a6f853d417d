#pragma once

#include "azid/authenticationrecord.h"
#include "azid/keychain/accountstore.h"
#include "azid/result.h"

#include <QByteArray>
#include <QList>
#include <QString>

// Account records in and out of Azid, with one set of rules for every interface. The format is
// azure.identity's: AuthenticationRecord.serialize() of one record, or a JSON array of them.
namespace azid::model {

enum class RecordsShape {
    ObjectForOne, // one record: the object azure.identity's deserialize() reads; several: an array
    Array         // always an array, also of one record
};

QByteArray serializeRecords(const QList<AuthenticationRecord> &records,
                            RecordsShape shape = RecordsShape::ObjectForOne);

// Replaces `path` atomically with the records, readable by its owner alone (records name accounts
// and tenants; they hold no tokens).
VoidResult writeRecordsFile(const QString &path, const QList<AuthenticationRecord> &records,
                            RecordsShape shape = RecordsShape::ObjectForOne);

// Every record of an import file (one object or an array of them), or why the file is not one.
Result<QList<AuthenticationRecord>> parseRecords(const QByteArray &json);

// How an imported record is stored. An account that is already here keeps what it knows; a new one
// is "imported", with the CA bundle given, and without instance discovery when its authority is not
// one of Microsoft's clouds (or when asked).
struct ImportSettings
{
    QString caBundle;
    bool disableInstanceDiscovery = false;
};
AccountMetadata metadataForImport(const AuthenticationRecord &record, const QList<StoredAccount> &existing,
                                  const ImportSettings &settings);

} // namespace azid::model
