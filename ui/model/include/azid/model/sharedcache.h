#pragma once

#include "azid/authenticationrecord.h"
#include "azid/keychain/profilestorage.h"
#include "azid/result.h"

#include <QFuture>
#include <QObject>
#include <QStringList>

// "Share with Azure tools": an account's entries in azure.identity's shared token cache
// (SharedTokenCache, "msal.cache", where SharedTokenCacheCredential and other Microsoft tools look).
// The tray app and azid-cli change it through these functions alone.
namespace azid::model {

struct SharedCacheUpdate
{
    VoidResult result;
    QStringList warnings; // what the shared cache's storage says the user must know
};

// Loads the shared cache (what other tools saved comes in first), then copies the account's entries
// from the profile's caches into it (`share`), or removes them (!share), and saves it: a merge, so
// nothing else in it changes. Continues on `context`'s thread; `directory` empty: ~/.IdentityService.
QFuture<SharedCacheUpdate> updateSharedCache(ProfileStorage &profile, const AuthenticationRecord &record,
                                             bool share, QObject *context, const QString &directory = {});

// What went wrong, and what to do about it, in one message for a person.
QString sharedCacheFailureText(const AuthError &error, bool share, const QString &username);

// The cache's "environment" of an account: the credentials library files tokens under the authority's
// host, without a port, while the record's authority is the issuer's host[:port].
QString cacheEnvironment(const QString &authority);

} // namespace azid::model
