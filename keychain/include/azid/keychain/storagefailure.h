#pragma once

#include "azid/errors.h"

#include <QString>

namespace azid {

// Why storage failed, for code that reacts (retry later, offer memory-only mode, ask to unlock)
// rather than only show the message. Every error the keychain module returns carries one; errors
// from elsewhere read as None.
//
// The reason travels inside the AuthError, in its `suberror` field: no authority is involved in a
// storage failure, so that field (Entra's machine-readable "suberror" otherwise) is free. Read it
// with storageFailure(), never by comparing strings.
enum class StorageFailure {
    None,                  // not a storage error
    KeychainUnavailable,   // no Secret Service / keychain reachable (no D-Bus session, no daemon)
    KeychainLocked,        // the keychain (its default collection) is locked and was not unlocked
    KeychainAccessDenied,  // the keychain refused: the user denied its prompt, or a policy forbids it
    KeychainTimeout,       // the keychain did not answer in time (often: a prompt nobody answers)
    KeychainFailed,        // any other keychain error
    ItemTooLarge,          // an item over SecretStore::MaxItemSize was refused
    EncryptionUnavailable, // no keychain, and unencrypted storage was not allowed
    CacheDamaged,          // a cache that cannot be decrypted or parsed (kept aside, never deleted)
    CacheKeyMissing,       // the cache file exists but its key is not in the keychain (kept aside)
    CacheLocked,           // another process holds the cache's lock file longer than the timeout
    FileError,             // reading or writing a file failed (permissions, disk full, ...)
    InvalidName,           // an invalid profile or cache name
    NotPersisted,          // memory-only mode: nothing is read from or written to storage
};

StorageFailure storageFailure(const AuthError &error);
// The machine-readable name ("keychain_locked", ...), as stored in AuthError::suberror.
QString storageFailureName(StorageFailure failure);
// Whether waiting can help: the keychain may appear (a session starts its daemon), be unlocked, or
// answer its prompt. Used by KeychainAvailability and azid-cli --wait-for-keychain.
bool isTransient(StorageFailure failure);

// A CredentialUnavailable error with this reason.
AuthError storageError(StorageFailure failure, QString message);
// The same error with its reason set (replacing any).
AuthError withStorageFailure(AuthError error, StorageFailure failure);

} // namespace azid
