#pragma once

#include "azid/errors.h"

#include <qt6keychain/keychain.h>

#include <chrono>

namespace azid::detail {

enum class KeychainOperation { Read, Write, Remove };

// What a person reads when a QtKeychain job fails: what happened and what to do, then the operation,
// item, service and QtKeychain's own words. Always CredentialUnavailable: without its keychain, a
// credential cannot even try. QtKeychain reports an unreachable Secret Service on Linux (no D-Bus,
// no org.freedesktop.secrets) as OtherError with D-Bus's message; those count as NoBackendAvailable.
AuthError keychainError(QKeychain::Error code, const QString &detail, KeychainOperation operation,
                        const QString &service, const QString &key);

AuthError keychainTimeoutError(std::chrono::milliseconds timeout, KeychainOperation operation,
                               const QString &service, const QString &key);

// The first sentence of the message for an unreachable keychain.
QString noKeychainMessage();

} // namespace azid::detail
