#pragma once

#include "azid/errors.h"
#include "azid/keychain/storagefailure.h"

#include <qt6keychain/keychain.h>

#include <chrono>

namespace azid::detail {

enum class KeychainOperation { Read, Write, Remove };

// What a person reads when a QtKeychain job fails: what happened and what to do, then the operation,
// item, service and QtKeychain's own words. Always CredentialUnavailable: without its keychain, a
// credential cannot even try; the StorageFailure reason says which bad day it is. QtKeychain reports
// an unreachable Secret Service on Linux (no D-Bus, no org.freedesktop.secrets) as OtherError with
// D-Bus's message; those count as NoBackendAvailable. libsecret's "is locked" arrives as AccessDenied.
AuthError keychainError(QKeychain::Error code, const QString &detail, KeychainOperation operation,
                        const QString &service, const QString &key);

AuthError keychainTimeoutError(std::chrono::milliseconds timeout, KeychainOperation operation,
                               const QString &service, const QString &key);

// The first sentence of the message for an unreachable keychain, a locked one, one that refused
// access, one that did not answer in time. libsecretpersistence.cpp says the same for its errors.
QString noKeychainMessage();
QString lockedKeychainMessage();
QString accessDeniedMessage();
QString timeoutMessage(std::chrono::milliseconds timeout);

// What a backend's own words (D-Bus, libsecret, gnome-keyring) say went wrong: KeychainUnavailable,
// KeychainLocked, KeychainAccessDenied, KeychainTimeout, or KeychainFailed when they say nothing known.
StorageFailure classifyKeychainMessage(const QString &detail);
// The first sentence for a reason: what happened and what to do.
QString keychainAdvice(StorageFailure reason);

} // namespace azid::detail
