#pragma once

#include "azid/keychain/secretstore.h"

#include <QHash>
#include <QMutex>

namespace azid {

// A SecretStore in memory, for tests only: nothing survives the process. Results are ready at once.
// Thread-safe.
class MemorySecretStore final : public SecretStore
{
public:
    QFuture<SecretResult> read(const QString &key) override;
    QFuture<VoidResult> write(const QString &key, const Secret &secret) override;
    QFuture<VoidResult> remove(const QString &key) override;

    // Makes every following operation fail with `error` (e.g. "no keychain"), until reset with nullopt.
    void setFailure(std::optional<AuthError> error);
    // What is stored, for tests to inspect.
    QHash<QString, Secret> items() const;

private:
    mutable QMutex m_mutex;
    QHash<QString, Secret> m_items;
    std::optional<AuthError> m_failure;
};

} // namespace azid
