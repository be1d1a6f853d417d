#include "azid/keychain/keychainpersistence.h"

#include "azid/keychain/sharedtokencache.h"
#include "azid/keychain/storagefailure.h"
#include "azid/keychain/storagelocation.h"

namespace azid {

namespace {

class KeychainTokenCachePersistence final : public TokenCachePersistence
{
public:
    explicit KeychainTokenCachePersistence(const TokenCachePersistenceOptions &options) : m_shared(options) {}

    std::shared_ptr<TokenCache> cache(bool cae) const override
    {
        return cae ? m_shared.caeCache() : m_shared.cache();
    }
    QFuture<VoidResult> load() override { return m_shared.load(); }
    QFuture<VoidResult> save() override { return m_shared.save(); }

private:
    SharedTokenCache m_shared;
};

} // namespace

Result<std::shared_ptr<TokenCachePersistence>>
makeKeychainTokenCachePersistence(const TokenCachePersistenceOptions &options)
{
    if (!isValidCacheName(options.name)) {
        return storageError(
                   StorageFailure::InvalidName,
                   QStringLiteral(
                       "'%1' is not a valid token cache name: use letters, digits, '.', '_' and '-'.")
                       .arg(options.name))
            .asConfigurationError();
    }
    return std::shared_ptr<TokenCachePersistence>(std::make_shared<KeychainTokenCachePersistence>(options));
}

void enableKeychainTokenCachePersistence()
{
    setTokenCachePersistenceFactory(makeKeychainTokenCachePersistence);
}

} // namespace azid
