#pragma once

#include "azid/errors.h"

#include <QString>

namespace azid {

// StorageFailure (declared in azid/errors.h, so that every AuthError can carry one) is kept in
// AuthError::storage, with the reason ErrorReason::Storage. Read it with storageFailure().

// The error's StorageFailure; None for an error that is not a storage error.
StorageFailure storageFailure(const AuthError &error);
// The machine-readable name ("keychain_locked", ...), as azid-cli's JSON prints it ("reason").
QString storageFailureName(StorageFailure failure);
// Whether waiting can help: the keychain may appear (a session starts its daemon), be unlocked, or
// answer its prompt. Used by KeychainAvailability and azid-cli --wait-for-keychain.
bool isTransient(StorageFailure failure);

// A CredentialUnavailable error with this failure (reason Storage).
AuthError storageError(StorageFailure failure, QString message);
// The same error as a storage error with this failure (replacing any reason; None makes it an error
// without a reason).
AuthError withStorageFailure(AuthError error, StorageFailure failure);

} // namespace azid
