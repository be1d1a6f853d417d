#pragma once

#include <QString>

namespace azid {

// A profile (--profile NAME / AZID_PROFILE) isolates everything Azid stores: its keychain service and
// its folder. The empty name and "default" both mean the default profile.

// Letters, digits, '.', '_' and '-', at most 64 characters, not starting with '.'; or empty.
bool isValidProfileName(const QString &profile);
// "azid" for the default profile, else "azid-<profile>".
QString keychainServiceName(const QString &profile);
// <GenericDataLocation>/azid/<profile> ($XDG_DATA_HOME/azid/default on Linux for the default profile).
QString profileDataDirectory(const QString &profile);

// A token cache name such as "msal.cache.nocae": same characters as a profile name, at most 128.
bool isValidCacheName(const QString &name);
// <profile folder>/<name>.bin
QString defaultCacheFilePath(const QString &profile, const QString &cacheName);
// <profile folder>/<name>.json: the plain file used instead when no keychain is reachable and
// unencrypted storage is allowed.
QString unencryptedCacheFilePath(const QString &profile, const QString &cacheName);
// ~/.IdentityService, where msal-extensions (azure.identity's persistent cache) keeps its signal and
// lock files, and its plaintext fallback.
QString identityServiceDirectory();

} // namespace azid
