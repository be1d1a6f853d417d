#pragma once

#include "azid/keychain/accountstore.h"
#include "azid/secret.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

// What AccountStore keeps in the keychain, as JSON: an account's own item, and the summaries that let
// a list read a few items instead of one per account.
namespace azid::detail {

// An account's item ("account:<homeAccountId>"): the AuthenticationRecord in azure.identity's format
// plus the metadata, isDefault aside (the index says which account is the default).
QJsonObject accountObject(const StoredAccount &account);
std::optional<StoredAccount> parseAccountObject(const QJsonObject &object);

// The summaries ("account-summaries:0", ":1", ...): every account's object, in the index's order,
// compressed, each item under SecretStore::MaxItemSize. They are a copy of the account items that the
// list reads instead of them; `stamp` names the index they were written for, so that a list whose
// index changed without them (an older version of Azid adding an account) reads the items instead.
QString indexStamp(const QStringList &ids);
QList<Secret> packSummaries(const QList<StoredAccount> &accounts, const QString &stamp);

struct SummaryPage
{
    QString stamp;
    int pages = 1; // as page 0 says
    QList<StoredAccount> accounts;
};
// Empty when the item is not a summary page Azid can read.
std::optional<SummaryPage> unpackSummaries(const Secret &item);

} // namespace azid::detail
