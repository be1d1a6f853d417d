#pragma once

#include "azid/authenticationrecord.h"
#include "azid/keychain/accountstore.h"
#include "azid/result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

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

// What an import would do to each record, so that an interface can ask before it replaces anything.
struct ImportPlan
{
    QList<AuthenticationRecord> added;     // accounts that are not here yet
    QList<AuthenticationRecord> present;   // the account is here with this very record: nothing to do
    QList<AuthenticationRecord> replacing; // the account is here with another record: ask first
    // The authorities (host[:port]) of the added and replacing records that are not one of Microsoft's
    // clouds, each once: instance discovery stays on for them unless the person confirms them.
    QStringList customAuthorities;
};
ImportPlan planImport(const QList<AuthenticationRecord> &records, const QList<StoredAccount> &existing);

// How an imported record is stored. An account that is already here keeps what it knows (unless its
// authority changes); a new one is "imported", with the CA bundle given. Instance discovery validates
// the authority with Microsoft: it stays on for an authority that is not one of Microsoft's clouds
// unless the person confirmed that authority (confirmedAuthorities: host[:port]) or turned discovery
// off for the whole import (azid-cli --disable-instance-discovery).
struct ImportSettings
{
    QString caBundle;
    bool disableInstanceDiscovery = false;
    QStringList confirmedAuthorities;
};
AccountMetadata metadataForImport(const AuthenticationRecord &record, const QList<StoredAccount> &existing,
                                  const ImportSettings &settings);

} // namespace azid::model
