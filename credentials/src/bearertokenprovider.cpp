#include "azid/bearertokenprovider.h"

#include "azid/clock.h"
#include "futures.h"

#include <mutex>
#include <optional>

namespace azid {
namespace {

constexpr qint64 kRefreshOffset = 300; // azure-core's BearerTokenCredentialPolicy: 300 s before expiry

// The token a provider keeps, shared by its copies and by the requests it starts.
struct KeptToken
{
    std::mutex mutex;
    std::optional<AccessTokenInfo> token;

    std::optional<Secret> usable()
    {
        std::unique_lock lock(mutex);
        if (!token)
            return std::nullopt;
        const qint64 now = Clock::system().now();
        if (token->expiresOn - now < kRefreshOffset || (token->refreshOn && *token->refreshOn <= now))
            return std::nullopt;
        return token->token;
    }

    Result<Secret> keep(const TokenResult &result)
    {
        if (!result.ok())
            return result.error();
        std::unique_lock lock(mutex);
        token = result.value();
        return result.value().token;
    }
};

TokenRequestOptions requestFor(const QStringList &scopes)
{
    TokenRequestOptions options;
    options.scopes = scopes;
    return options;
}

} // namespace

BearerTokenProvider getBearerTokenProvider(std::shared_ptr<TokenCredential> credential,
                                           const QStringList &scopes)
{
    auto kept = std::make_shared<KeptToken>();
    return [credential = std::move(credential), scopes, kept]() -> QFuture<Result<Secret>> {
        if (!credential)
            return detail::ready(
                Result<Secret>(AuthError::unavailable(QStringLiteral("No credential was given."))));
        if (auto token = kept->usable())
            return detail::ready(Result<Secret>(std::move(*token)));
        return credential->getTokenInfo(requestFor(scopes))
            .then(QtFuture::Launch::Sync, [kept](const TokenResult &result) { return kept->keep(result); });
    };
}

BlockingBearerTokenProvider getBearerTokenProvider(std::shared_ptr<BlockingTokenCredential> credential,
                                                   const QStringList &scopes)
{
    auto kept = std::make_shared<KeptToken>();
    return [credential = std::move(credential), scopes, kept]() -> Result<Secret> {
        if (!credential)
            return AuthError::unavailable(QStringLiteral("No credential was given."));
        if (auto token = kept->usable())
            return std::move(*token);
        return kept->keep(credential->getTokenBlocking(requestFor(scopes)));
    };
}

Secret bearerAuthorization(const Secret &token)
{
    return Secret(QByteArrayLiteral("Bearer ") + token.reveal());
}

} // namespace azid
