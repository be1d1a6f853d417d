#pragma once

#include "azid/result.h"
#include "azid/secret.h"

#include <QFuture>
#include <QString>

#include <optional>

namespace azid {

// What a read finds: the secret, or an empty optional when the key is not there. Absence is a value
// that callers test, not an error.
using SecretResult = Result<std::optional<Secret>>;

// Small secrets and records (a key, an account record) kept by key. Results arrive through futures;
// failures are CredentialUnavailable errors whose message says what to do.
class SecretStore
{
public:
    // Windows caps a credential blob near 2.5 KB, so no item is larger than this on any platform.
    static constexpr qsizetype MaxItemSize = 2048;

    virtual ~SecretStore();

    virtual QFuture<SecretResult> read(const QString &key) = 0;
    // Creates or replaces the item. Items larger than MaxItemSize are refused.
    virtual QFuture<VoidResult> write(const QString &key, const Secret &secret) = 0;
    // Removing a key that is not there succeeds.
    virtual QFuture<VoidResult> remove(const QString &key) = 0;

protected:
    // The error for an item larger than MaxItemSize, if it is.
    static std::optional<AuthError> checkItemSize(const QString &key, const Secret &secret);
};

} // namespace azid
