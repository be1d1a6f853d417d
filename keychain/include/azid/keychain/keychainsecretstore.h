#pragma once

#include "azid/keychain/secretstore.h"

#include <chrono>

namespace azid {

// SecretStore over the OS keychain through QtKeychain: Secret Service (gnome-keyring, KWallet) on
// Linux, Keychain on macOS, Credential Manager on Windows. Never falls back to plain-text storage.
//
// Items live in the keychain service "azid", or "azid-<profile>" for another profile, so profiles do
// not see each other's items. An operation that takes longer than the timeout (a keychain waiting
// at an unlock prompt) is answered with an error; the job itself is left to finish and delete
// itself, so a late write still lands. QtKeychain runs its jobs one after another.
//
// "Not found" is believed only when the keychain is provably open: the Secret Service answers a read
// of an item in a locked collection that it cannot unlock (no display for the prompt, or a dismissed
// one) with "nothing", so such an answer is checked (no matching item in any collection, locked or
// not, and the default collection unlocked) and otherwise reported as KeychainLocked. The profile is
// pinned to the backend that holds its items (see keychainbackend.h): a process that would reach
// another keychain fails with KeychainUnavailable, saying which one the profile needs.
//
// Use it from the main thread: on Linux libsecret reports through the GLib main context, which only
// the main thread's Qt event loop runs.
class KeychainSecretStore final : public SecretStore
{
public:
    static constexpr std::chrono::milliseconds DefaultTimeout{30000};

    // An invalid profile name (see isValidProfileName) makes every operation fail.
    explicit KeychainSecretStore(const QString &profile = {},
                                 std::chrono::milliseconds timeout = DefaultTimeout);

    QString service() const { return m_service; }
    std::chrono::milliseconds timeout() const { return m_timeout; }

    QFuture<SecretResult> read(const QString &key) override;
    QFuture<VoidResult> write(const QString &key, const Secret &secret) override;
    QFuture<VoidResult> remove(const QString &key) override;

private:
    // An invalid profile name, or a keychain other than the one the profile is pinned to.
    std::optional<AuthError> invalidProfileError() const;
    static QFuture<SecretResult> confirmAbsent(const QString &service, const QString &key,
                                               std::chrono::milliseconds timeout);

    QString m_profile;
    QString m_service;
    std::chrono::milliseconds m_timeout;
};

} // namespace azid
