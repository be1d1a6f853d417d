#pragma once

#include "arguments.h"

#include "azid/authenticationrecord.h"
#include "azid/keychain/profilestorage.h"
#include "azid/result.h"

#include <optional>

namespace azid::cli {

class Profile;

// How the command's arguments say to store things (--memory-only, --allow-unencrypted-storage).
ProfileStorage::Options storageOptions(const Arguments &arguments);

// --wait-for-keychain SEC: waits (running the event loop) until the keychain can be used, at most SEC
// seconds, saying on stderr what it waits for. The error when it did not become usable in time.
std::optional<AuthError> waitForKeychain(const Arguments &arguments);

// "Share with Azure tools" (login --shared-cache, and later refreshes and removals of a shared account):
// the account's entries into azure.identity's shared persistent cache (share), or out of it (!share).
// Prints what the shared cache's storage says the user must know.
VoidResult shareWithAzureTools(Profile &profile, const AuthenticationRecord &record, bool share);

// token --credential shared-token-cache: SharedTokenCacheCredential over that shared cache. Returns the
// exit code.
int sharedTokenCacheToken(const Arguments &arguments);

} // namespace azid::cli
