#include "azid/keychain/secretstore.h"

#include "azid/keychain/storagefailure.h"

namespace azid {

SecretStore::~SecretStore() = default;

std::optional<AuthError> SecretStore::checkItemSize(const QString &key, const Secret &secret)
{
    if (secret.size() <= MaxItemSize)
        return std::nullopt;
    return storageError(StorageFailure::ItemTooLarge,
                        QStringLiteral("The item '%1' is too large for a keychain (%2 bytes; at most %3).")
                            .arg(key)
                            .arg(secret.size())
                            .arg(MaxItemSize));
}

} // namespace azid
