#pragma once

#include "azid/keychain/accountstore.h"
#include "azid/result.h"

#include <QList>
#include <QString>

namespace azid::model {

// The one account `selector` names among `accounts`: a user name (case-insensitive) or a home account
// id; the empty selector names the default account, or the only one. The error (CredentialUnavailable)
// says what is signed in and how to choose, naming `profile` unless it is the default profile. The rule
// and its wording are shared by azid-cli's direct path and the agent, so both answer alike.
[[nodiscard]] Result<StoredAccount> selectAccount(const QList<StoredAccount> &accounts,
                                                  const QString &selector, const QString &profile);

} // namespace azid::model
