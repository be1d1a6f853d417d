#pragma once

#include "azid/errors.h"

#include <QString>

#include <optional>

namespace azid::detail {

// Which keychain QtKeychain talks to on Linux. It chooses by desktop session, once per process: KWallet
// in a KDE session whose kwalletd answers, the Secret Service (gnome-keyring, KeePassXC, ...) elsewhere,
// so the same user can reach one keychain from the desktop and another from cron or SSH. A profile
// records which one holds its items (the file "keychain-backend" in its folder), and a process that
// would reach the other one fails instead of finding "nothing".
enum class KeychainBackend { SecretService, KWallet };

// "secret-service", "kwallet": what the pin file holds.
QString backendKey(KeychainBackend backend);
std::optional<KeychainBackend> backendFromKey(const QString &key);
// For messages: "the Secret Service (gnome-keyring)", "KWallet".
QString backendDisplayName(KeychainBackend backend);

// The backend QtKeychain uses in this process, by its own rule (desktop session variables, then
// whether kwalletd answers on the session bus). Empty on systems without that choice (not Linux).
std::optional<KeychainBackend> qtKeychainBackend();

// The pin of `profile`: the backend that holds its items, if one was recorded.
QString backendPinPath(const QString &profile);
std::optional<KeychainBackend> pinnedBackend(const QString &profile);
// Records `backend` for `profile` unless a pin exists already. Best effort: a failure is logged.
void pinBackend(const QString &profile, KeychainBackend backend);

// An error when this process would reach another keychain than the one `profile` is pinned to.
std::optional<AuthError> backendMismatch(const QString &profile);

} // namespace azid::detail
