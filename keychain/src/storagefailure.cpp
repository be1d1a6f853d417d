#include "azid/keychain/storagefailure.h"

#include <array>
#include <utility>

namespace azid {

namespace {

constexpr std::array<std::pair<StorageFailure, const char *>, 13> Names{{
    {StorageFailure::KeychainUnavailable, "keychain_unavailable"},
    {StorageFailure::KeychainLocked, "keychain_locked"},
    {StorageFailure::KeychainAccessDenied, "keychain_access_denied"},
    {StorageFailure::KeychainTimeout, "keychain_timeout"},
    {StorageFailure::KeychainFailed, "keychain_failed"},
    {StorageFailure::ItemTooLarge, "keychain_item_too_large"},
    {StorageFailure::EncryptionUnavailable, "encryption_unavailable"},
    {StorageFailure::CacheDamaged, "cache_damaged"},
    {StorageFailure::CacheKeyMissing, "cache_key_missing"},
    {StorageFailure::CacheLocked, "cache_locked"},
    {StorageFailure::FileError, "file_error"},
    {StorageFailure::InvalidName, "invalid_name"},
    {StorageFailure::NotPersisted, "not_persisted"},
}};

} // namespace

QString storageFailureName(StorageFailure failure)
{
    for (const auto &[value, name] : Names) {
        if (value == failure)
            return QString::fromLatin1(name);
    }
    return QString();
}

StorageFailure storageFailure(const AuthError &error)
{
    return error.reason == ErrorReason::Storage ? error.storage : StorageFailure::None;
}

bool isTransient(StorageFailure failure)
{
    return failure == StorageFailure::KeychainUnavailable || failure == StorageFailure::KeychainLocked ||
           failure == StorageFailure::KeychainTimeout;
}

AuthError storageError(StorageFailure failure, QString message)
{
    return withStorageFailure(AuthError::unavailable(std::move(message)), failure);
}

AuthError withStorageFailure(AuthError error, StorageFailure failure)
{
    error.reason = failure == StorageFailure::None ? ErrorReason::None : ErrorReason::Storage;
    error.storage = failure;
    return error;
}

} // namespace azid
