// The MSAL token cache JSON (TokenCache::deserialize), as Azid, MSAL and azure.identity write it to
// files and keychains: whatever is read is looked up, written back and read again.

#include "azid/tokencache.h"
#include "fuzzing.h"

using namespace azid;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    TokenCache cache;
    if (!cache.deserialize(fuzz::bytes(data, size)).ok())
        return 0;
    const QStringList scopes{QStringLiteral("https://management.azure.com/.default")};
    for (const CachedAccount &account : cache.accounts()) {
        (void)cache.account(account.homeAccountId, account.environment);
        (void)cache.findAccessToken(account.homeAccountId, account.environment,
                                    QStringLiteral("04b07795-8ddb-461a-bbee-02f9e1bf7b46"), account.realm,
                                    scopes, fuzz::Now);
        (void)cache.findRefreshToken(account.homeAccountId, account.environment,
                                     QStringLiteral("04b07795-8ddb-461a-bbee-02f9e1bf7b46"));
    }
    (void)cache.accessTokenCount();
    const QByteArray written = cache.serialize();
    TokenCache again;
    AZID_FUZZ_CHECK(again.deserialize(written).ok());
    AZID_FUZZ_CHECK(again.serialize() == written);
    return 0;
}
