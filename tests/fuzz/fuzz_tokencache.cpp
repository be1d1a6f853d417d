// The MSAL token cache JSON (TokenCache::deserialize), as Azid, MSAL and azure.identity write it to
// files and keychains: whatever is read is looked up, written back and read again. The input may hold
// three caches separated by NUL bytes, "ours\0base\0theirs": then ours is merged with a stored copy
// (TokenCache::merge) as a save does after another process wrote the cache.

#include "azid/tokencache.h"
#include "fuzzing.h"

using namespace azid;

namespace {

// The merged cache is what the result says was written, reads back, and merging it with itself
// (nothing changed on either side since) changes nothing.
void checkMerge(TokenCache &cache, const QByteArray &base, const QByteArray &theirs)
{
    const Result<TokenCacheMerge> merged = cache.merge(base, theirs);
    if (!merged.ok())
        return;
    const QByteArray written = merged.value().json.reveal();
    AZID_FUZZ_CHECK(written == cache.serialize());
    AZID_FUZZ_CHECK(merged.value().generation == cache.generation());
    TokenCache again;
    AZID_FUZZ_CHECK(again.deserialize(written).ok());
    const Result<TokenCacheMerge> idle = again.merge(written, written);
    AZID_FUZZ_CHECK(idle.ok() && !idle.value().changed && idle.value().matchesTheirs);
    (void)cache.addMissingEntries(theirs);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QList<QByteArray> parts = fuzz::bytes(data, size).split('\0');
    TokenCache cache;
    if (!cache.deserialize(parts.first()).ok())
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
    if (parts.size() >= 3)
        checkMerge(cache, parts.at(1), parts.at(2));
    return 0;
}
