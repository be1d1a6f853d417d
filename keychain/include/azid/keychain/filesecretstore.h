#pragma once

#include "azid/keychain/secretstore.h"

#include <QString>

#include <atomic>
#include <memory>
#include <optional>

namespace azid {

// A SecretStore in plain files: one file of mode 0600 per item, in a folder of mode 0700, each written
// atomically. Nothing here is encrypted: it is only for allow_unencrypted_storage when no keychain is
// reachable (account records then live here; token caches in PlainFileStorage). Results are ready at
// once.
class FileSecretStore final : public SecretStore
{
public:
    explicit FileSecretStore(QString directory);

    const QString &directory() const { return m_directory; }
    // The file that holds `key`.
    QString filePath(const QString &key) const;

    QFuture<SecretResult> read(const QString &key) override;
    QFuture<VoidResult> write(const QString &key, const Secret &secret) override;
    QFuture<VoidResult> remove(const QString &key) override;

private:
    QString m_directory;
};

// The keychain, unless no keychain is reachable (StorageFailure::KeychainUnavailable): then, if
// `allowUnencrypted`, the plain store, for this operation and every later one. Decided by the first
// operation that gets an answer and kept for the object's life; a locked keychain, a refused access or
// a timeout are errors, never a reason to store in plain files.
class FallbackSecretStore final : public SecretStore
{
public:
    FallbackSecretStore(std::shared_ptr<SecretStore> keychain, std::shared_ptr<SecretStore> plain,
                        bool allowUnencrypted);

    // Empty until an operation has decided; then whether the plain store is in use.
    std::optional<bool> usesPlainStore() const;
    // What to tell the user while the plain store is in use; empty otherwise.
    QString warning() const;

    QFuture<SecretResult> read(const QString &key) override;
    QFuture<VoidResult> write(const QString &key, const Secret &secret) override;
    QFuture<VoidResult> remove(const QString &key) override;

private:
    template <typename T, typename Operation> QFuture<T> run(Operation operation);

    std::shared_ptr<SecretStore> m_keychain;
    std::shared_ptr<SecretStore> m_plain;
    bool m_allowUnencrypted;
    // 0: undecided, 1: keychain, 2: plain
    std::shared_ptr<std::atomic<int>> m_choice;
};

} // namespace azid
